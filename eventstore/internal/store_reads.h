// The read paths of RocksEventStore, as functions over a StoreCore: the whole log forward,
// one stream forward, a stream's head. Readers see only records at or below
// core.board.last(), i.e. only durable ones.
//
// Thread-safe (RocksDB reads); the core must outlive the call. Internal to eventstore/.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "eventstore/error.h"
#include "eventstore/event_log.h"
#include "eventstore/internal/store_core.h"
#include "eventstore/record.h"

namespace roster::eventstore::internal {

// Records with position in [from, min(last visible, from + max_count - 1)], densely.
Result<std::vector<Record>> ReadAllRecords(const StoreCore& core, Position from, size_t max_count);
// The same records, each parsed in place and passed to `visit`; returns how many.
Result<size_t> VisitAllRecords(const StoreCore& core, Position from, size_t max_count,
                               const RecordVisitor& visit);

// Records of `stream` with version >= from_version, at most max_count.
Result<std::vector<Record>> ReadStreamRecords(const StoreCore& core, std::string_view stream,
                                              StreamVersion from_version, size_t max_count);

// The stream's head version among records at or below `last_visible`, or kNoStreamVersion.
Result<StreamVersion> ReadStreamHead(const StoreCore& core, std::string_view stream,
                                     Position last_visible);

}  // namespace roster::eventstore::internal
