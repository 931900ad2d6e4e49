#include "eventstore/postgres/testing/pg_backend.h"

#include <cstdio>
#include <cstdlib>

namespace roster::eventstore::postgres::testing {

tests::PgTestServer& SharedServer() {
  // Lives until exit, when its destructor stops the server and removes its directory.
  static std::unique_ptr<tests::PgTestServer> server = [] {
    auto started = tests::PgTestServer::Start();
    if (!started) {
      std::fprintf(stderr, "%s\n", started.error().c_str());
      std::abort();
    }
    return std::move(*started);
  }();
  return *server;
}

std::string FreshSchema() {
  static int next = 0;
  return "log_" + std::to_string(++next);
}

std::unique_ptr<PgEventLog> OpenOrDie(const std::string& schema, PgLogOptions options) {
  options.schema = schema;
  auto log = OpenPgEventLog(SharedServer().conninfo(), options);
  if (!log) {
    std::fprintf(stderr, "opening the log in schema %s: %s\n", schema.c_str(),
                 log.error().message.c_str());
    std::abort();
  }
  return std::move(*log);
}

}  // namespace roster::eventstore::postgres::testing
