#include "eventstore/internal/rocks_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <memory>

#include "eventstore/internal/counter_prefix.h"
#include "eventstore/internal/record_format.h"

namespace roster::eventstore::internal {

void CacheMetadataInPartitions(rocksdb::BlockBasedTableOptions& table) {
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
}

namespace {

// The log is written in key order and read in long forward scans: big blocks and a fast
// decompressor help the scans; nobody does point lookups by position except Verify's start
// and ReadStream, which the block index serves well enough.
rocksdb::ColumnFamilyOptions LogOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = 32 * 1024;
  CacheMetadataInPartitions(table);
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compression = rocksdb::kLZ4Compression;
  cf.write_buffer_size = 64 << 20;
  cf.level_compaction_dynamic_level_bytes = true;
  cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<CounterPrefix>();
  return cf;
}

// streams and commands are small point-lookup indexes: the writer probes `commands` for every
// idempotent append (almost always a miss) and `streams` on a head-cache miss, so both get
// bloom filters, also in the memtable.
rocksdb::ColumnFamilyOptions IndexOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                          bool counter_keys) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  CacheMetadataInPartitions(table);
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compression = rocksdb::kLZ4Compression;
  cf.write_buffer_size = 16 << 20;
  cf.memtable_whole_key_filtering = true;
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  cf.level_compaction_dynamic_level_bytes = true;
  if (counter_keys)
    cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<CounterPrefix>();
  return cf;
}

}  // namespace

rocksdb::DBOptions MakeDbOptions(const StoreOptions& options) {
  rocksdb::DBOptions db;
  db.IncreaseParallelism(2);
  db.keep_log_file_num = 5;
  db.max_log_file_size = 16 << 20;
  // Point-in-time recovery (the default) stops at the first damaged WAL record, which after a
  // crash can only be the unsynced tail, i.e. never an acknowledged append.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Rarely written families (meta, and commands under appends without command ids) would
  // otherwise pin old WAL files until the total reached several times all write buffers;
  // this bounds the WAL's disk use and the replay after a crash.
  db.max_total_wal_size = 256u << 20;
  // The log's writer and the read models' writers share this database. RocksDB's default makes
  // a writer waiting behind another group (often a synced one, milliseconds long) spin on
  // sched_yield, which on a machine with few cores takes the CPU the other writers need.
  db.enable_write_thread_adaptive_yield = false;
  if (options.env != nullptr) db.env = options.env;
  return db;
}

std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(
    const std::vector<std::string>& names, const StoreOptions& options) {
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const std::string& name : names) {
    if (name == internal::kLogColumnFamily) {
      out.emplace_back(name, LogOptions(cache));
    } else if (name == internal::kStreamsColumnFamily) {
      out.emplace_back(name, IndexOptions(cache, /*counter_keys=*/true));
    } else if (name == internal::kCommandsColumnFamily) {
      out.emplace_back(name, IndexOptions(cache, /*counter_keys=*/false));
    } else {
      out.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
  }
  return out;
}

std::vector<std::string> RosterColumnFamilyNames() {
  return {std::string(internal::kMetaColumnFamily), std::string(internal::kLogColumnFamily),
          std::string(internal::kStreamsColumnFamily),
          std::string(internal::kCommandsColumnFamily)};
}

}  // namespace roster::eventstore::internal
