#include "projections/internal/key_interner.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace roster::projections::internal {
namespace {

constexpr size_t kBlockSize = 64 << 10;
constexpr size_t kFirstSlots = 64;

}  // namespace

uint32_t KeyInterner::Intern(std::string_view key) {
  if ((keys_.size() + 1) * 4 > slots_.size() * 3) Grow();
  const uint64_t hash = std::hash<std::string_view>{}(key);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.id == kEmpty) {
      slot.hash = hash;
      slot.id = static_cast<uint32_t>(keys_.size());
      keys_.push_back(Store(key));
      return slot.id;
    }
    if (slot.hash == hash && keys_[slot.id] == key) return slot.id;
  }
}

void KeyInterner::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max(kFirstSlots, old.size() * 2), Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.id == kEmpty) continue;
    size_t i = s.hash & mask;
    while (slots_[i].id != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::string_view KeyInterner::Store(std::string_view key) {
  if (key.size() > block_left_) {
    const size_t size = std::max(key.size(), kBlockSize);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    block_next_ = blocks_.back().get();
    block_left_ = size;
  }
  char* out = block_next_;
  if (!key.empty()) std::memcpy(out, key.data(), key.size());
  block_next_ += key.size();
  block_left_ -= key.size();
  return std::string_view(out, key.size());
}

void KeyInterner::Clear() {
  std::vector<Slot>().swap(slots_);
  std::vector<std::string_view>().swap(keys_);
  std::vector<std::unique_ptr<char[]>>().swap(blocks_);
  block_next_ = nullptr;
  block_left_ = 0;
}

}  // namespace roster::projections::internal
