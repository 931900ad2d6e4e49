// AggregateCache: recently used Organization aggregates, bounded, least recently used out.
//
// An Aggregate is the state of one organization's stream at a version, with two locks:
// `command_mu` serializes commands on the organization (decide, append, apply), and
// `state_mu` guards the state itself, held only briefly, so that logins can read membership
// while a command waits for its append to be durable. Evicting an aggregate in use is safe:
// its holder keeps it alive, and a second copy loaded meanwhile is kept honest by the event
// log's expected-version check. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "domain/activity.h"
#include "domain/organization_state.h"
#include "eventstore/record.h"

namespace roster::api::service {

struct Aggregate {
  std::mutex command_mu;
  mutable std::shared_mutex state_mu;
  std::atomic<bool> loaded{false};  // written under command_mu
  domain::OrganizationState state;
  eventstore::StreamVersion version = eventstore::kNoStreamVersion;
  eventstore::Position last_position = 0;  // of the stream's head record
  eventstore::StreamVersion snapshot_version = eventstore::kNoStreamVersion;
  std::mutex activity_mu;
  domain::ActivityState activity;  // coalescing memory for last-active marks (a cache)
};

class AggregateCache {
 public:
  explicit AggregateCache(size_t capacity, size_t shards = 16);
  // The cached aggregate, or a new unloaded one.
  std::shared_ptr<Aggregate> Get(const domain::OrgId& org);
  void Erase(const domain::OrgId& org);
  void Clear();
  size_t size() const;

 private:
  struct Shard {
    mutable std::mutex mu;
    std::list<domain::OrgId> lru;  // front = most recent
    std::unordered_map<domain::OrgId,
                       std::pair<std::shared_ptr<Aggregate>, std::list<domain::OrgId>::iterator>,
                       domain::IdHash>
        map;
  };
  Shard& ShardFor(const domain::OrgId& org);
  size_t per_shard_;
  std::vector<Shard> shards_;
};

}  // namespace roster::api::service
