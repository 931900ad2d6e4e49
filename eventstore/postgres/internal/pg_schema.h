// The log's tables in PostgreSQL and every statement run against them, in one place (the
// layout is described in docs/eventstore.md, "The log on PostgreSQL"):
//
//   <schema>.meta      (key text primary key, value text)        format_version = '1'
//   <schema>.head      one row: position, hash, time_us of the last record. Appending
//                      transactions lock it first (SELECT ... FOR UPDATE) and update it last,
//                      so they commit one after another in position order: positions are
//                      gap-free and a reader never sees a later position without the earlier.
//   <schema>.events    (position bigint primary key, stream bytea, stream_version bigint,
//                      record bytea), unique (stream, stream_version). `record` is the record
//                      exactly as the RocksDB log stores it (body, prev_hash, hash), so the hash
//                      chain is the same on both backends.
//   <schema>.commands  (command_id bytea primary key, stream bytea, first/last position and
//                      version): the first outcome of every append made with a command id.
//
// Internal to eventstore/postgres/.
#pragma once

#include <libpq-fe.h>

#include <string>

#include "eventstore/error.h"

namespace roster::eventstore::postgres::internal {

// Raised when the layout changes; a binary refuses a schema with a newer one.
constexpr int kFormatVersion = 1;

// Whether `schema` is usable as it stands in SQL text: lower-case letters, digits and '_',
// not starting with a digit, at most 50 bytes (so that the channel name built from it fits
// PostgreSQL's 63-byte identifiers). Statements splice it unquoted.
bool ValidSchemaName(const std::string& schema);

// Creates the schema and its tables when missing (when allowed), then checks the format
// version. Concurrent openers on one database are serialised by an advisory lock. kNotARosterStore
// when the schema is missing and may not be created, or holds something else; kNewerFormat
// when a newer binary made it.
Result<void> EnsureSchema(PGconn* conn, const std::string& schema, bool create_if_missing);

// The statements, with the schema name in place. Parameters are numbered as documented.
struct Statements {
  explicit Statements(const std::string& schema);

  std::string channel;      // the NOTIFY channel appending transactions signal on
  std::string listen;       // LISTEN <channel>
  std::string lock_head;    // -> position, hash, time_us; holds the append lock until commit
  std::string read_head;    // -> position
  std::string commands_of;  // $1 bytea[] command ids -> command_id, stream, 4 x int8
  std::string heads_of;     // $1 bytea[] streams -> stream, max version (null: no stream)
  // $1 int8[] positions, $2 bytea[] streams, $3 int8[] versions, $4 bytea[] records,
  // $5 bytea[] command ids, $6 bytea[] their streams, $7..$10 int8[] first/last position and
  // version, $11 int8 new head position, $12 bytea head hash, $13 int8 head time,
  // $14 text channel, $15 text payload (the new head position).
  std::string write_group;
  std::string read_all;      // $1 from position, $2 limit -> position, record
  std::string read_stream;   // $1 stream, $2 from version, $3 limit -> position, record
  std::string stream_head;   // $1 stream -> max version (null: no stream)
  std::string find_command;  // $1 command id -> stream, first/last position, first/last version
  std::string verify_range;  // $1 from, $2 to -> position, stream, stream_version, record
};

}  // namespace roster::eventstore::postgres::internal
