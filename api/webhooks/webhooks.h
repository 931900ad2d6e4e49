// Webhooks: rosterd's deliveries of log events to HTTP endpoints an admin registered
// (docs/webhooks.md). Each endpoint has a worker thread that reads the event log from its
// cursor on, in order, skips what its filters leave out, and POSTs each matching event (body:
// payload.h; signature: signature.h) until the endpoint answers 2xx, retrying with exponential
// backoff. Only then does the cursor move, durably: delivery is at least once, across crashes,
// and in log order (so in order per organization). Workers only read the log: commands never
// wait on a webhook, whatever the endpoint does.
//
// Endpoints, cursors and the last attempts live in <data-dir>/webhooks (WebhookStore); the
// current state of each worker (retrying, next retry) only in memory.
//
// Thread-safety: every public method may be called from any thread. Borrows the log and the
// codec, which must outlive it (stop it before closing the log).
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/service/failure.h"
#include "api/webhooks/endpoint.h"
#include "api/webhooks/webhook_store.h"
#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"

namespace boost::asio::ssl {
class context;
}

namespace roster::api::webhooks {

struct WebhookOptions {
  std::chrono::milliseconds retry_base{1000};   // the first retry's delay, doubled each time
  std::chrono::milliseconds retry_max{600000};  // no delay is longer
  std::chrono::milliseconds timeout{10000};     // connect + TLS + write + read, per request
  std::string ca_file;                          // PEM CAs trusted besides the system's
  size_t max_endpoints = 64;
  // How long a caught-up worker waits for an append before looking again (an append wakes it
  // sooner); also how long a stop may wait for an idle worker.
  std::chrono::milliseconds idle_wait{250};
  size_t read_batch = 256;  // records read at a time
};

struct RegisterRequest {
  std::string url;
  std::string org;                       // empty: every organization
  std::vector<std::string> event_types;  // empty: every type
  // 0: only events appended after the registration; N: from position N on (1: the whole log).
  eventstore::Position from_position = 0;
};

// An endpoint and what its worker is doing.
struct EndpointView {
  Endpoint endpoint;  // the secret only in Register's answer
  eventstore::Position cursor = 0;
  std::string state;                 // "idle" (caught up), "delivering", "retrying", "stopped"
  eventstore::Position pending = 0;  // the event being delivered or retried; 0 when idle
  uint32_t failed_attempts = 0;      // of the pending event
  int64_t next_retry_us = 0;         // when retrying
  std::string last_error;            // of the pending event's last attempt
};

struct DeliveriesView {
  EndpointView endpoint;
  std::vector<Attempt> attempts;  // newest first, at most WebhookStore::kKeptAttempts
};

// Counters for /metrics.
struct WebhookCounters {
  uint64_t delivered = 0;  // attempts answered 2xx
  uint64_t failed = 0;     // attempts that were not
  uint64_t endpoints = 0;
  uint64_t backlog = 0;  // records between the slowest cursor and the log's end
};

class Webhooks {
 public:
  // Opens (creates) the store at `dir`; workers start with Start().
  static service::Result<std::unique_ptr<Webhooks>> Open(const std::filesystem::path& dir,
                                                         eventstore::EventLog& log,
                                                         const eventstore::codec::EventCodec& codec,
                                                         std::shared_ptr<spdlog::logger> logger,
                                                         WebhookOptions options = {});
  ~Webhooks();  // Stop()

  void Start();
  // Stops every worker: a request in flight is abandoned (it will be sent again).
  void Stop();

  service::Result<EndpointView> Register(const RegisterRequest& request);
  service::Result<void> Remove(const std::string& id);
  std::vector<EndpointView> List();
  service::Result<DeliveriesView> Deliveries(const std::string& id);
  WebhookCounters Counters();

 private:
  struct Worker;
  Webhooks(eventstore::EventLog& log, const eventstore::codec::EventCodec& codec,
           std::shared_ptr<spdlog::logger> logger, WebhookOptions options);
  void Launch(Worker& worker);
  void Run(Worker& worker);
  // Sends one event until it is delivered (true) or the worker stops (false).
  bool Deliver(Worker& worker, const eventstore::Record& record, const std::string& org);
  static EndpointView ViewOf(Worker& worker);

  eventstore::EventLog& log_;
  const eventstore::codec::EventCodec& codec_;
  std::shared_ptr<spdlog::logger> logger_;
  WebhookOptions options_;
  std::unique_ptr<WebhookStore> store_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // shared by the https endpoints
  std::mutex mutex_;                                // guards workers_ and started_
  std::map<std::string, std::unique_ptr<Worker>> workers_;
  bool started_ = false;
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
};

}  // namespace roster::api::webhooks
