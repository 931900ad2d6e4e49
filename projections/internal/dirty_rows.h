// DirtyRows: which rows of an in-memory model changed since the last flush. A projection
// marks the key of every row an event touched; at flush time it writes the current value of
// each (or deletes it when the row no longer exists), so a row touched by many events in one
// batch, or during a rebuild, is written once. Not thread-safe (used under the projection's lock).
#pragma once

#include <optional>
#include <string>
#include <unordered_set>

#include "projections/projection.h"

namespace roster::projections::internal {

class DirtyRows {
 public:
  void Mark(std::string key) { keys_.insert(std::move(key)); }

  // `row_for(key)` returns the row's current bytes, or nullopt when it should be deleted.
  template <class RowFor>
  void Flush(RowSink& sink, RowFor&& row_for) {
    for (const std::string& key : keys_) {
      std::optional<std::string> row = row_for(key);
      if (row) {
        sink.Put(key, *row);
      } else {
        sink.Delete(key);
      }
    }
    keys_.clear();
  }

  bool empty() const { return keys_.empty(); }

 private:
  std::unordered_set<std::string> keys_;
};

}  // namespace roster::projections::internal
