#include "tools/soak/soak.h"

#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <random>
#include <thread>

#include "tools/soak/auditor.h"
#include "tools/soak/bad_clients.h"
#include "tools/soak/final_checks.h"
#include "tools/soak/monitor.h"
#include "tools/soak/readers.h"
#include "tools/soak/report.h"
#include "tools/soak/rosterd_child.h"
#include "tools/soak/soak_support.h"
#include "tools/soak/subscriber.h"
#include "tools/soak/writer.h"

namespace roster::tools::soak {
namespace {

// rosterd's deadlines, given explicitly so that the bad clients know what to expect.
constexpr auto kFrameDeadline = std::chrono::milliseconds(10000);
constexpr auto kHelloDeadline = std::chrono::milliseconds(10000);

}  // namespace

int RunSoak(const SoakOptions& o) {
  const auto start = Clock::now();
  const double load_s = o.minutes * 60;
  Watchdog watchdog(
      start + std::chrono::seconds(static_cast<int64_t>(load_s + std::max(300.0, load_s / 2))));
  std::string pattern = (o.base_dir / "roster-soak-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    std::fprintf(stderr, "roster-soak: cannot create a directory in %s\n", o.base_dir.c_str());
    return 1;
  }
  const std::filesystem::path dir = pattern;
  const std::filesystem::path data = dir / "data";
  const std::filesystem::path log = dir / "rosterd.log";
  std::printf("roster-soak: %.1f minutes, ROSTER_SOAK_SEED=%llu, data in %s\n", o.minutes,
              static_cast<unsigned long long>(o.seed), dir.c_str());
  std::fflush(stdout);

  ServerState server;
  Failures failures;
  Counters counters;
  Figures figures;
  figures.minutes = o.minutes;
  figures.seed = o.seed;
  figures.writers = o.writers;
  figures.checkers = o.checkers;
  figures.queriers = o.queriers;
  figures.subscribers = o.subscribers;
  figures.window_s = o.window_s;

  const RosterdOptions rosterd_options{
      o.rosterd,
      data,
      log,
      {"--frame-deadline-ms", std::to_string(kFrameDeadline.count()), "--hello-deadline-ms",
       std::to_string(kHelloDeadline.count())},
      std::chrono::seconds(120)};
  std::unique_ptr<RosterdChild> child;
  // Without a rosterd nothing more can be proven: the report so far, and out (threads are not
  // joined: they wait for a rosterd that will not come).
  auto fatal = [&](const std::string& why) {
    failures.Add(why);
    child.reset();
    figures.failures = failures.count();
    PrintReport(figures, failures.First(20));
    std::printf("roster-soak: data kept in %s\n", dir.c_str());
    std::fflush(stdout);
    std::_Exit(1);
  };
  auto start_rosterd = [&] {
    const auto t0 = Clock::now();
    auto started = RosterdChild::Start(rosterd_options);
    if (!started) fatal("rosterd did not start: " + started.error());
    child = std::move(*started);
    figures.longest_start_s = std::max(figures.longest_start_s, Seconds(Clock::now() - t0));
    server.SetUp(child->port(), child->pid());
  };
  auto stop_rosterd = [&] {
    server.SetDown();
    child->Signal(SIGTERM);
    const int status = child->Wait(std::chrono::seconds(30));
    if (status != 0) {
      failures.Add("rosterd stopped by SIGTERM exited with " + std::to_string(status) +
                   "; its log ends:\n" + FileTail(log));
    }
    child.reset();
  };

  watchdog.Phase("starting rosterd");
  start_rosterd();
  const std::string admin_token = ReadAdminToken(data);
  ClientSetup admin_setup{admin_token};
  std::string service_token;
  std::string auditor_token;
  {
    auto admin = ConnectWhenUp(server, admin_setup, "soak-setup", [] { return false; });
    auto service = IssueToken(*admin, "soak-service", "service");
    auto auditor = IssueToken(*admin, "soak-auditor", "auditor");
    if (!service || !auditor) fatal("cannot issue the soak's tokens");
    service_token = *service;
    auditor_token = *auditor;
  }

  // The client threads.
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<Worker*> well_behaved;
  auto worker = [&](const std::string& name, bool good) -> Worker& {
    workers.push_back(std::make_unique<Worker>(name, good));
    if (good) well_behaved.push_back(workers.back().get());
    return *workers.back();
  };
  auto rate = [](double total, int threads) { return total > 0 ? total / threads : 0.0; };
  Directory directory(static_cast<size_t>(o.writers) * o.slots);
  std::vector<std::unique_ptr<Writer>> writers;
  std::vector<const AckLog*> logs;
  for (int i = 0; i < o.writers; ++i) {
    writers.push_back(std::make_unique<Writer>(i, o.seed * 7919 + static_cast<uint64_t>(i), o.slots,
                                               directory,
                                               worker("writer-" + std::to_string(i), true)));
    logs.push_back(&writers.back()->acks());
  }
  std::atomic<bool> load_stop{false};
  std::atomic<bool> watch_stop{false};
  std::atomic<bool> subscribers_stop{false};
  const WriterShared writer_shared{server, ClientSetup{service_token}, counters, failures,
                                   rate(o.command_rate, o.writers)};
  const ReaderShared checker_shared{server,   ClientSetup{service_token},    directory, counters,
                                    failures, rate(o.check_rate, o.checkers)};
  const ReaderShared querier_shared{server,   ClientSetup{service_token},    directory, counters,
                                    failures, rate(o.query_rate, o.queriers)};
  const SubscriberShared subscriber_shared{server, ClientSetup{auditor_token}, counters, failures};
  const BadClientShared bad_shared{server,         service_token, kFrameDeadline,
                                   kHelloDeadline, counters,      failures};
  std::vector<std::thread> load_threads;
  std::vector<std::thread> subscriber_threads;
  for (auto& w : writers) {
    load_threads.emplace_back([&, w = w.get()] { w->Run(writer_shared, load_stop); });
  }
  for (int i = 0; i < o.checkers; ++i) {
    Worker& w = worker("checker-" + std::to_string(i), true);
    load_threads.emplace_back([&, i] {
      RunChecker(checker_shared, w, o.seed * 31 + static_cast<uint64_t>(i), load_stop);
    });
  }
  for (int i = 0; i < o.queriers; ++i) {
    Worker& w = worker("querier-" + std::to_string(i), true);
    load_threads.emplace_back([&, i] {
      RunQuerier(querier_shared, w, o.seed * 37 + static_cast<uint64_t>(i), load_stop);
    });
  }
  for (int i = 0; i < o.subscribers; ++i) {
    Worker& w = worker("subscriber-" + std::to_string(i), true);
    subscriber_threads.emplace_back([&, i] {
      RunSubscriber(subscriber_shared, w, o.seed * 41 + static_cast<uint64_t>(i), subscribers_stop);
    });
  }
  Worker& garbage = worker("garbage-client", false);
  load_threads.emplace_back(
      [&] { RunGarbageClient(bad_shared, garbage, o.seed * 43, o.garbage_rate, load_stop); });
  Worker& holding = worker("holding-clients", false);
  load_threads.emplace_back(
      [&] { RunHoldingClients(bad_shared, holding, o.stalled, o.silent, load_stop); });
  const double rss_interval_s = std::clamp(RssBucketSeconds(load_s) / 6, 1.0, 10.0);
  Monitor monitor(server, well_behaved, failures, std::chrono::seconds(o.window_s),
                  std::chrono::milliseconds(static_cast<int64_t>(rss_interval_s * 1000)), start);
  std::thread monitor_thread([&] { monitor.Run(watch_stop); });
  std::thread auditor_thread([&] {
    RunAuditor(AuditorShared{server, admin_setup, logs, counters, failures}, watch_stop);
  });

  // Kills at random moments until the time is up.
  watchdog.Phase("under load, killing rosterd at random moments");
  std::mt19937_64 rng(o.seed);
  const auto load_end = start + std::chrono::milliseconds(static_cast<int64_t>(load_s * 1000));
  auto next_progress = Clock::now() + std::chrono::seconds(10);
  while (true) {
    const double uptime = std::uniform_real_distribution<double>(o.kill_min_s, o.kill_max_s)(rng);
    const auto kill_at =
        server.Get().up_since + std::chrono::milliseconds(static_cast<int64_t>(uptime * 1000));
    bool crashed = false;
    while (!crashed && Clock::now() < std::min(kill_at, load_end)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (const int status = child->Wait(std::chrono::milliseconds(0)); status != -1) {
        failures.Add("CRASH: rosterd exited on its own with status " + std::to_string(status) +
                     "; its log ends:\n" + FileTail(log));
        crashed = true;
        figures.crashes++;
      }
      if (Clock::now() < next_progress) continue;
      next_progress += std::chrono::seconds(10);
      PrintProgress(Clock::now() - start, load_end - start, counters, figures.kills,
                    ReadMemory(child->pid()), failures.count());
    }
    if (!crashed) {
      if (Clock::now() >= load_end) break;
      monitor.SamplePeakBeforeKill();
      server.SetDown();
      child->Signal(SIGKILL);
      const int status = child->Wait(std::chrono::seconds(10));
      if (status != 128 + SIGKILL) {
        failures.Add("rosterd, killed, exited with " + std::to_string(status) +
                     "; its log ends:\n" + FileTail(log));
      }
      figures.kills++;
    }
    server.SetDown();
    child.reset();
    // A little time down: clients find it gone, and reconnect to the next one.
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 500));
    start_rosterd();
  }
  figures.load_seconds = Seconds(Clock::now() - start);

  watchdog.Phase("stopping the load (writers deliver the command in flight)");
  load_stop = true;
  for (auto& t : load_threads) t.join();
  watch_stop = true;
  monitor_thread.join();
  auditor_thread.join();

  auto admin = ConnectWhenUp(server, admin_setup, "soak-final", [] { return false; });
  const uint64_t last = LastPosition(*admin);
  watchdog.Phase("retrying every acknowledged command");
  const RetryOutcome final_retry = RetryEveryAcknowledged(logs, server, admin_setup, failures, 2);
  figures.final_retried = final_retry.answered;
  watchdog.Phase("reading the whole log back");
  const LogScan scan = ScanLog(*admin, last, logs, failures);
  watchdog.Phase("reading what rosterd serves");
  std::vector<std::string> orgs;
  std::vector<std::string> owners;
  for (const auto& w : writers) {
    orgs.insert(orgs.end(), w->mix().orgs().begin(), w->mix().orgs().end());
    owners.insert(owners.end(), w->mix().owners().begin(), w->mix().owners().end());
  }
  const ReadModels served = ReadServedModels(*admin, last, orgs, owners, failures);
  admin.reset();

  watchdog.Phase("stopping rosterd with SIGTERM");
  subscribers_stop = true;
  stop_rosterd();
  for (auto& t : subscriber_threads) t.join();

  watchdog.Phase("roster-admin verify");
  const std::string admin_tool = o.admin.string() + " --data-dir " + data.string();
  const ToolRun verify = RunTool(admin_tool + " verify 2>&1");
  figures.verify_ok = verify.status == 0;
  figures.verify_line = FirstLineWith(verify.out, "verify:");
  if (!figures.verify_ok) failures.Add("roster-admin verify failed: " + verify.out);
  watchdog.Phase("roster-admin rebuild");
  const ToolRun rebuild = RunTool(admin_tool + " rebuild 2>&1");
  if (rebuild.status != 0) failures.Add("roster-admin rebuild failed: " + rebuild.out);

  watchdog.Phase("reading what rosterd serves after the rebuild");
  start_rosterd();
  admin = ConnectWhenUp(server, admin_setup, "soak-final", [] { return false; });
  const uint64_t last_after = LastPosition(*admin);
  if (last_after != last) {
    failures.Add("after the rebuild the log ends at " + std::to_string(last_after) +
                 " instead of " + std::to_string(last));
  }
  const ReadModels rebuilt = ReadServedModels(*admin, last, orgs, owners, failures);
  admin.reset();
  figures.listings_compared = served.size();
  figures.listings_differ = CompareReadModels(served, rebuilt, failures);
  stop_rosterd();

  figures.rss = JudgeRss(monitor.samples(), load_s, o.rss_factor);
  if (figures.rss.judged && !figures.rss.ok) {
    failures.Add(
        "MEMORY: rosterd's peak RSS grew from " +
        std::to_string(static_cast<int>(figures.rss.early_mib)) + " MiB after the warm-up to " +
        std::to_string(static_cast<int>(figures.rss.late_mib)) + " MiB at the end, more than " +
        std::to_string(figures.rss.factor).substr(0, 4) + "x");
  }
  figures.commands_appended = counters.commands_appended;
  figures.commands_no_change = counters.commands_no_change;
  figures.commands_rejected = counters.commands_rejected;
  figures.commands_acknowledged =
      figures.commands_appended + figures.commands_no_change + figures.commands_rejected;
  figures.commands_resent = counters.resent;
  figures.resent_found_applied = counters.resent_found_applied;
  figures.orgs_created = counters.orgs_created;
  figures.orgs_deleted = counters.orgs_deleted;
  figures.checks = counters.checks;
  figures.queries = counters.queries;
  figures.queries_refused = counters.queries_refused;
  figures.subscription_records = counters.subscription_records;
  figures.subscriptions_reconnected = counters.subscriptions_reconnected;
  figures.subscriptions_broken = counters.subscriptions_broken;
  figures.bad_garbage = counters.bad_garbage;
  figures.bad_stalled = counters.bad_stalled;
  figures.bad_silent = counters.bad_silent;
  figures.acks_checked_after_kills = counters.acks_checked_after_kills;
  figures.log_records = scan.records;
  figures.log_commands = scan.commands;
  figures.twice = scan.twice;
  figures.unacknowledged = scan.unacknowledged;
  figures.longest_wait_s = monitor.longest_wait_s();
  figures.longest_wait_worker = monitor.longest_wait_worker();
  figures.up_seconds = monitor.up_seconds();
  figures.total_seconds = Seconds(Clock::now() - start);
  figures.failures = failures.count();
  figures.lost = counters.lost + final_retry.lost + scan.misplaced;
  figures.pass = figures.failures == 0;
  PrintReport(figures, failures.First(20));
  if (figures.pass && !o.keep) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  } else {
    std::printf("roster-soak: data and rosterd's log kept in %s\n", dir.c_str());
  }
  std::fflush(stdout);
  return figures.pass ? 0 : 1;
}

}  // namespace roster::tools::soak
