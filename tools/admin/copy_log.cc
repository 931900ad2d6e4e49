#include "tools/admin/copy_log.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "eventstore/log_copy.h"
#include "eventstore/postgres/pg_event_log.h"
#include "eventstore/rocks_event_store.h"
#include "tools/admin/open_data_dir.h"

namespace roster::tools::admin {
namespace {

namespace es = roster::eventstore;

std::unique_ptr<es::EventLog> OpenPg(const std::string& conninfo, const std::string& schema,
                                     bool create, std::ostream& err) {
  es::postgres::PgLogOptions options;
  options.schema = schema;
  options.create_if_missing = create;
  auto log = es::postgres::OpenPgEventLog(conninfo, options);
  if (!log) {
    err << "roster-admin copy-log: cannot open the PostgreSQL log (schema " << schema
        << "): " << log.error().message << "\n";
    return nullptr;
  }
  return std::move(*log);
}

// A new data directory's log: refused when the directory holds anything, so that a copy never
// lands beside (or into) another log.
std::unique_ptr<es::EventLog> CreateDirLog(const std::filesystem::path& dir, std::ostream& err) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    err << "roster-admin copy-log: " << dir.string() << " is not empty\n";
    return nullptr;
  }
  auto store = es::OpenRocksEventStore(dir / "log");
  if (!store) {
    err << "roster-admin copy-log: cannot create " << (dir / "log").string() << ": "
        << store.error().message << "\n";
    return nullptr;
  }
  return std::move(*store);
}

}  // namespace

bool IsPostgresLocation(const std::string& where) {
  return where.starts_with("postgresql://") || where.starts_with("postgres://") ||
         where.find('=') != std::string::npos;
}

int RunCopyLog(const std::string& from, const std::string& to, const std::string& schema,
               const Streams& io) {
  std::unique_ptr<es::EventLog> source =
      IsPostgresLocation(from) ? OpenPg(from, schema, /*create=*/false, io.err)
                               : std::unique_ptr<es::EventLog>(OpenLogReadOnly(from, io.err));
  if (!source) return 2;
  std::unique_ptr<es::EventLog> target = IsPostgresLocation(to)
                                             ? OpenPg(to, schema, /*create=*/true, io.err)
                                             : CreateDirLog(to, io.err);
  if (!target) return 2;
  const auto start = std::chrono::steady_clock::now();
  auto copied = es::CopyLog(*source, *target, [&](es::Position done, es::Position total) {
    if (io.progress) DrawProgress(io.err, "copy-log", done, total);
  });
  if (io.progress) io.err << "\n";
  if (!copied) {
    io.err << "roster-admin copy-log: " << copied.error().message << "\n";
    return 2;
  }
  if (!copied->verified.ok) {
    io.out << "copy-log: the copy does NOT verify at position " << copied->verified.first_bad
           << ": " << copied->verified.problem << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.0f", seconds > 0 ? copied->records / seconds : 0.0);
  io.out << "copy-log: ok, " << copied->records << " records in " << copied->appends
         << " appends, chain verified, head " << es::HashHex(copied->verified.last_hash) << " ("
         << rate << " records/s)\n";
  return 0;
}

}  // namespace roster::tools::admin
