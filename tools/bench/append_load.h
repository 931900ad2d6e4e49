// The event log's own durable append load, shared by the benchmarks that compare against it
// (eventstore, and service: commands must reach 0.8x of it in the same run).
#pragma once

#include <string>

#include "eventstore/rocks_event_store.h"
#include "tools/bench/bench.h"

namespace roster::bench {

// Each of `threads` threads appends one event of `value_bytes` to its own stream, durably, with
// the exact expected version and a unique command id (the full checked, idempotent path), for
// `seconds`, on a fresh store under `dir_base` (empty: $TMPDIR or /tmp).
LoadResult DurableAppendLoad(const std::string& dir_base, double seconds, int threads,
                             size_t value_bytes, eventstore::RocksEventStore::Stats* stats = nullptr);

}  // namespace roster::bench
