// The event log's test suite on the PostgreSQL backend: a fresh schema per test, on the
// binary's private server.
#include "eventstore/postgres/testing/pg_backend.h"

namespace roster::eventstore::testing {

std::vector<LogBackendParam> LogBackends() {
  return {{"PostgreSQL",
           [] { return std::unique_ptr<LogBackend>(new postgres::testing::PgBackend()); }}};
}

}  // namespace roster::eventstore::testing
