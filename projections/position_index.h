// PositionIndex: "which log positions belong to key K", stored compactly.
//
// Append-only read models (the activity log, login history) keep no copy of what the log
// already holds: they index positions, and queries read the records back from the log. Each
// Flush writes, per key that gained positions since the last one, one chunk row
//   <key> BE64(first position) -> u32 count, then LEB128 deltas
// so a rebuild writes a few rows per key instead of a row per event. Keys are built with
// KeyBuilder (table letter + parts). Not thread-safe (used under the projection's lock);
// Scan is a static read over a table and is thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "projections/internal/key_interner.h"
#include "projections/projection.h"

namespace roster::projections {

class PositionIndex {
 public:
  // Adds `position` under `key`. Keys are interned, so a key seen before costs one lookup and
  // no allocation; the (key, position) pairs are grouped by key only at Flush.
  void Add(std::string_view key, eventstore::Position position) {
    entry_keys_.push_back(keys_.Intern(key));
    entry_positions_.push_back(position);
  }
  void Flush(RowSink& sink);
  bool empty() const { return entry_keys_.empty(); }

  // Visits the positions under `key` after `cursor` in ascending order, or (reverse) before
  // `cursor` (0 = the end) in descending order, until `visit` returns false.
  static Result<void> Scan(const Table& table, const std::string& key, eventstore::Position cursor,
                           bool reverse, const std::function<bool(eventstore::Position)>& visit);

  // Every key of the table with all its positions, whatever the chunking (for checks and
  // tools: two tables holding the same index compare equal through this).
  static Result<std::map<std::string, std::vector<eventstore::Position>>> ReadAll(
      const Table& table);

 private:
  static constexpr size_t kKeepKeys = 4096;  // keys kept interned across flushes, at most
  internal::KeyInterner keys_;
  // Since the last flush, in the order added: the key of each position, and the position.
  std::vector<uint32_t> entry_keys_;
  std::vector<eventstore::Position> entry_positions_;
};

}  // namespace roster::projections
