// Verify: walks the hash chain over a range of positions and names the first record that is
// missing, undecodable, stored under the wrong position, linked to the wrong predecessor, or
// whose hash does not match its bytes.
//
// Thread-safe (RocksDB reads only); may run while appends continue. Internal to eventstore/.
#pragma once

#include <functional>

#include "eventstore/error.h"
#include "eventstore/internal/store_core.h"
#include "eventstore/record.h"

namespace roster::eventstore::internal {

// [from, to] with from = 0 meaning 1 and to = 0 meaning the last durable position. A range
// that starts after 1 is anchored on the stored hash of record from - 1.
Result<VerifyReport> VerifyChain(const StoreCore& core, Position from, Position to,
                                 const std::function<void(Position)>& progress);

}  // namespace roster::eventstore::internal
