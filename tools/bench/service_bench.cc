// roster-bench service: the command service and projections in process. Durable commands from
// 64 threads over 10,000 organizations against the event log's own durable appends and the
// same commands with no read model (same run), a rebuild of every projection from a log of at
// least 1M events against reading and decoding that log alone, cold commands on a long and a
// short history, and the in-process permission check.
#include <malloc.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "api/service/node.h"
#include "eventstore/codec/streams.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/temp_dir.h"
#include "tools/bench/append_load.h"
#include "tools/bench/bench.h"
#include "tools/workload/workload.h"

namespace roster::tools::bench {
namespace {

using Clock = std::chrono::steady_clock;
using eventstore::testing::TempDir;

struct Flags {
  bool json = false;
  std::string dir;
  double seconds = 10;  // of each load, split over the rounds
  int rounds = 5;       // appends and commands alternate this many times
  int threads = 64;
  size_t orgs = 10000;
  uint64_t rebuild_events = 1'000'000;
  uint64_t long_history = 100'000;
  int cold_samples = 15;
  std::string phases = "commands,cold,rebuild";  // which parts to run (for profiling one)
  std::string rebuild_log;      // keep the rebuild's data here and reuse its log next time
  double serving_seconds = 30;  // of command and check load on a freshly opened node
  // Commands per second of that load. Paced, because what they add (members, invitations,
  // events) is memory too: unpaced, a faster build would show more memory for more work.
  double serving_rate = 5000;
};

bool Wants(const Flags& f, std::string_view phase) {
  return f.phases.find(phase) != std::string::npos;
}

std::shared_ptr<spdlog::logger> Quiet() {
  if (std::getenv("ROSTER_BENCH_LOG")) {
    return std::make_shared<spdlog::logger>("bench",
                                            std::make_shared<spdlog::sinks::stderr_sink_mt>());
  }
  return std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
}

std::unique_ptr<api::service::Node> OpenNode(const std::filesystem::path& dir,
                                             const domain::Clock& clock, bool sync) {
  api::service::NodeOptions options;
  options.store.sync = sync;
  options.run_sweeper = false;
  auto node = api::service::Node::Open(dir, clock, Quiet(), options);
  if (!node) throw std::runtime_error("opening a node: " + node.error().message);
  (*node)->engine().WaitForRebuilds();
  return std::move(*node);
}

double RssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The command service alone on a log and a view store, with no projection engine: no read
// model sees the events. What the commands cost before the read models, for comparison only.
class BareService {
 public:
  BareService(const std::filesystem::path& dir, const domain::Clock& clock) {
    eventstore::StoreOptions store;
    store.sync = true;
    auto log = eventstore::OpenRocksEventStore(dir / "log", store);
    if (!log) throw std::runtime_error("opening a log: " + log.error().message);
    log_ = std::move(*log);
    auto views = projections::ViewStore::Open(dir / "views", {});
    if (!views) throw std::runtime_error("opening a view store: " + views.error().message);
    views_ = std::move(*views);
    auto commands = api::service::CommandService::Create(*log_, *views_, codec_, clock);
    if (!commands)
      throw std::runtime_error("creating the command service: " + commands.error().message);
    commands_ = std::move(*commands);
  }
  api::service::CommandService& commands() { return *commands_; }

 private:
  eventstore::codec::EventCodec codec_;
  std::unique_ptr<eventstore::RocksEventStore> log_;
  std::unique_ptr<projections::ViewStore> views_;
  std::unique_ptr<api::service::CommandService> commands_;
};

// Durable InviteMember / AcceptInvitation / ChangeRole from `threads` threads, each driving its
// own share of the organizations, on a node with every read model (or, without `read_models`,
// on the bare command service). Run may be called again: the organizations go on.
class DurableCommands {
 public:
  DurableCommands(const Flags& flags, const domain::Clock& clock, bool read_models)
      : flags_(flags), dir_("roster-bench-service", flags.dir) {
    api::service::CommandService* commands = nullptr;
    if (read_models) {
      node_ = OpenNode(dir_.path(), clock, /*sync=*/true);
      commands = &node_->commands();
    } else {
      bare_ = std::make_unique<BareService>(dir_.path(), clock);
      commands = &bare_->commands();
    }
    const size_t per_thread = std::max<size_t>(1, flags.orgs / flags.threads);
    for (int t = 0; t < flags.threads; ++t) {
      loads_.push_back(std::make_unique<workload::Workload>(
          *commands, workload::WorkloadOptions{.org_prefix = "t" + std::to_string(t),
                                               .orgs = per_thread,
                                               .seed = static_cast<uint64_t>(t + 1)}));
    }
    Progress("service: creating " + std::to_string(per_thread * flags.threads) + " organizations" +
             (read_models ? "" : " (no read models)"));
    std::vector<std::thread> setup;
    for (int t = 0; t < flags.threads; ++t) {
      setup.emplace_back([&, t] {
        if (!loads_[t]->Setup()) throw std::runtime_error("creating organizations failed");
      });
    }
    for (auto& s : setup) s.join();
    // The projections catch up with the setup before the first round is timed.
    if (node_ && !node_->engine().CatchUp(std::chrono::minutes(5)))
      throw std::runtime_error("projections did not catch up with the setup");
  }
  // With read models, the round ends when the projections have caught up with its last
  // command: their lag is counted in this round, not left to run into the next load's.
  LoadResult Run(double seconds) {
    LoadResult result =
        RunLoad(flags_.threads, std::chrono::duration<double>(seconds),
                [&](int t, uint64_t) { return loads_[t]->MembershipStep().has_value(); });
    if (node_) {
      const auto begin = Clock::now();
      const double cpu_begin = ProcessCpuSeconds();
      if (!node_->engine().CatchUp(std::chrono::minutes(5)))
        throw std::runtime_error("projections did not catch up");
      result.seconds += std::chrono::duration<double>(Clock::now() - begin).count();
      result.cpu_seconds += ProcessCpuSeconds() - cpu_begin;
    }
    return result;
  }

 private:
  const Flags& flags_;
  TempDir dir_;
  std::unique_ptr<api::service::Node> node_;
  std::unique_ptr<BareService> bare_;
  std::vector<std::unique_ptr<workload::Workload>> loads_;
};

std::string FormatSeconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", s);
  return text;
}

struct CommandFigures {
  LoadResult appends, commands, bare_commands;
  std::vector<double> ratios;  // per round
};

// The event log's bare appends and the commands, in alternating rounds on two stores open side
// by side: fsync latency on a shared machine drifts by 2x within a minute, and alternating
// exposes both loads to the same drift, so their ratio measures the service, not the moment.
// A third load in each round, the same commands with no read model, splits a command's cost
// between the command service and the projections.
CommandFigures CompareCommandsWithAppends(const Flags& flags, const domain::Clock& clock) {
  DurableAppender appender(flags.dir, flags.threads, 200);
  DurableCommands commands(flags, clock, /*read_models=*/true);
  DurableCommands bare(flags, clock, /*read_models=*/false);
  CommandFigures figures;
  const double slice = flags.seconds / flags.rounds;
  for (int round = 1; round <= flags.rounds; ++round) {
    Progress("service: round " + std::to_string(round) + " of " + std::to_string(flags.rounds) +
             ": durable appends, durable membership commands, the same without read models, " +
             FormatSeconds(slice) + " each, " + std::to_string(flags.threads) + " threads");
    const LoadResult a = appender.Run(slice);
    const LoadResult c = commands.Run(slice);
    Accumulate(figures.bare_commands, bare.Run(slice));
    Accumulate(figures.appends, a);
    Accumulate(figures.commands, c);
    figures.ratios.push_back(a.ops_per_s() > 0 ? c.ops_per_s() / a.ops_per_s() : 0);
  }
  return figures;
}

struct ColdFigures {
  double long_us = 0;
  double short_us = 0;
  uint64_t long_events = 0;
};

// One organization with a long history (role changes among 50 members) and one with ten events.
ColdFigures ColdCommands(const Flags& flags, const std::filesystem::path& dir,
                         domain::ManualClock& clock) {
  using namespace domain;
  auto run = [](api::service::Node& node, const std::string& org, const std::string& actor,
                Command c) {
    auto outcome = node.commands().Execute(
        OrgId(org), std::move(c), api::service::CommandContext{UserId(actor), "", "", "bench", {}});
    if (!outcome || !outcome->accepted()) throw std::runtime_error("history command failed");
    return *outcome;
  };
  {
    auto node = OpenNode(dir, clock, /*sync=*/false);
    Progress("service: writing a history of " + std::to_string(flags.long_history) + " events");
    for (const std::string org : {"long", "short"}) {
      run(*node, org, "boss",
          CreateOrganization{
              OrgId(org), org, "platform", UserId("boss"), "boss@" + org + ".test", "", {}, {}});
    }
    std::vector<std::string> members;
    for (int i = 0; i < 50; ++i) {
      const std::string user = "m" + std::to_string(i);
      auto invited =
          run(*node, "long", "boss", InviteMember{user + "@long.test", "", "Viewer", ""});
      const auto& sent = std::get<InvitationSent>(invited.events.back());
      run(*node, "long", user,
          AcceptInvitation{sent.invitation_id, sent.token_hash, user + "@long.test", ""});
      members.push_back(user);
    }
    for (int i = 0; i < 4; ++i)
      run(*node, "short", "boss", RenameOrganization{"short " + std::to_string(i)});
    auto head = node->log().StreamHead(eventstore::codec::OrgStream(OrgId("long")));
    for (uint64_t i = static_cast<uint64_t>(*head) + 1; i < flags.long_history; ++i) {
      run(*node, "long", "boss",
          ChangeRole{UserId(members[i % members.size()]),
                     (i / members.size()) % 2 ? "Developer" : "Viewer"});
    }
  }
  auto node = OpenNode(dir, clock, /*sync=*/true);
  ColdFigures figures;
  figures.long_events =
      static_cast<uint64_t>(*node->log().StreamHead(eventstore::codec::OrgStream(OrgId("long")))) +
      1;
  std::vector<double> long_us, short_us;
  for (int i = 0; i < flags.cold_samples; ++i) {
    for (const std::string org : {"long", "short"}) {
      node->commands().DropCache();
      const auto begin = Clock::now();
      run(*node, org, "boss", RenameOrganization{org + " " + std::to_string(i) + "!"});
      const double us = std::chrono::duration<double, std::micro>(Clock::now() - begin).count();
      (org == "long" ? long_us : short_us).push_back(us);
    }
  }
  figures.long_us = Median(long_us);
  figures.short_us = Median(short_us);
  return figures;
}

struct ReadFigures {
  double read_seconds = 0;    // in ReadAll
  double decode_seconds = 0;  // in the codec
  double events_per_s = 0;    // both
};

struct RebuildFigures {
  uint64_t events = 0;
  double events_per_s = 0;
  double seconds = 0;
  double cpu_us_per_event = 0;
  ReadFigures read;
  double rss_mb_after_rebuild = 0;
  double check_ns = 0;
  double list_members_us = 0;
  uint64_t log_bytes = 0;
  uint64_t views_bytes = 0;
  uint64_t views_wal_bytes = 0;
  // A node opened afresh on the same data, then loaded with commands and checks.
  double rss_mb_opened = 0;
  double check_ns_cold = 0;
  double rss_mb_serving = 0;
  double serving_commands_per_s = 0;
  double serving_checks_per_s = 0;
  // What of rss_mb_serving is RocksDB's (write buffers, block caches, table indexes, both
  // databases) and the read models' caches: memory with a bound set by the settings.
  double serving_storage_mb = 0;
  double serving_model_cache_mb = 0;
};

// Bytes of the files under `dir` (whose names end with `suffix`, when given).
uint64_t DirBytes(const std::filesystem::path& dir, std::string_view suffix = "") {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().string().ends_with(suffix)) {
      bytes += entry.file_size();
    }
  }
  return bytes;
}

using Ask = std::tuple<std::string, std::string, std::string>;

// Permission checks: members and strangers, org and project, on the rebuild log's orgs.
std::vector<Ask> CheckAsks(int writers) {
  std::vector<Ask> asks;
  for (int w = 0; w < writers; ++w) {
    for (size_t o = 0; o < 200; ++o) {
      const std::string org = "r" + std::to_string(w) + "-" + std::to_string(o);
      asks.emplace_back(org, org + "-owner", "members.invite");
      asks.emplace_back(org, org + "-u" + std::to_string(o + 1), "projects.view");
      asks.emplace_back(org, "stranger", "billing.view");
    }
  }
  return asks;
}

bool Allowed(api::service::QueryService& queries, const Ask& ask) {
  const auto& [org, user, perm] = ask;
  auto r = queries.Check(domain::OrgId(org), domain::UserId(user), perm, std::nullopt, 0);
  return r && r->allowed;
}

// The rebuild's log: two writers over 500 organizations each, through the command service.
void WriteRebuildLog(const Flags& flags, api::service::Node& node, int writers) {
  Progress("service: writing a log of at least " + std::to_string(flags.rebuild_events) +
           " events through the command service");
  std::vector<std::unique_ptr<workload::Workload>> loads;
  for (int w = 0; w < writers; ++w) {
    loads.push_back(std::make_unique<workload::Workload>(
        node.commands(), workload::WorkloadOptions{.org_prefix = "r" + std::to_string(w),
                                                   .orgs = 500,
                                                   .seed = static_cast<uint64_t>(100 + w)}));
    if (!loads.back()->Setup()) throw std::runtime_error("creating organizations failed");
  }
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      while (node.log().LastPosition() < flags.rebuild_events) {
        for (int i = 0; i < 100; ++i) {
          if (!loads[w]->Step()) throw std::runtime_error("workload step failed");
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

// Reads and decodes the whole log on one thread, as a rebuild's reader does, and applies it to
// nothing: what a rebuild could reach if the read models cost nothing.
ReadFigures ReadAndDecode(eventstore::EventLog& log, const eventstore::codec::EventCodec& codec) {
  Progress(
      "service: reading and decoding the log (compacted first) on one thread, applying nothing");
  ReadFigures figures;
  eventstore::Position position = 0;
  uint64_t decoded = 0;
  for (;;) {
    const auto read_begin = Clock::now();
    auto records = log.ReadAll(position + 1, projections::EngineOptions{}.rebuild_batch);
    const auto decode_begin = Clock::now();
    figures.read_seconds += std::chrono::duration<double>(decode_begin - read_begin).count();
    if (!records) throw std::runtime_error("reading the log: " + records.error().message);
    if (records->empty()) break;
    for (const eventstore::Record& r : *records) {
      if (!eventstore::codec::ParseStream(r.stream)) continue;
      if (!codec.Decode(r)) throw std::runtime_error("an event does not decode");
      ++decoded;
    }
    figures.decode_seconds += std::chrono::duration<double>(Clock::now() - decode_begin).count();
    position = records->back().position;
  }
  if (decoded == 0) throw std::runtime_error("no event decoded");
  figures.events_per_s =
      static_cast<double>(position) / (figures.read_seconds + figures.decode_seconds);
  return figures;
}

RebuildFigures Rebuild(const Flags& flags, const std::filesystem::path& dir,
                       domain::ManualClock& clock) {
  auto node = OpenNode(dir, clock, /*sync=*/false);
  const int writers = 2;
  if (node->log().LastPosition() >= flags.rebuild_events) {
    Progress("service: reusing the log in " + dir.string());
  } else {
    WriteRebuildLog(flags, *node, writers);
  }
  if (!node->engine().CatchUp(std::chrono::minutes(10)))
    throw std::runtime_error("catch-up failed");
  RebuildFigures figures;
  figures.events = node->log().LastPosition();
  Progress("service: rebuilding every projection from " + std::to_string(figures.events) +
           " events");
  const auto begin = Clock::now();
  const double cpu_begin = ProcessCpuSeconds();
  if (!node->engine().Rebuild({})) throw std::runtime_error("rebuild refused");
  node->engine().WaitForRebuilds();
  figures.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  figures.cpu_us_per_event = (ProcessCpuSeconds() - cpu_begin) * 1e6 / figures.events;
  figures.events_per_s = figures.events / figures.seconds;
  figures.rss_mb_after_rebuild = RssMb();
  if (!node->engine().CatchUp(std::chrono::minutes(10)))
    throw std::runtime_error("catch-up failed");

  Progress("service: in-process permission checks and member pages");
  const std::vector<Ask> asks = CheckAsks(writers);
  std::vector<double> per_check;
  for (int round = 0; round < 30; ++round) {
    const auto t0 = Clock::now();
    size_t allowed = 0;
    for (const Ask& ask : asks) allowed += Allowed(node->queries(), ask);
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    per_check.push_back(ns / asks.size());
    if (allowed == 0) throw std::runtime_error("no check was allowed: the fixture is wrong");
  }
  figures.check_ns = Median(per_check);
  std::vector<double> per_page;
  for (int w = 0; w < writers; ++w) {
    for (size_t o = 0; o < 200; ++o) {
      const domain::OrgId org("r" + std::to_string(w) + "-" + std::to_string(o));
      const auto t0 = Clock::now();
      auto page = node->queries().ListMembers(org, {}, /*include_former=*/true, 0, 100, 0);
      per_page.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (!page || page->members.empty()) throw std::runtime_error("an empty member page");
    }
  }
  figures.list_members_us = Median(per_page);
  node.reset();
  figures.log_bytes = DirBytes(dir / "log");
  figures.views_bytes = DirBytes(dir / "views");
  figures.views_wal_bytes = DirBytes(dir / "views", ".log");

  {
    auto log = eventstore::OpenRocksEventStore(dir / "log", {});
    if (!log) throw std::runtime_error("opening the log: " + log.error().message);
    Progress("service: compacting the log");
    if (auto compacted = (*log)->Compact(); !compacted) {
      throw std::runtime_error("compacting the log: " + compacted.error().message);
    }
    const eventstore::codec::EventCodec codec;
    figures.read = ReadAndDecode(**log, codec);
  }

  // Serving: a node opened afresh, as a restarted server would be. What the rebuild and the
  // reads above left in this process's heap goes back to the system first; what glibc cannot
  // return still counts, so these figures are upper bounds of a fresh process's.
  malloc_trim(0);
  Progress("service: a node opened afresh, then " +
           std::to_string(static_cast<int>(flags.serving_seconds)) + " s of commands and checks");
  node = OpenNode(dir, clock, /*sync=*/false);
  figures.rss_mb_opened = RssMb();
  std::vector<double> cold;
  for (size_t i = 0; i < asks.size(); i += 3) {
    const auto t0 = Clock::now();
    Allowed(node->queries(), asks[i]);
    cold.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
  }
  figures.check_ns_cold = Median(cold);
  // Named after the log's length: on a kept log (--rebuild-log) an earlier run's serving load
  // is in it, and the same organizations and command ids would get that run's outcomes back.
  workload::Workload load(
      node->commands(),
      workload::WorkloadOptions{.org_prefix = "serve" + std::to_string(node->log().LastPosition()),
                                .orgs = 100,
                                .seed = 7});
  if (!load.Setup()) throw std::runtime_error("creating organizations failed");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> steps{0}, checks{0};
  std::thread commander([&] {
    const auto start = Clock::now();
    while (!stop.load()) {
      const auto due =
          start + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(steps.load() / flags.serving_rate));
      if (due > Clock::now()) {
        std::this_thread::sleep_until(due);
        continue;
      }
      if (!load.Step()) throw std::runtime_error("workload step failed");
      steps.fetch_add(1);
    }
  });
  std::thread checker([&] {
    while (!stop.load()) {
      for (const Ask& ask : asks) Allowed(node->queries(), ask);
      checks.fetch_add(asks.size());
    }
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(flags.serving_seconds));
  stop = true;
  commander.join();
  checker.join();
  figures.rss_mb_serving = RssMb();
  for (const eventstore::StorageMemory& m :
       {node->rocks_store()->memory(), node->views().Memory()}) {
    figures.serving_storage_mb +=
        (m.memtable_bytes + m.block_cache_bytes + m.table_reader_bytes) / 1048576.0;
  }
  for (const auto& described : node->engine().Describe()) {
    if (described.cache) figures.serving_model_cache_mb += described.cache->bytes / 1048576.0;
  }
  figures.serving_commands_per_s = steps.load() / flags.serving_seconds;
  figures.serving_checks_per_s = checks.load() / flags.serving_seconds;
  return figures;
}

void Run(const Flags& flags) {
  Report report("service");
  domain::ManualClock clock(domain::FromMicros(1'767'225'600'000'000));
  CommandFigures compared;
  if (Wants(flags, "commands")) compared = CompareCommandsWithAppends(flags, clock);
  const LoadResult& appends = compared.appends;
  const LoadResult& commands = compared.commands;
  ColdFigures cold;
  if (Wants(flags, "cold")) {
    TempDir cold_dir("roster-bench-cold", flags.dir);
    cold = ColdCommands(flags, cold_dir.path(), clock);
  }
  RebuildFigures rebuild;
  if (Wants(flags, "rebuild")) {
    if (!flags.rebuild_log.empty()) {
      rebuild = Rebuild(flags, flags.rebuild_log, clock);
    } else {
      TempDir rebuild_dir("roster-bench-rebuild", flags.dir);
      rebuild = Rebuild(flags, rebuild_dir.path(), clock);
    }
  }

  const std::string n = std::to_string(flags.threads);
  report.Add("append_sync_64_ops", appends.ops_per_s(), "ops/s", "the event log alone, same run");
  report.Add("commands_per_s_64", commands.ops_per_s(), "cmds/s",
             "durable Invite/Accept/ChangeRole, " + n + " threads, " + std::to_string(flags.orgs) +
                 " orgs");
  report.Add("commands_p99_ms_64", commands.latency.p99_us / 1000, "ms",
             "their p99 latency (the worst round's)");
  report.Add("ratio_commands_vs_append_64",
             appends.ops_per_s() > 0 ? commands.ops_per_s() / appends.ops_per_s() : 0, "x",
             "over " + std::to_string(flags.rounds) + " alternating rounds, target >= 0.8");
  const auto [lowest, highest] =
      std::minmax_element(compared.ratios.begin(), compared.ratios.end());
  report.Add("ratio_lowest_round", lowest == compared.ratios.end() ? 0 : *lowest, "x",
             "the same ratio in the round where it was lowest");
  report.Add("ratio_highest_round", highest == compared.ratios.end() ? 0 : *highest, "x",
             "and highest");
  report.Add("command_failures",
             static_cast<double>(commands.failures + compared.bare_commands.failures), "cmds",
             "must be 0 (both command loads)");
  // CPU per operation is the figure to compare while the machine is shared: throughput on
  // two cores moves with whatever else runs, CPU spent per command much less.
  report.Add("append_cpu_us", appends.cpu_us_per_op(), "us", "process CPU per durable append");
  report.Add("command_cpu_us", commands.cpu_us_per_op(), "us",
             "process CPU per durable command, read models included");
  const LoadResult& bare = compared.bare_commands;
  report.Add("bare_commands_per_s_64", bare.ops_per_s(), "cmds/s",
             "the same commands with no read model (no projection engine), same rounds");
  report.Add("ratio_bare_commands_vs_append_64",
             appends.ops_per_s() > 0 ? bare.ops_per_s() / appends.ops_per_s() : 0, "x",
             "what the command service alone reaches");
  report.Add("bare_command_cpu_us", bare.cpu_us_per_op(), "us",
             "process CPU per durable command with no read model");
  report.Add("rebuild_events", static_cast<double>(rebuild.events), "events", "log size rebuilt");
  report.Add("rebuild_events_per_s", rebuild.events_per_s, "events/s",
             "all five projections, target >= 1M");
  report.Add("rebuild_seconds", rebuild.seconds, "s");
  report.Add("rebuild_cpu_us_per_event", rebuild.cpu_us_per_event, "us",
             "process CPU per event during the rebuild (two cores: 2 us at most for 1M/s)");
  report.Add("read_decode_events_per_s", rebuild.read.events_per_s, "events/s",
             "the same log read and decoded on one thread, applied to nothing");
  report.Add("read_seconds", rebuild.read.read_seconds, "s", "of which reading the records");
  report.Add("decode_seconds", rebuild.read.decode_seconds, "s", "and decoding their events");
  report.Add("long_history_events", static_cast<double>(cold.long_events), "events");
  report.Add("cold_command_us_long_history", cold.long_us, "us",
             "first command after dropping the cache, durable, median");
  report.Add("cold_command_us_short_history", cold.short_us, "us", "same, 10 events of history");
  report.Add("ratio_cold_long_vs_short", cold.short_us > 0 ? cold.long_us / cold.short_us : 0, "x",
             "target < 2");
  report.Add("check_ns", rebuild.check_ns, "ns",
             "median in-process permission check, warm, target <= 1000");
  report.Add("rss_mb_after_rebuild", rebuild.rss_mb_after_rebuild, "MiB",
             "resident memory after the rebuild");
  report.Add("list_members_us", rebuild.list_members_us, "us",
             "a page of 100 members, former included, median, target <= 200");
  report.Add("log_bytes", static_cast<double>(rebuild.log_bytes), "bytes", "the event log's files");
  report.Add("views_bytes", static_cast<double>(rebuild.views_bytes), "bytes",
             "the view store's files, WAL included, target <= log_bytes");
  report.Add("views_wal_bytes", static_cast<double>(rebuild.views_wal_bytes), "bytes",
             "of which write-ahead log");
  report.Add("rss_mb_opened", rebuild.rss_mb_opened, "MiB",
             "a node opened afresh on that data (this process: an upper bound)");
  report.Add("check_ns_cold", rebuild.check_ns_cold, "ns",
             "first check of an organization after that open, median, target <= 50000");
  report.Add("rss_mb_serving", rebuild.rss_mb_serving, "MiB",
             "after the serving load, target <= 400 at 1M events");
  report.Add("serving_storage_mb", rebuild.serving_storage_mb, "MiB",
             "of which RocksDB's write buffers, block caches and table indexes");
  report.Add("serving_model_cache_mb", rebuild.serving_model_cache_mb, "MiB",
             "of which the read models' caches");
  report.Add("serving_commands_per_s", rebuild.serving_commands_per_s, "steps/s",
             "workload steps during the serving load (one thread, paced at --serving-rate)");
  report.Add("serving_checks_per_s", rebuild.serving_checks_per_s, "checks/s",
             "checks during the serving load (one thread)");
  report.Print(flags.json);
}

}  // namespace

void RegisterServiceBench(CLI::App& app) {
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand(
      "service",
      "Durable commands, projection rebuild, cold loads and permission checks in process");
  sub->add_flag("--json", flags->json, "Print one JSON object instead of a table");
  sub->add_option("--dir", flags->dir, "Where to create the temporary stores");
  sub->add_option("--seconds", flags->seconds, "Duration of each load phase")
      ->check(CLI::PositiveNumber);
  sub->add_option("--rounds", flags->rounds,
                  "Alternating rounds of bare appends and commands the --seconds are split over")
      ->check(CLI::Range(1, 100));
  sub->add_option("--threads", flags->threads, "Command threads")->check(CLI::Range(1, 1024));
  sub->add_option("--orgs", flags->orgs, "Organizations for the command phase");
  sub->add_option("--rebuild-events", flags->rebuild_events, "Events in the rebuilt log");
  sub->add_option("--serving-rate", flags->serving_rate,
                  "Commands per second of the serving load (paced: what they add is memory too)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--serving-seconds", flags->serving_seconds,
                  "Command and check load on the reopened node before rss_mb_serving")
      ->check(CLI::PositiveNumber);
  sub->add_option("--long-history", flags->long_history, "Events of the long-history organization");
  sub->add_option("--phases", flags->phases, "Comma-separated: commands, cold, rebuild");
  sub->add_option("--rebuild-log", flags->rebuild_log,
                  "Keep the rebuild phase's data directory here; a later run reuses its log "
                  "(for profiling the rebuild without writing the log again)");
  sub->callback([flags] { Run(*flags); });
}

}  // namespace roster::tools::bench
