// Test helpers for the PostgreSQL log: one private server per test binary (started on first
// use, stopped at exit), a fresh schema per log so that tests never see each other's records,
// and the LogBackend that runs the event log's test suite on it.
//
// Not thread-safe: call from the test's main thread.
#pragma once

#include <memory>
#include <string>

#include "eventstore/postgres/pg_event_log.h"
#include "eventstore/testing/log_backend.h"
#include "tests/support/pg_server.h"

namespace roster::eventstore::postgres::testing {

// The binary's server; aborts with the script's output when it cannot start.
tests::PgTestServer& SharedServer();
// A schema name no other log of this binary uses.
std::string FreshSchema();
// Opens the log in `schema` on the shared server, or aborts saying why.
std::unique_ptr<PgEventLog> OpenOrDie(const std::string& schema, PgLogOptions options = {});

class PgBackend final : public eventstore::testing::LogBackend {
 public:
  PgBackend() : schema_(FreshSchema()) {}
  std::unique_ptr<EventLog> Open() override { return OpenOrDie(schema_); }
  eventstore::testing::LogStats Stats(EventLog& log) override {
    const auto s = static_cast<PgEventLog&>(log).stats();
    return {s.appends, s.duplicates, s.rejected, s.commits};
  }
  void Close(EventLog& log) override { static_cast<PgEventLog&>(log).Close(); }
  const std::string& schema() const { return schema_; }

 private:
  std::string schema_;
};

}  // namespace roster::eventstore::postgres::testing
