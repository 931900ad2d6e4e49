#include "projections/row_buffer.h"

#include <algorithm>
#include <cstring>

namespace roster::projections {

bool RowBuffer::Less(const Entry& a, const Entry& b) {
  if (a.prefix != b.prefix) return a.prefix < b.prefix;
  const std::string_view ka(a.data, a.key_size);
  const std::string_view kb(b.data, b.key_size);
  return ka < kb;  // char_traits<char> compares as unsigned char, like the view store
}

char* RowBuffer::Allocate(size_t size) {
  if (size > block_left_) {
    const size_t block = std::max(size, kBlockSize);
    if (blocks_.empty()) first_block_size_ = block;
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(block));
    block_next_ = blocks_.back().get();
    block_left_ = block;
  }
  char* out = block_next_;
  block_next_ += size;
  block_left_ -= size;
  return out;
}

void RowBuffer::Clear() {
  rows_.clear();
  if (blocks_.empty()) return;
  blocks_.resize(1);
  block_next_ = blocks_.front().get();
  block_left_ = first_block_size_;
}

void RowBuffer::Add(std::string_view key, std::string_view value, bool put) {
  char* data = Allocate(key.size() + value.size());
  if (!key.empty()) std::memcpy(data, key.data(), key.size());
  if (!value.empty()) std::memcpy(data + key.size(), value.data(), value.size());
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) {
    prefix = (prefix << 8) | (i < key.size() ? static_cast<uint8_t>(key[i]) : 0);
  }
  rows_.push_back(Entry{prefix, data, static_cast<uint32_t>(key.size()),
                        static_cast<uint32_t>(value.size()), put});
}

void RowBuffer::Sort() {
  if (std::is_sorted(rows_.begin(), rows_.end(), Less)) return;
  std::stable_sort(rows_.begin(), rows_.end(), Less);
}

}  // namespace roster::projections
