// Metrics: what the HTTP front end counts, and the Prometheus text exposition of it together
// with the node's status (log and read model positions, model caches) and the process's memory.
//
// Names (docs/http.md lists them):
//   roster_http_requests_total{kind,status,code}     requests by route kind, HTTP status and
//                                                    the protocol's code (OK when none)
//   roster_http_request_duration_seconds{family}     histogram: command, check, query, admin,
//                                                    operator, stream, unmatched
//   roster_http_connections, roster_http_in_flight   gauges
//   roster_log_last_position                         the log's last position
//   roster_projection_position{projection}, roster_projection_lag{projection},
//   roster_projection_ready{projection}, roster_projection_building{projection}
//   roster_model_cache_hits_total{projection}, roster_model_cache_misses_total{projection},
//   roster_model_cache_bytes{projection}, roster_model_cache_orgs{projection}
//   roster_process_resident_memory_bytes
//   roster_log_commit_records                        histogram: records per durable commit
//                                                    (the group-commit size)
//   roster_log_append_duration_seconds               histogram: an append, call to outcome
//                                                    (queueing for a group included)
//   roster_log_commit_duration_seconds               histogram: a group's durable write
//
// Thread-safe: Observe and the gauges may be called from any thread while Render runs.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "api/wire/roster.capnp.h"
#include "eventstore/log_timings.h"

namespace roster::api::http {

class Metrics {
 public:
  // Upper bounds of the latency buckets, seconds: from a cached check (tens of microseconds)
  // to a command waiting on a slow fsync.
  static constexpr std::array<double, 12> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,   0.025,   0.05,   0.1,   0.5,    2.5};

  // `code`: the protocol's error or rejection code of the answer; empty for a success.
  void Observe(std::string_view kind, std::string_view family, unsigned status,
               std::string_view code, double seconds);
  void ConnectionOpened() { connections_++; }
  void ConnectionClosed() { connections_--; }
  void RequestStarted() { in_flight_++; }
  void RequestFinished() { in_flight_--; }
  uint32_t connections() const { return connections_.load(); }
  // Where counting commits starts: the log's last position when the listener is added.
  void CommitsFrom(uint64_t position) { last_commit_ = position; }
  // A durable commit of the log ended at `position` (from its commit listener, on the
  // committing thread: lock-free).
  void Committed(uint64_t position);
  // The log's own append and commit timings (since the log was opened); null leaves them out.
  void TimeLog(const eventstore::LogTimings* timings) { log_timings_ = timings; }

  // Upper bounds of the group-commit size buckets, records.
  static constexpr std::array<uint64_t, 11> kCommitBuckets{1,  2,   4,   8,   16,  32,
                                                           64, 128, 256, 512, 1024};

  // The exposition. `status` is the node's status query answer; null when it failed (then the
  // log and projection series are left out).
  std::string Render(const wire::Status::Reader* status) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // not cumulative; Render sums them
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  struct RequestKey {
    std::string kind;
    unsigned status;
    std::string code;
    auto operator<=>(const RequestKey&) const = default;
  };
  std::map<RequestKey, uint64_t> requests_;                // guarded by mu_
  std::map<std::string, Histogram, std::less<>> latency_;  // guarded by mu_
  std::atomic<uint64_t> last_commit_{0};
  std::array<std::atomic<uint64_t>, kCommitBuckets.size() + 1> commit_buckets_{};  // +Inf last
  std::atomic<uint64_t> commit_records_{0};
  const eventstore::LogTimings* log_timings_ = nullptr;
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> in_flight_{0};
};

// The process's resident set size in bytes (Linux, /proc/self/statm); 0 when unreadable.
uint64_t ResidentBytes();

}  // namespace roster::api::http
