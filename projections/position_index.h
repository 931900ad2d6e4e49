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
#include <unordered_map>
#include <vector>

#include "projections/projection.h"

namespace roster::projections {

class PositionIndex {
 public:
  void Add(const std::string& key, eventstore::Position position) {
    pending_[key].push_back(position);
  }
  void Flush(RowSink& sink);
  bool empty() const { return pending_.empty(); }

  // Visits the positions under `key` after `cursor` in ascending order, or (reverse) before
  // `cursor` (0 = the end) in descending order, until `visit` returns false.
  static Result<void> Scan(const Table& table, const std::string& key, eventstore::Position cursor,
                           bool reverse,
                           const std::function<bool(eventstore::Position)>& visit);

  // Every key of the table with all its positions, whatever the chunking (for checks and
  // tools: two tables holding the same index compare equal through this).
  static Result<std::map<std::string, std::vector<eventstore::Position>>> ReadAll(
      const Table& table);

 private:
  std::unordered_map<std::string, std::vector<eventstore::Position>> pending_;
};

}  // namespace roster::projections
