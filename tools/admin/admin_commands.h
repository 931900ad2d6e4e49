// The roster-admin commands, as functions so that tests run them in-process. Each takes the
// data directory (the one rosterd serves: <dir>/log and <dir>/views), writes its answer to
// `out` and diagnostics/progress to `err`, and returns the process exit code (0 success,
// 1 failure found or operation failed, 2 bad usage or unopenable directory).
//
// Opening (docs/admin.md): read-only commands (verify, as-of, history, export, stats, dump)
// open the log with RocksDB's read-only mode, which takes no lock and writes nothing, so they
// are safe beside a live rosterd and see the log as of their start. rebuild writes views and
// opens read-write, which RocksDB's LOCK file makes exclusive: it refuses a directory that a
// live rosterd holds. Not thread-safe (one command at a time).
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "api/audit_export/audit_export.h"
#include "projections/as_of.h"

namespace roster::tools::admin {

struct Streams {
  std::ostream& out;
  std::ostream& err;
  bool progress = false;  // draw progress bars on err (a terminal)
  // as-of and history: print the API's structs as JSON (api/wire/json.h), the same document
  // `roster as-of org --json` and `roster history --json` print, instead of text.
  bool json = false;
};

int RunVerify(const std::filesystem::path& dir, const Streams& io);
int RunAsOf(const std::filesystem::path& dir, const std::string& org,
            const projections::AsOfPoint& point, const Streams& io);
int RunHistory(const std::filesystem::path& dir, const std::string& user,
               const projections::AsOfPoint& until, const Streams& io);
// `output` "-" writes to io.out.
int RunExport(const std::filesystem::path& dir, const api::audit_export::ExportOptions& options,
              const std::string& output, const Streams& io);
int RunVerifyExport(const std::string& file, const Streams& io);
int RunRebuild(const std::filesystem::path& dir, const std::vector<std::string>& names,
               const Streams& io);
int RunStats(const std::filesystem::path& dir, const Streams& io);
int RunDump(const std::filesystem::path& dir, eventstore::Position from, size_t count,
            const Streams& io);

}  // namespace roster::tools::admin
