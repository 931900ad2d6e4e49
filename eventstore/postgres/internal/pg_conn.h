// Thin, value-returning helpers over libpq: connections and results as owning handles,
// parameters sent in binary, binary results read back, and libpq/server errors turned into
// eventstore Errors (kUnavailable when the server cannot be reached or went away, kIoError
// otherwise). Nothing here knows the log's schema.
//
// A PGconn is used by one thread at a time; the helpers add no locking. Internal to
// eventstore/postgres/.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eventstore/error.h"

namespace roster::eventstore::postgres::internal {

struct ConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;

struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultClearer>;

// Connects to `conninfo` (a URI or key=value string, libpq's multi-host forms included). Roster's
// defaults (connect timeout, TCP keepalives, application_name) come first, so that whatever the
// conninfo says wins. kUnavailable with libpq's message when no server answers.
Result<Conn> Connect(const std::string& conninfo, std::chrono::seconds connect_timeout);

// Whether the connection is gone (the server closed it, crashed or is unreachable).
bool Broken(PGconn* conn);

// Parameters of one statement, sent in binary with explicit types, so that no value is ever
// spliced into SQL text and bytea needs no escaping. Not copyable: it holds pointers into itself.
class Params {
 public:
  Params() = default;
  Params(const Params&) = delete;
  Params& operator=(const Params&) = delete;

  Params& Int8(int64_t value);
  Params& Bytea(std::string_view value);
  Params& Text(std::string_view value);
  Params& Int8Array(const std::vector<int64_t>& values);
  Params& ByteaArray(const std::vector<std::string_view>& values);

  int count() const { return static_cast<int>(types_.size()); }
  const Oid* types() const { return types_.data(); }
  // Valid until the next call that adds a parameter.
  const char* const* values();
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void Add(Oid type, std::string bytes);

  std::vector<Oid> types_;
  std::vector<std::string> bytes_;
  std::vector<const char*> pointers_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// Runs one statement with binary parameters and binary results. Fails unless the server
// answered with rows or "command ok"; `doing` says what for, in the message.
Result<PgResult> Exec(PGconn* conn, const char* sql, Params& params, std::string_view doing);
// The same without parameters, with text results (schema statements, BEGIN, COMMIT).
Result<PgResult> ExecText(PGconn* conn, const char* sql, std::string_view doing);

// Reading binary results. The views borrow from the result.
inline bool IsNull(const PGresult* result, int row, int column) {
  return PQgetisnull(result, row, column) != 0;
}
std::string_view Bytes(const PGresult* result, int row, int column);
int64_t Int8(const PGresult* result, int row, int column);

}  // namespace roster::eventstore::postgres::internal
