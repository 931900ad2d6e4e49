// RocksEventStore: the embedded EventLog on a local RocksDB directory.
//
// Durable by default: an append returns once its WAL is synced. Concurrent appends are
// group-committed by one writer thread (one RocksDB write and one sync for many appends).
// After a RocksDB I/O error the store stops accepting writes (kStoreFailed) rather than carry on
// in an unknown state; reads keep working. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>

#include "eventstore/event_log.h"

namespace roster::eventstore {

struct StoreOptions {
  // Sync the WAL before acknowledging an append. Only benchmarks and throwaway tests turn it off.
  bool sync = true;
  // Create the store when the directory is missing or empty.
  bool create_if_missing = true;
  // Open without writing anything (verify, dump, as-of on a copy). Append fails.
  bool read_only = false;
  // Upper bound on the appends folded into one group commit.
  size_t max_group_appends = 1024;
  // RocksDB block cache, bytes.
  size_t block_cache_bytes = 64u << 20;
};

class RocksEventStore;

// Opens (or creates) a store in `dir`. Refuses a directory that holds something other than a
// Roster store, or a store written by a newer format version, with a message saying which.
Result<std::unique_ptr<RocksEventStore>> OpenRocksEventStore(const std::filesystem::path& dir,
                                                             const StoreOptions& options = {});

}  // namespace roster::eventstore
