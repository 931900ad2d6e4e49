#include "eventstore/postgres/internal/pg_conn.h"

#include <endian.h>

#include <cstring>

namespace roster::eventstore::postgres::internal {
namespace {

// Type OIDs of the built-in types used here (pg_type.dat; fixed since PostgreSQL 7).
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8ArrayOid = 1016;
constexpr Oid kByteaArrayOid = 1001;

std::string Trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void PutBe32(std::string& out, uint32_t value) {
  const uint32_t be = htobe32(value);
  out.append(reinterpret_cast<const char*>(&be), 4);
}

void PutBe64(std::string& out, uint64_t value) {
  const uint64_t be = htobe64(value);
  out.append(reinterpret_cast<const char*>(&be), 8);
}

// The binary array format of array_send(): dimensions, a null flag, the element type, then each
// element as length + bytes.
template <class Each>
std::string BinaryArray(Oid element_type, size_t count, Each each) {
  std::string out;
  PutBe32(out, count == 0 ? 0 : 1);  // dimensions: an empty array has none
  PutBe32(out, 0);                   // no nulls
  PutBe32(out, element_type);
  if (count != 0) {
    PutBe32(out, static_cast<uint32_t>(count));
    PutBe32(out, 1);  // lower bound
  }
  for (size_t i = 0; i < count; ++i) each(out, i);
  return out;
}

// Classes of SQLSTATE that mean "this server cannot serve us now", rather than "this statement
// is wrong": connection exceptions, the server shutting down or starting, and a read-only
// server (a standby a failover has not promoted yet).
bool UnavailableState(const char* state) {
  if (state == nullptr) return false;
  const std::string_view s(state);
  return s.starts_with("08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "25006";
}

Result<PgResult> Checked(PGconn* conn, PGresult* raw, std::string_view doing) {
  PgResult result(raw);
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return result;
  const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  const std::string message =
      Trimmed(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn));
  const ErrorCode code =
      Broken(conn) || UnavailableState(state) ? ErrorCode::kUnavailable : ErrorCode::kIoError;
  return Fail(code, std::string(doing) + ": " +
                        (message.empty() ? Trimmed(PQerrorMessage(conn)) : message));
}

}  // namespace

Result<Conn> Connect(const std::string& conninfo, std::chrono::seconds connect_timeout) {
  const std::string timeout = std::to_string(connect_timeout.count());
  // Keepalives bound how long a connection to a vanished host (no RST ever comes) looks alive;
  // tcp_user_timeout bounds how long unacknowledged data (a COMMIT) waits for such a host.
  // idle_in_transaction_session_timeout makes the server end a session whose client vanished
  // mid-transaction: an appender holds the log's head lock, and every other appender of every
  // node would wait on it until the server's own keepalives (hours by default) noticed. Our
  // transactions are never idle longer than a round trip. The conninfo comes last (`dbname`,
  // expanded), so whatever it says wins.
  const char* keywords[] = {"connect_timeout",
                            "application_name",
                            "keepalives",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "tcp_user_timeout",
                            "options",
                            "dbname",
                            nullptr};
  const char* values[] = {timeout.c_str(),
                          "roster",
                          "1",
                          "10",
                          "5",
                          "3",
                          "30000",
                          "-c idle_in_transaction_session_timeout=10000",
                          conninfo.c_str(),
                          nullptr};
  Conn conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (!conn) return Fail(ErrorCode::kUnavailable, "connecting to PostgreSQL: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Fail(ErrorCode::kUnavailable,
                "connecting to PostgreSQL: " + Trimmed(PQerrorMessage(conn.get())));
  }
  return conn;
}

bool Broken(PGconn* conn) { return conn == nullptr || PQstatus(conn) == CONNECTION_BAD; }

void Params::Add(Oid type, std::string bytes) {
  types_.push_back(type);
  lengths_.push_back(static_cast<int>(bytes.size()));
  formats_.push_back(1);
  bytes_.push_back(std::move(bytes));
}

Params& Params::Int8(int64_t value) {
  std::string bytes;
  PutBe64(bytes, static_cast<uint64_t>(value));
  Add(kInt8Oid, std::move(bytes));
  return *this;
}

Params& Params::Bytea(std::string_view value) {
  Add(kByteaOid, std::string(value));
  return *this;
}

Params& Params::Text(std::string_view value) {
  Add(kTextOid, std::string(value));
  return *this;
}

Params& Params::Int8Array(const std::vector<int64_t>& values) {
  Add(kInt8ArrayOid, BinaryArray(kInt8Oid, values.size(), [&](std::string& out, size_t i) {
        PutBe32(out, 8);
        PutBe64(out, static_cast<uint64_t>(values[i]));
      }));
  return *this;
}

Params& Params::ByteaArray(const std::vector<std::string_view>& values) {
  Add(kByteaArrayOid, BinaryArray(kByteaOid, values.size(), [&](std::string& out, size_t i) {
        PutBe32(out, static_cast<uint32_t>(values[i].size()));
        out.append(values[i]);
      }));
  return *this;
}

const char* const* Params::values() {
  pointers_.clear();
  for (const std::string& bytes : bytes_) pointers_.push_back(bytes.data());
  return pointers_.data();
}

Result<PgResult> Exec(PGconn* conn, const char* sql, Params& params, std::string_view doing) {
  PGresult* raw = PQexecParams(conn, sql, params.count(), params.types(), params.values(),
                               params.lengths(), params.formats(), /*resultFormat=*/1);
  return Checked(conn, raw, doing);
}

Result<PgResult> ExecText(PGconn* conn, const char* sql, std::string_view doing) {
  return Checked(conn, PQexec(conn, sql), doing);
}

std::string_view Bytes(const PGresult* result, int row, int column) {
  return {PQgetvalue(result, row, column), static_cast<size_t>(PQgetlength(result, row, column))};
}

int64_t Int8(const PGresult* result, int row, int column) {
  uint64_t be;
  std::memcpy(&be, PQgetvalue(result, row, column), 8);
  return static_cast<int64_t>(be64toh(be));
}

}  // namespace roster::eventstore::postgres::internal
