// roster-admin copy-log: moves a log between backends (a data directory's RocksDB log and a
// PostgreSQL log), with progress, verifying the chain on arrival (eventstore/log_copy.h).
#pragma once

#include <string>

#include "tools/admin/admin_commands.h"

namespace roster::tools::admin {

// Whether `where` names a PostgreSQL log (a postgresql:// URI or a key=value connection
// string) rather than a data directory.
bool IsPostgresLocation(const std::string& where);

// Copies the log at `from` into `to`, which must be empty or missing (a directory) or hold no
// records (a PostgreSQL schema). `schema` is the PostgreSQL schema on either side. Exit code:
// 0 copied and verified, 1 the copy does not verify, 2 an error (said on io.err).
int RunCopyLog(const std::string& from, const std::string& to, const std::string& schema,
               const Streams& io);

}  // namespace roster::tools::admin
