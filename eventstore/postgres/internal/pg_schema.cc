#include "eventstore/postgres/internal/pg_schema.h"

#include <algorithm>
#include <cctype>

#include "eventstore/postgres/internal/pg_conn.h"

namespace roster::eventstore::postgres::internal {
namespace {

std::string Replace(std::string text, const std::string& schema) {
  for (size_t at = text.find("$S"); at != std::string::npos; at = text.find("$S", at)) {
    text.replace(at, 2, schema);
    at += schema.size();
  }
  return text;
}

// Creation is idempotent (IF NOT EXISTS, ON CONFLICT DO NOTHING); the advisory lock keeps two
// nodes that start together from racing on the catalog, where IF NOT EXISTS alone can still
// fail with a unique violation.
constexpr const char* kCreate = R"(
BEGIN;
SELECT pg_advisory_xact_lock(hashtext('roster.schema.$S'));
CREATE SCHEMA IF NOT EXISTS $S;
CREATE TABLE IF NOT EXISTS $S.meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO $S.meta VALUES ('format_version', '1') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS $S.head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  position bigint NOT NULL,
  hash bytea NOT NULL,
  time_us bigint NOT NULL);
INSERT INTO $S.head VALUES (true, 0, decode(repeat('00', 32), 'hex'), 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS $S.events (
  position bigint PRIMARY KEY,
  stream bytea NOT NULL,
  stream_version bigint NOT NULL,
  record bytea NOT NULL,
  UNIQUE (stream, stream_version));
CREATE TABLE IF NOT EXISTS $S.commands (
  command_id bytea PRIMARY KEY,
  stream bytea NOT NULL,
  first_position bigint NOT NULL,
  last_position bigint NOT NULL,
  first_version bigint NOT NULL,
  last_version bigint NOT NULL);
COMMIT;
)";

}  // namespace

bool ValidSchemaName(const std::string& schema) {
  if (schema.empty() || schema.size() > 50) return false;
  if (schema[0] >= '0' && schema[0] <= '9') return false;
  for (char c : schema) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<void> EnsureSchema(PGconn* conn, const std::string& schema, bool create_if_missing) {
  Params params;
  params.Text(schema);
  auto exists = Exec(conn,
                     "SELECT to_regclass($1 || '.meta') IS NOT NULL, "
                     "(SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = $1)",
                     params, "looking for the log's tables");
  if (!exists) return std::unexpected(exists.error());
  const bool has_meta = *PQgetvalue(exists->get(), 0, 0) != 0;
  if (!has_meta) {
    // Someone else's tables: never mix the log into them.
    if (Int8(exists->get(), 0, 1) != 0) {
      return Fail(
          ErrorCode::kNotARosterStore,
          "schema " + schema + " holds tables but no Roster log (no table " + schema + ".meta)");
    }
    if (!create_if_missing) {
      return Fail(ErrorCode::kNotARosterStore,
                  "schema " + schema + " holds no Roster log (no table " + schema + ".meta)");
    }
    auto created = ExecText(conn, Replace(kCreate, schema).c_str(), "creating the log's tables");
    if (!created) {
      // A failed statement leaves the transaction aborted; end it so the connection stays usable.
      PQclear(PQexec(conn, "ROLLBACK"));
      return std::unexpected(created.error());
    }
  }
  auto version = ExecText(
      conn, Replace("SELECT value FROM $S.meta WHERE key = 'format_version'", schema).c_str(),
      "reading the log's format version");
  if (!version) return std::unexpected(version.error());
  if (PQntuples(version->get()) != 1) {
    return Fail(ErrorCode::kNotARosterStore,
                "schema " + schema + " holds a meta table without a Roster format version");
  }
  const std::string text = PQgetvalue(version->get(), 0, 0);
  if (text != std::to_string(kFormatVersion)) {
    const bool newer = std::all_of(text.begin(), text.end(),
                                   [](unsigned char c) { return std::isdigit(c) != 0; }) &&
                       !text.empty() && std::stoll(text) > kFormatVersion;
    return Fail(newer ? ErrorCode::kNewerFormat : ErrorCode::kNotARosterStore,
                "schema " + schema + " holds log format version " + text + "; this binary reads " +
                    std::to_string(kFormatVersion));
  }
  return {};
}

Statements::Statements(const std::string& schema)
    : channel(schema + "_log"),
      listen("LISTEN " + channel),
      lock_head(Replace("SELECT position, hash, time_us FROM $S.head FOR UPDATE", schema)),
      read_head(Replace("SELECT position FROM $S.head", schema)),
      commands_of(Replace(
          "SELECT command_id, stream, first_position, last_position, first_version, last_version "
          "FROM $S.commands WHERE command_id = ANY($1::bytea[])",
          schema)),
      // One index probe per stream (the max of (stream, stream_version) is the last entry).
      heads_of(Replace("SELECT s, (SELECT max(stream_version) FROM $S.events WHERE stream = s) "
                       "FROM unnest($1::bytea[]) AS u(s)",
                       schema)),
      write_group(Replace(
          "WITH e AS (INSERT INTO $S.events (position, stream, stream_version, record) "
          "  SELECT * FROM unnest($1::int8[], $2::bytea[], $3::int8[], $4::bytea[])), "
          "c AS (INSERT INTO $S.commands (command_id, stream, first_position, last_position, "
          "  first_version, last_version) "
          "  SELECT * FROM unnest($5::bytea[], $6::bytea[], $7::int8[], $8::int8[], $9::int8[], "
          "  $10::int8[])), "
          "h AS (UPDATE $S.head SET position = $11, hash = $12, time_us = $13) "
          "SELECT pg_notify($14, $15)",
          schema)),
      read_all(Replace(
          "SELECT position, record FROM $S.events WHERE position >= $1 ORDER BY position LIMIT $2",
          schema)),
      read_stream(Replace("SELECT position, record FROM $S.events WHERE stream = $1 AND "
                          "stream_version >= $2 ORDER BY stream_version LIMIT $3",
                          schema)),
      stream_head(Replace("SELECT max(stream_version) FROM $S.events WHERE stream = $1", schema)),
      find_command(Replace("SELECT stream, first_position, last_position, first_version, "
                           "last_version FROM $S.commands WHERE command_id = $1",
                           schema)),
      verify_range(Replace("SELECT position, stream, stream_version, record FROM $S.events "
                           "WHERE position BETWEEN $1 AND $2 ORDER BY position",
                           schema)) {}

}  // namespace roster::eventstore::postgres::internal
