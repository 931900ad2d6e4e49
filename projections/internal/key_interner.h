// KeyInterner: gives each distinct key a dense id (0, 1, 2, ...) in the order first seen.
//
// Built for PositionIndex, which during a rebuild looks up three keys per event among hundreds
// of thousands: a node-based std::unordered_map cost a heap node and a key string per key and
// several cache misses per lookup. Here key bytes are copied back to back into 64 KiB blocks and
// the table is open addressing with linear probing over (hash, id) slots, so a lookup touches
// one slot and, on a hash match, the key's bytes. Not thread-safe; a resource (not copyable).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace roster::projections::internal {

class KeyInterner {
 public:
  KeyInterner() = default;
  KeyInterner(const KeyInterner&) = delete;
  KeyInterner& operator=(const KeyInterner&) = delete;

  // The id of `key`, adding it when new.
  uint32_t Intern(std::string_view key);
  // The key of an id Intern returned; valid until Clear.
  std::string_view key(uint32_t id) const { return keys_[id]; }
  size_t size() const { return keys_.size(); }
  // Forgets every key and releases the memory.
  void Clear();

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kEmpty;
  };
  void Grow();
  std::string_view Store(std::string_view key);

  std::vector<Slot> slots_;             // a power of two long, at most 3/4 full
  std::vector<std::string_view> keys_;  // by id, into blocks_
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* block_next_ = nullptr;
  size_t block_left_ = 0;
};

}  // namespace roster::projections::internal
