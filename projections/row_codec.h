// Compact binary rows for read models: fixed-width little-endian integers and length-prefixed
// strings, written and read in the same order. A projection's row layout is private to that
// projection and versioned by the projection's version (a changed layout means a rebuild),
// so rows carry no per-field tags. RowReader never reads past its input: a short or corrupt
// row makes ok() false. Value types; not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace roster::projections {

class RowWriter {
 public:
  RowWriter& U8(uint8_t v) {
    out_.push_back(static_cast<char>(v));
    return *this;
  }
  RowWriter& U32(uint32_t v) { return Fixed(v); }
  RowWriter& U64(uint64_t v) { return Fixed(v); }
  RowWriter& I64(int64_t v) { return Fixed(static_cast<uint64_t>(v)); }
  RowWriter& Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
    return *this;
  }
  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }
  // Empties the row, keeping its buffer: one writer can build many rows without allocating.
  RowWriter& Clear() {
    out_.clear();
    return *this;
  }

 private:
  template <class T>
  RowWriter& Fixed(T v) {
    char buf[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out_.append(buf, sizeof(T));
    return *this;
  }
  std::string out_;
};

class RowReader {
 public:
  explicit RowReader(std::string_view in) : in_(in) {}

  uint8_t U8() {
    if (!Need(1)) return 0;
    uint8_t v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return v;
  }
  uint32_t U32() { return Fixed<uint32_t>(); }
  uint64_t U64() { return Fixed<uint64_t>(); }
  int64_t I64() { return static_cast<int64_t>(Fixed<uint64_t>()); }
  std::string Str() {
    const uint32_t n = U32();
    if (!Need(n)) return {};
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  // True while every read so far found its bytes.
  bool ok() const { return ok_; }
  // True when everything was read and nothing is left over.
  bool done() const { return ok_ && in_.empty(); }

 private:
  bool Need(size_t n) {
    if (!ok_ || in_.size() < n) ok_ = false;
    return ok_;
  }
  template <class T>
  T Fixed() {
    if (!Need(sizeof(T))) return 0;
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
      v |= static_cast<T>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(sizeof(T));
    return v;
  }
  std::string_view in_;
  bool ok_ = true;
};

// Keys: parts joined by a 0x00 separator (ids never contain it: domain ids are printable
// ASCII) and big-endian integers, so that byte order is the order we scan in.
class KeyBuilder {
 public:
  explicit KeyBuilder(char table) { key_.push_back(table); }
  KeyBuilder& Part(std::string_view s) {
    key_.append(s);
    key_.push_back('\0');
    return *this;
  }
  KeyBuilder& BE64(uint64_t v) {
    for (int i = 7; i >= 0; --i) key_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  const std::string& key() const { return key_; }
  std::string Take() { return std::move(key_); }
  // Starts a new key in the same buffer: one builder can build many keys without allocating.
  KeyBuilder& Reset(char table) {
    key_.clear();
    key_.push_back(table);
    return *this;
  }

 private:
  std::string key_;
};

// Reads a key written by KeyBuilder, part by part. ok() turns false on a malformed key.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {
    if (rest_.empty()) {
      ok_ = false;
    } else {
      table_ = rest_[0];
      rest_.remove_prefix(1);
    }
  }
  char table() const { return table_; }
  std::string_view Part() {
    size_t end = rest_.find('\0');
    if (end == std::string_view::npos) {
      ok_ = false;
      return {};
    }
    std::string_view part = rest_.substr(0, end);
    rest_.remove_prefix(end + 1);
    return part;
  }
  uint64_t BE64() {
    if (rest_.size() < 8) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(rest_[i]);
    rest_.remove_prefix(8);
    return v;
  }
  bool ok() const { return ok_; }
  bool done() const { return ok_ && rest_.empty(); }

 private:
  std::string_view rest_;
  char table_ = 0;
  bool ok_ = true;
};

inline uint64_t ReadBE64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

}  // namespace roster::projections
