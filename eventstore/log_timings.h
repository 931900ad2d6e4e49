#pragma once
// How long a log's appends and commits take, for operators' metrics (/metrics). Recorded by the
// log itself, because only it knows where an append waits (in the group-commit queue) and what
// the durable write costs (RocksDB's synced write, PostgreSQL's transaction). Lock-free: the
// writer thread and the appending threads record while a scrape reads.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace roster::eventstore {

class DurationHistogram {
 public:
  // Upper bounds of the buckets, seconds: from a write that lands in the page cache (tens of
  // microseconds) to a stalled disk or a PostgreSQL failover (seconds).
  static constexpr std::array<double, 12> kBounds{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                  0.005,   0.01,   0.025,   0.05,   0.25,  2.5};

  void Record(std::chrono::nanoseconds duration) {
    const double seconds = std::chrono::duration<double>(duration).count();
    size_t bucket = 0;
    while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<uint64_t>(duration.count()), std::memory_order_relaxed);
  }

  struct Snapshot {
    std::array<uint64_t, kBounds.size() + 1> buckets{};  // not cumulative; the last is +Inf
    uint64_t count = 0;
    double sum_seconds = 0;
  };
  Snapshot snapshot() const {
    Snapshot s;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      s.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
      s.count += s.buckets[i];
    }
    s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) * 1e-9;
    return s;
  }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_ns_{0};
};

struct LogTimings {
  // One per Append call that reached the writer: from the call until its outcome is known
  // (queueing for a group, deciding, the durable write), whatever the outcome.
  DurationHistogram append;
  // One per group written: the durable write alone (its size is the group-commit size).
  DurationHistogram commit;
};

}  // namespace roster::eventstore
