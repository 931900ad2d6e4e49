// RocksDB tuning for the event store's column families, kept in one place so that creating,
// opening and benchmarking a store all use the same settings. Internal to eventstore/.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <string>
#include <vector>

#include "eventstore/rocks_event_store.h"

namespace roster::eventstore::internal {

rocksdb::DBOptions MakeDbOptions(const StoreOptions& options);

// Indexes and bloom filters grow with every key ever written. Kept in the block cache they are
// bounded by it instead, but a whole file's filter is one block, which past a cache shard's size
// (the cache splits its capacity into shards) cannot stay cached and is read again, checksum and
// all, on every lookup. Partitioned, they are cached in small blocks under a pinned top level;
// level 0's stay pinned, the newest keys being read most.
void CacheMetadataInPartitions(rocksdb::BlockBasedTableOptions& table);

// Descriptors for `names` (every family present in the directory, or ours when creating).
// Families that are not ours get RocksDB's defaults.
std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(
    const std::vector<std::string>& names, const StoreOptions& options);

// The names of Roster's column families, in handle order: meta, log, streams, commands.
std::vector<std::string> RosterColumnFamilyNames();

}  // namespace roster::eventstore::internal
