// roster-bench pg-log: durable appends on the PostgreSQL log with group commit and without
// (one transaction per append), against the RocksDB log, in the same run. The PostgreSQL server
// is a private one started for the run with fsync on (tests/support/pg_test_server.sh), on the
// same disk as the RocksDB store, so the two durable paths meet the same fsync.
#include <atomic>
#include <memory>

#include "eventstore/postgres/pg_event_log.h"
#include "eventstore/testing/store_helpers.h"
#include "tests/support/pg_server.h"
#include "tools/bench/append_load.h"
#include "tools/bench/bench.h"

namespace roster::tools::bench {
namespace {

namespace es = roster::eventstore;
namespace pg = roster::eventstore::postgres;

struct Flags {
  bool json = false;
  std::string dir;
  double seconds = 5;
  int threads = 64;
  size_t value_bytes = 200;
};

// The same operation as DurableAppender: one event per append, each thread on its own stream
// with the exact expected version and a unique command id.
LoadResult PgAppends(const std::string& conninfo, const std::string& schema, size_t group,
                     const Flags& flags, int threads, pg::PgEventLog::Stats* stats) {
  pg::PgLogOptions options;
  options.schema = schema;
  options.max_group_appends = group;
  auto opened = pg::OpenPgEventLog(conninfo, options);
  if (!opened) throw std::runtime_error("opening the PostgreSQL log: " + opened.error().message);
  es::EventLog& log = **opened;
  const std::string payload(flags.value_bytes, 'v');
  std::vector<es::StreamVersion> heads(threads, es::kNoStreamVersion);
  std::atomic<bool> reported{false};
  LoadResult result =
      RunLoad(threads, std::chrono::duration<double>(flags.seconds), [&](int t, uint64_t i) {
        es::AppendRequest request;
        request.stream = es::testing::Numbered("bench-stream-", t);
        request.expected = es::ExpectedVersion::Exactly(heads[t]);
        request.events.push_back(es::NewEvent{"bench.appended", 1, payload});
        request.metadata.actor = "bench";
        request.metadata.command_id = request.stream + "/" + std::to_string(i);
        request.metadata.source = "roster-bench";
        auto appended = log.Append(std::move(request));
        if (!appended) {
          if (!reported.exchange(true)) Progress("append failed: " + appended.error().message);
          return false;
        }
        heads[t] = appended->last_version;
        return true;
      });
  if (stats) *stats = (*opened)->stats();
  return result;
}

void Run(const Flags& flags) {
  Progress("starting PostgreSQL 15 (fsync on)");
  auto server = tests::PgTestServer::Start(tests::PgTestServerOptions{.durable = true});
  if (!server) throw std::runtime_error(server.error());
  const std::string conninfo = (*server)->conninfo();

  Progress("PostgreSQL, group commit, " + std::to_string(flags.threads) + " threads");
  pg::PgEventLog::Stats grouped_stats;
  const LoadResult grouped =
      PgAppends(conninfo, "bench_grouped", 1024, flags, flags.threads, &grouped_stats);
  Progress("PostgreSQL, one transaction per append, " + std::to_string(flags.threads) + " threads");
  const LoadResult single = PgAppends(conninfo, "bench_single", 1, flags, flags.threads, nullptr);
  Progress("PostgreSQL, 1 thread");
  const LoadResult one = PgAppends(conninfo, "bench_one", 1024, flags, 1, nullptr);
  Progress("RocksDB, " + std::to_string(flags.threads) + " threads");
  const LoadResult rocks =
      DurableAppendLoad(flags.dir, flags.seconds, flags.threads, flags.value_bytes);

  Report report("pg-log");
  report.Add("pg_append_64_ops", grouped.ops_per_s(), "ops/s",
             "PostgreSQL log, group commit, durable appends");
  report.Add("pg_append_64_p99_us", grouped.latency.p99_us, "us", "its p99 latency");
  report.Add("pg_append_64_per_commit",
             grouped_stats.commits ? static_cast<double>(grouped_stats.appends) /
                                         static_cast<double>(grouped_stats.commits)
                                   : 0,
             "appends", "appends per transaction");
  report.Add("pg_append_64_cpu_us_per_op", grouped.cpu_us_per_op(), "us",
             "this process's CPU per append (the server's is not counted)");
  report.Add("pg_append_64_ungrouped_ops", single.ops_per_s(), "ops/s",
             "the same, one transaction per append (max_group_appends = 1)");
  report.Add("pg_append_1_ops", one.ops_per_s(), "ops/s", "PostgreSQL log, 1 thread");
  report.Add("rocks_append_64_ops", rocks.ops_per_s(), "ops/s", "RocksDB log, same load");
  report.Add("ratio_group_vs_ungrouped",
             single.ops_per_s() > 0 ? grouped.ops_per_s() / single.ops_per_s() : 0, "x");
  report.Add("ratio_pg_vs_rocks",
             rocks.ops_per_s() > 0 ? grouped.ops_per_s() / rocks.ops_per_s() : 0, "x");
  report.Add(
      "append_failures",
      static_cast<double>(grouped.failures + single.failures + one.failures + rocks.failures),
      "appends");
  report.Add("seconds_per_phase", flags.seconds, "s");
  report.Add("threads", flags.threads, "threads");
  report.Print(flags.json);
}

}  // namespace

void RegisterPglogBench(CLI::App& app) {
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand(
      "pg-log", "Durable appends on the PostgreSQL log, grouped and not, vs the RocksDB log");
  sub->add_flag("--json", flags->json, "Print one JSON object instead of a table");
  sub->add_option("--dir", flags->dir, "Where the RocksDB store goes (default $TMPDIR or /tmp)");
  sub->add_option("--seconds", flags->seconds, "Duration of each phase")
      ->check(CLI::PositiveNumber);
  sub->add_option("--threads", flags->threads, "Appending threads")->check(CLI::Range(1, 190));
  sub->add_option("--value-bytes", flags->value_bytes, "Size of each event payload");
  sub->callback([flags] { Run(*flags); });
}

}  // namespace roster::tools::bench
