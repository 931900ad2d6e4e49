// OrgCache: an in-memory model's organizations, as many as a byte budget holds, loaded from the
// model's table on demand, least recently used out first.
//
// A model's table holds every row it ever wrote; memory holds what was used recently. An entry
// an event changed is pinned until the engine reports the rows written (Flushed): until then
// the table is older than the entry, and dropping it would lose the change. An entry that is
// not pinned always equals what its rows say, so it can be dropped and loaded again at any
// time. Weights are estimates of the heap an entry holds (the model's `weigh`), taken when it
// is loaded and when it is unpinned.
//
// Thread-safety: the map and its counters are guarded by an internal mutex, so queries holding
// the projection's lock shared may load and evict concurrently. Mutable() and Flushed() need
// the projection's lock held exclusively (no query holds an entry then); a query keeps an
// entry alive through the shared_ptr it got, even if another query evicts it meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "projections/projection.h"

namespace roster::projections::internal {

// What a string holds on the heap, for weighers: nothing while it fits libstdc++'s inline buffer.
inline size_t HeapBytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

// For weighers: the sum of `weigh_one` over a container, exact up to kWeighSample elements and
// beyond that estimated from the first kWeighSample, scaled by the size. The cache weighs every
// entry an event changed at every flush, so a weigher that walked a large organization whole
// would cost more than applying the events (docs/projections.md, "Known gaps").
inline constexpr size_t kWeighSample = 32;
template <class Container, class Fn>
size_t SampledBytes(const Container& c, Fn&& weigh_one) {
  size_t bytes = 0;
  size_t seen = 0;
  for (const auto& element : c) {
    if (seen == kWeighSample) break;
    bytes += weigh_one(element);
    ++seen;
  }
  return seen == 0 || seen == c.size() ? bytes : bytes / seen * c.size();
}

template <class T>
class OrgCache {
 public:
  // The organization's data read from the table; nullopt when the rows cannot be read.
  using Loader = std::function<std::optional<T>(const std::string& org)>;
  using Weigher = std::function<size_t(const T&)>;

  explicit OrgCache(Weigher weigh) : weigh_(std::move(weigh)) {}

  void set_budget(size_t bytes) {
    std::lock_guard lock(mu_);
    budget_ = bytes;
  }

  // For Apply: the organization's data to change, loaded if absent, pinned until Flushed().
  // Null when it is not cached and its rows cannot be read.
  T* Mutable(const std::string& org, const Loader& load) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(org);
    if (it == entries_.end()) {
      ++misses_;
      std::optional<T> loaded = load(org);
      if (!loaded) return nullptr;
      it = Insert(org, std::make_shared<T>(std::move(*loaded)));
    } else {
      ++hits_;
      Touch(it->second);
    }
    if (!it->second.pinned) {
      it->second.pinned = true;
      pinned_.push_back(org);
    }
    return it->second.data.get();
  }

  // For queries: the organization's data, loaded if absent. Null when its rows cannot be read.
  std::shared_ptr<const T> Get(const std::string& org, const Loader& load) const {
    {
      std::lock_guard lock(mu_);
      if (auto it = entries_.find(org); it != entries_.end()) {
        ++hits_;
        Touch(it->second);
        return it->second.data;
      }
      ++misses_;
    }
    // Read outside the lock: other queries go on meanwhile. Two may load the same
    // organization; the first one in keeps its entry.
    std::optional<T> loaded = load(org);
    if (!loaded) return nullptr;
    auto data = std::make_shared<T>(std::move(*loaded));
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(org); it != entries_.end()) return it->second.data;
    Insert(org, data);
    Evict();  // may drop the new entry itself, when it alone exceeds the budget
    return data;
  }

  // The organization's data when cached (a hit), else null, without loading.
  std::shared_ptr<const T> Peek(const std::string& org) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(org);
    if (it == entries_.end()) return nullptr;
    ++hits_;
    Touch(it->second);
    return it->second.data;
  }

  // For a query that can answer a miss without loading the whole organization: whether this
  // organization missed recently, so that it is worth loading now. An organization asked about
  // once (a scan over many, a one-off) then never displaces one in use.
  bool AdmitOnSecondMiss(const std::string& org) const {
    std::lock_guard lock(mu_);
    if (recent_misses_.erase(org) > 0) return true;
    if (recent_misses_.size() >= kRecentMisses) recent_misses_.clear();
    recent_misses_.insert(org);
    ++misses_;  // answered without loading
    return false;
  }

  // A pinned (or any cached) entry without loading: for staging rows at a flush.
  const T* Cached(const std::string& org) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(org);
    return it == entries_.end() ? nullptr : it->second.data.get();
  }

  // The rows of every pinned entry are written: unpin them and evict down to the budget.
  // `written` first sees each of them, to drop what memory need not keep now that the rows
  // hold it (a model that keeps only active state); it needs the projection's lock exclusively.
  void Flushed(const std::function<void(T&)>& written = {}) {
    std::lock_guard lock(mu_);
    for (const std::string& org : pinned_) {
      auto it = entries_.find(org);
      if (it == entries_.end()) continue;
      if (written) written(*it->second.data);
      it->second.pinned = false;
      bytes_ -= it->second.weight;
      it->second.weight = weigh_(*it->second.data);
      bytes_ += it->second.weight;
    }
    pinned_.clear();
    Evict();
  }

  // Every cached entry (a rebuild in bulk mode has them all: nothing is evicted before its
  // rows are written). Not to be mixed with loads: needs the projection's lock exclusively.
  template <class Fn>
  void ForEach(Fn&& fn) {
    for (auto& [org, entry] : entries_) fn(org, *entry.data);
  }

  CacheStats stats() const {
    std::lock_guard lock(mu_);
    return CacheStats{hits_, misses_, entries_.size(), bytes_, budget_};
  }

 private:
  struct Entry {
    std::shared_ptr<T> data;
    size_t weight = 0;
    bool pinned = false;
    std::list<std::string>::iterator lru;  // in lru_
  };
  using Map = std::unordered_map<std::string, Entry>;

  typename Map::iterator Insert(const std::string& org, std::shared_ptr<T> data) const {
    lru_.push_front(org);
    Entry entry{std::move(data), 0, false, lru_.begin()};
    entry.weight = weigh_(*entry.data);
    bytes_ += entry.weight;
    return entries_.emplace(org, std::move(entry)).first;
  }

  void Touch(const Entry& entry) const { lru_.splice(lru_.begin(), lru_, entry.lru); }

  // Least recently used first; pinned entries stay whatever they weigh.
  void Evict() const {
    auto it = lru_.end();
    while (bytes_ > budget_ && it != lru_.begin()) {
      --it;
      auto e = entries_.find(*it);
      if (e->second.pinned) continue;
      bytes_ -= e->second.weight;
      entries_.erase(e);
      it = lru_.erase(it);
    }
  }

  static constexpr size_t kRecentMisses = 4096;

  const Weigher weigh_;
  mutable std::unordered_set<std::string> recent_misses_;
  mutable std::mutex mu_;
  mutable Map entries_;
  mutable std::list<std::string> lru_;  // most recently used first
  std::vector<std::string> pinned_;
  mutable size_t bytes_ = 0;
  size_t budget_ = SIZE_MAX;
  mutable uint64_t hits_ = 0;
  mutable uint64_t misses_ = 0;
};

}  // namespace roster::projections::internal
