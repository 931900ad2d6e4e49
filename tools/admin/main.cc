// roster-admin: offline audit and maintenance over a Roster data directory.
//   verify | as-of | history | export | verify-export | rebuild | stats | dump | copy-log
// See docs/admin.md for each command and for which ones run beside a live rosterd.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "api/wire/time.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/copy_log.h"
#include "tools/cli_checks.h"

namespace {

using namespace roster::tools::admin;

std::optional<int64_t> TimeOption(const std::string& text, const char* name) {
  if (text.empty()) return std::nullopt;
  auto t = roster::api::wire::ParseTime(text);
  if (!t) throw CLI::ValidationError(name, t.error());
  return *t;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"roster-admin: offline audit and maintenance of a Roster data directory"};
  app.require_subcommand(1);
  std::string data_dir = "./var/roster";
  app.add_option("--data-dir", data_dir, "the data directory (holds log/ and views/)")
      ->capture_default_str();
  Streams io{std::cout, std::cerr, isatty(STDERR_FILENO) != 0};
  int code = 0;

  auto* verify = app.add_subcommand("verify",
                                    "walk the whole hash chain; exit 1 naming the "
                                    "first bad position");
  verify->callback([&] { code = RunVerify(data_dir, io); });

  std::string org, user, at, until, from, to, format = "jsonl", output = "-";
  uint64_t position = 0, count = 100;
  auto* as_of = app.add_subcommand("as-of",
                                   "an organization's members, roles, pending "
                                   "invitations and project access at a time/position");
  as_of->add_option("org", org, "organization id")->required();
  as_of->add_option(
      "--at", at,
      "a time (UTC), e.g. 2026-03-01 or 2026-03-01T12:30:00Z (all forms: docs/admin.md)");
  as_of->add_option("--position", position, "a log position")->check(roster::tools::NotNegative());
  as_of->add_flag("--json", io.json, "one JSON document, as `roster as-of org --json` prints");
  as_of->callback([&] { code = RunAsOf(data_dir, org, {position, TimeOption(at, "--at")}, io); });

  auto* history = app.add_subcommand("history", "every change to one user's access, all orgs");
  history->add_option("user", user, "user id")->required();
  history->add_option("--until", until, "stop at this time (UTC)");
  history->add_flag("--json", io.json, "a JSON array, as `roster history --json` prints");
  history->callback([&] {
    code = RunHistory(data_dir, user, {0, TimeOption(until, "--until")}, io);
  });

  auto* exporter = app.add_subcommand("export",
                                      "the activity log with its hash chain, as "
                                      "JSON Lines or CSV (verify it with verify-export)");
  exporter->add_option("--org", org, "only this organization");
  exporter->add_option("--from", from, "from this time (UTC, inclusive)");
  exporter->add_option("--to", to, "to this time (UTC, exclusive)");
  exporter->add_option("--format", format, "jsonl or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  exporter->add_option("-o,--output", output, "file to write, - for stdout")->capture_default_str();
  exporter->callback([&] {
    using roster::api::audit_export::ExportFormat;
    roster::api::audit_export::ExportOptions options;
    options.format = format == "csv" ? ExportFormat::kCsv : ExportFormat::kJsonLines;
    if (!org.empty()) options.org = org;
    if (auto t = TimeOption(from, "--from")) options.from_us = *t;
    if (auto t = TimeOption(to, "--to")) options.to_us = *t;
    code = RunExport(data_dir, options, output, io);
  });

  std::string file;
  auto* verify_export = app.add_subcommand("verify-export",
                                           "check an export file's own chain "
                                           "and entries, without the database");
  verify_export->add_option("file", file, "the export file")->required();
  verify_export->callback([&] { code = RunVerifyExport(file, io); });

  std::vector<std::string> names;
  auto* rebuild = app.add_subcommand("rebuild",
                                     "rebuild projections from the log (needs the "
                                     "directory to itself: stop rosterd)");
  rebuild->add_option("projections", names, "names (default: all)");
  rebuild->callback([&] { code = RunRebuild(data_dir, names, io); });

  auto* stats = app.add_subcommand("stats", "records, streams, orgs, members, size, projections");
  stats->callback([&] { code = RunStats(data_dir, io); });

  auto* dump = app.add_subcommand("dump", "records from a position, human-readable");
  dump->add_option("--from", position, "first position (default 1)")
      ->check(roster::tools::NotNegative());
  dump->add_option("--count", count, "how many records")
      ->check(roster::tools::NotNegative())
      ->capture_default_str();
  dump->callback([&] { code = RunDump(data_dir, position, count, io); });

  std::string copy_from, copy_to, schema = "roster";
  auto* copy_log = app.add_subcommand(
      "copy-log", "copy a log between a data directory and PostgreSQL, verifying it on arrival");
  copy_log->add_option("--from", copy_from, "a data directory, or a PostgreSQL connection string")
      ->required();
  copy_log
      ->add_option("--to", copy_to,
                   "a new (missing or empty) data directory, or a PostgreSQL connection string")
      ->required();
  copy_log->add_option("--schema", schema, "the PostgreSQL schema of the log")
      ->capture_default_str();
  copy_log->callback([&] { code = RunCopyLog(copy_from, copy_to, schema, io); });

  if (auto stop = roster::tools::ParseCommandLine(app, argc, argv)) return *stop;  // docs/admin.md
  return code;
}
