// RowBuffer: the rows a rebuild writes into one table, packed for ViewStore::Ingest.
//
// A rebuild stages a million rows or more at once. Keeping each as two std::strings cost two
// allocations per row and a sort that moved them; here keys and values are copied back to
// back into large blocks and a row is a small fixed-size entry pointing into them, so staging
// allocates about once per MiB and sorting moves 32-byte entries. Value type (movable, not
// copyable); not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace roster::projections {

class RowBuffer {
 public:
  RowBuffer() = default;
  RowBuffer(RowBuffer&&) = default;
  RowBuffer& operator=(RowBuffer&&) = default;

  void Put(std::string_view key, std::string_view value) { Add(key, value, true); }
  void Delete(std::string_view key) { Add(key, {}, false); }

  // Forgets every row; keeps the first block for the next rows (the live loop reuses one
  // buffer for every flush).
  void Clear();

  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  std::string_view key(size_t i) const { return {rows_[i].data, rows_[i].key_size}; }
  std::string_view value(size_t i) const {
    return {rows_[i].data + rows_[i].key_size, rows_[i].value_size};
  }
  bool put(size_t i) const { return rows_[i].put; }

  // Orders the rows by key (bytewise, as the view store sorts), keeping rows with one key in
  // the order they were added. Rows staged already in order are only checked.
  void Sort();

 private:
  struct Entry {
    uint64_t prefix;   // the key's first 8 bytes, big-endian, zero-padded: most compares end here
    const char* data;  // key then value, in a block
    uint32_t key_size;
    uint32_t value_size;
    bool put;
  };
  static bool Less(const Entry& a, const Entry& b);
  void Add(std::string_view key, std::string_view value, bool put);
  char* Allocate(size_t size);

  static constexpr size_t kBlockSize = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_left_ = 0;
  size_t first_block_size_ = 0;
  char* block_next_ = nullptr;
  std::vector<Entry> rows_;
};

}  // namespace roster::projections
