// WebhookStore: the webhooks' own RocksDB database, <data-dir>/webhooks (apart from the views,
// which a rebuild wipes): each endpoint, its delivery cursor (the last log position delivered or
// skipped) and its last kKeptAttempts delivery attempts. Key layout in docs/webhooks.md.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/service/failure.h"
#include "api/webhooks/endpoint.h"

namespace rocksdb {
class DB;
}

namespace roster::api::webhooks {

using service::Result;

// One try at delivering one event.
struct Attempt {
  eventstore::Position position = 0;
  std::string event_type;
  std::string org;
  int64_t time_us = 0;   // when it started
  unsigned status = 0;   // the HTTP status; 0 when there was no answer
  std::string error;     // why not delivered: no answer, or the status's reason
  uint32_t attempt = 1;  // 1 for the first try of this event, then 2, 3...
  int64_t duration_us = 0;
  bool delivered = false;  // a 2xx answer
};

class WebhookStore {
 public:
  static constexpr size_t kKeptAttempts = 100;

  static Result<std::unique_ptr<WebhookStore>> Open(const std::filesystem::path& dir);
  ~WebhookStore();

  // Every endpoint with its cursor.
  Result<std::vector<std::pair<Endpoint, eventstore::Position>>> Load();
  // Adds an endpoint with its cursor at endpoint.start_after; durable when it returns.
  Result<void> Add(const Endpoint& endpoint);
  // Forgets the endpoint, its cursor and its attempts; durable when it returns.
  Result<void> Remove(const std::string& id);
  // `sync`: durable before it returns (after a delivery); a skip over records that did not
  // match may be lost in a crash and is then only done again.
  Result<void> SetCursor(const std::string& id, eventstore::Position cursor, bool sync);
  Result<void> AddAttempt(const std::string& id, const Attempt& attempt);
  // Newest first.
  Result<std::vector<Attempt>> Attempts(const std::string& id);

 private:
  explicit WebhookStore(rocksdb::DB* db) : db_(db) {}
  rocksdb::DB* db_;
  std::mutex mutex_;                              // guards next_attempt_
  std::map<std::string, uint64_t> next_attempt_;  // per endpoint: the next attempt's sequence
};

}  // namespace roster::api::webhooks
