// Verify for the PostgreSQL log: the same walk over the hash chain as the RocksDB log's, with
// the same report, plus a check that a row's indexed columns (stream, stream_version) agree with
// the record they index. Internal to eventstore/postgres/.
#pragma once

#include <functional>

#include "eventstore/error.h"
#include "eventstore/postgres/internal/pg_conn.h"
#include "eventstore/postgres/internal/pg_schema.h"
#include "eventstore/record.h"

namespace roster::eventstore::postgres::internal {

// Walks positions [from, to] (from 0 means 1; to 0 means the committed head) in one pass, on
// `conn`, reading in batches. Every read is a statement of its own, so a long verify holds no
// snapshot back and appends continue meanwhile.
Result<VerifyReport> VerifyChain(PGconn* conn, const Statements& sql, Position from, Position to,
                                 const std::function<void(Position)>& progress);

}  // namespace roster::eventstore::postgres::internal
