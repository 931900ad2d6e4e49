// StorageMemory: what RocksDB holds in memory for one database.
//
// Write buffers, block cache and the index and filter blocks of open tables fill as the data
// grows, up to each store's settings; an operator reads them beside the process's RSS to tell
// memory that is filling toward a bound from memory that grows without one.
#pragma once

#include <cstdint>

namespace roster::eventstore {

struct StorageMemory {
  uint64_t memtable_bytes = 0;      // every column family's write buffers, flushing ones included
  uint64_t block_cache_bytes = 0;   // the block cache's charge (shared by the database's families)
  uint64_t table_reader_bytes = 0;  // open tables' indexes and filters kept outside the cache
};

}  // namespace roster::eventstore
