// The event log's own durable append load, shared by the benchmarks that compare against it
// (eventstore, and service, which sets commands against it in the same run).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/temp_dir.h"
#include "tools/bench/bench.h"

namespace roster::tools::bench {

// Each of `threads` threads appends one event of `value_bytes` to its own stream, durably, with
// the exact expected version and a unique command id (the full checked, idempotent path), on a
// fresh store under `dir_base` (empty: $TMPDIR or /tmp). Run may be called again: the streams
// go on where they were, so a benchmark can alternate this load with the one it compares.
class DurableAppender {
 public:
  DurableAppender(const std::string& dir_base, int threads, size_t value_bytes);
  LoadResult Run(double seconds);
  eventstore::RocksEventStore::Stats stats() const { return store_->stats(); }

 private:
  eventstore::testing::TempDir dir_;
  std::unique_ptr<eventstore::RocksEventStore> store_;
  int threads_;
  std::string payload_;
  std::vector<eventstore::StreamVersion> heads_;
  std::vector<uint64_t> next_;  // per thread: the number in its next command id
};

// One run of a fresh DurableAppender.
LoadResult DurableAppendLoad(const std::string& dir_base, double seconds, int threads,
                             size_t value_bytes,
                             eventstore::RocksEventStore::Stats* stats = nullptr);

}  // namespace roster::tools::bench
