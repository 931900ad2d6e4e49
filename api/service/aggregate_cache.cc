#include "api/service/aggregate_cache.h"

namespace roster::api::service {

AggregateCache::AggregateCache(size_t capacity, size_t shards)
    : per_shard_(std::max<size_t>(1, capacity / std::max<size_t>(1, shards))),
      shards_(std::max<size_t>(1, shards)) {}

AggregateCache::Shard& AggregateCache::ShardFor(const domain::OrgId& org) {
  return shards_[domain::IdHash{}(org) % shards_.size()];
}

std::shared_ptr<Aggregate> AggregateCache::Get(const domain::OrgId& org) {
  Shard& s = ShardFor(org);
  std::lock_guard lock(s.mu);
  if (auto it = s.map.find(org); it != s.map.end()) {
    s.lru.splice(s.lru.begin(), s.lru, it->second.second);
    return it->second.first;
  }
  auto aggregate = std::make_shared<Aggregate>();
  s.lru.push_front(org);
  s.map.emplace(org, std::make_pair(aggregate, s.lru.begin()));
  while (s.map.size() > per_shard_) {
    s.map.erase(s.lru.back());
    s.lru.pop_back();
  }
  return aggregate;
}

void AggregateCache::Erase(const domain::OrgId& org) {
  Shard& s = ShardFor(org);
  std::lock_guard lock(s.mu);
  if (auto it = s.map.find(org); it != s.map.end()) {
    s.lru.erase(it->second.second);
    s.map.erase(it);
  }
}

void AggregateCache::Clear() {
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    s.map.clear();
    s.lru.clear();
  }
}

size_t AggregateCache::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.map.size();
  }
  return n;
}

}  // namespace roster::api::service
