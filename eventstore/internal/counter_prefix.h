// CounterPrefix: a RocksDB prefix extractor for memtable insert hints.
//
// A key's prefix is everything but its trailing big-endian 64-bit counter (a log position, a
// stream version, the first position of an index chunk). Keys with one prefix arrive in counter
// order, so with `memtable_insert_with_hint_prefix_extractor` set to this the skip list starts
// each insert where the last one of the same prefix went instead of searching from the top.
// Only single-writer write groups use hints (RocksDB ignores them for concurrent inserts).
// Used for the log and streams families; the read models' tables showed no gain from it.
// Stateless, thread-safe.
#pragma once

#include <rocksdb/slice.h>
#include <rocksdb/slice_transform.h>

namespace roster::eventstore::internal {

class CounterPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "roster.CounterPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 8; }
};

}  // namespace roster::eventstore::internal
