// Fixed-width integer encoding for keys (big-endian, so bytewise order is numeric order) and
// values (little-endian). Header-only; no state.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace roster::eventstore::internal {

static_assert(std::endian::native == std::endian::little,
              "the encoders assume a little-endian host");

inline void StoreLe64(char* out, uint64_t v) { std::memcpy(out, &v, 8); }
inline void StoreBe64(char* out, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(out, &v, 8);
}
inline uint64_t LoadLe64(const char* in) {
  uint64_t v;
  std::memcpy(&v, in, 8);
  return v;
}
inline uint64_t LoadBe64(const char* in) { return __builtin_bswap64(LoadLe64(in)); }
inline uint32_t LoadLe32(const char* in) {
  uint32_t v;
  std::memcpy(&v, in, 4);
  return v;
}
inline uint16_t LoadLe16(const char* in) {
  uint16_t v;
  std::memcpy(&v, in, 2);
  return v;
}

inline void PutLe16(std::string& out, uint16_t v) { out.append(reinterpret_cast<char*>(&v), 2); }
inline void PutLe32(std::string& out, uint32_t v) { out.append(reinterpret_cast<char*>(&v), 4); }
inline void PutLe64(std::string& out, uint64_t v) { out.append(reinterpret_cast<char*>(&v), 8); }
inline void PutBe64(std::string& out, uint64_t v) {
  char buf[8];
  StoreBe64(buf, v);
  out.append(buf, 8);
}
inline void PutBe16(std::string& out, uint16_t v) {
  const char buf[2] = {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
  out.append(buf, 2);
}
// A u32 length, then the bytes.
inline void PutString(std::string& out, std::string_view s) {
  PutLe32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Reads the body fields in order; any read past the end sets ok() to false and returns zeros
// or empty views, so a decoder can read everything and check once.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  size_t consumed() const { return pos_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  uint8_t U8() { return Take(1) ? static_cast<uint8_t>(in_[pos_ - 1]) : 0; }
  uint16_t U16() { return Take(2) ? LoadLe16(in_.data() + pos_ - 2) : 0; }
  uint64_t U64() { return Take(8) ? LoadLe64(in_.data() + pos_ - 8) : 0; }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  std::string_view String() {
    if (!Take(4)) return {};
    const uint32_t size = LoadLe32(in_.data() + pos_ - 4);
    if (!Take(size)) return {};
    return in_.substr(pos_ - size, size);
  }

 private:
  bool Take(size_t n) {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace roster::eventstore::internal
