#include "tools/soak/soak.h"

#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <random>
#include <thread>

#include "tests/support/rosterd_process.h"
#include "tools/soak/auditor.h"
#include "tools/soak/bad_clients.h"
#include "tools/soak/final_checks.h"
#include "tools/soak/monitor.h"
#include "tools/soak/readers.h"
#include "tools/soak/report.h"
#include "tools/soak/soak_support.h"
#include "tools/soak/subscriber.h"
#include "tools/soak/writer.h"

namespace roster::tools::soak {
namespace {

// rosterd's deadlines, given explicitly so that the bad clients know what to expect.
constexpr auto kFrameDeadline = std::chrono::milliseconds(10000);
constexpr auto kHelloDeadline = std::chrono::milliseconds(10000);

double PerThread(double total, int threads) { return total > 0 ? total / threads : 0.0; }

// One run, phase by phase: Start, Load (the kills), StopLoad, Prove, Report.
class SoakRun {
 public:
  SoakRun(const SoakOptions& o, std::filesystem::path dir)
      : o_(o),
        start_(Clock::now()),
        load_end_(start_ + std::chrono::milliseconds(static_cast<int64_t>(o.minutes * 60000))),
        watchdog_(load_end_ +
                  std::chrono::seconds(static_cast<int64_t>(std::max(300.0, o.minutes * 30)))),
        dir_(std::move(dir)),
        data_(dir_ / "data"),
        log_(dir_ / "rosterd.log"),
        directory_(static_cast<size_t>(o.writers) * o.slots) {
    figures_.minutes = o.minutes;
    figures_.seed = o.seed;
    figures_.writers = o.writers;
    figures_.checkers = o.checkers;
    figures_.queriers = o.queriers;
    figures_.subscribers = o.subscribers;
    figures_.window_s = o.window_s;
  }

  int Run() {
    Start();
    Load();
    StopLoad();
    Prove();
    return Report();
  }

 private:
  // rosterd up and the clients' tokens issued, then every client thread started.
  void Start() {
    watchdog_.Phase("starting rosterd");
    StartRosterd();
    admin_setup_.token = ReadAdminToken(data_);
    auto admin = ConnectWhenUp(server_, admin_setup_, "soak-setup", [] { return false; });
    auto service = IssueToken(*admin, "soak-service", "service");
    auto auditor = IssueToken(*admin, "soak-auditor", "auditor");
    if (!service || !auditor) Fatal("cannot issue the soak's tokens");
    service_setup_.token = *service;
    auditor_setup_.token = *auditor;

    for (int i = 0; i < o_.writers; ++i) {
      writers_.push_back(std::make_unique<Writer>(i, o_.seed * 7919 + static_cast<uint64_t>(i),
                                                  o_.slots, directory_,
                                                  AddWorker("writer-" + std::to_string(i), true)));
      logs_.push_back(&writers_.back()->acks());
    }
    writer_shared_.emplace(WriterShared{server_, service_setup_, counters_, failures_,
                                        PerThread(o_.command_rate, o_.writers)});
    checker_shared_.emplace(ReaderShared{server_, service_setup_, directory_, counters_, failures_,
                                         PerThread(o_.check_rate, o_.checkers)});
    querier_shared_.emplace(ReaderShared{server_, service_setup_, directory_, counters_, failures_,
                                         PerThread(o_.query_rate, o_.queriers)});
    subscriber_shared_.emplace(SubscriberShared{server_, auditor_setup_, counters_, failures_});
    bad_shared_.emplace(BadClientShared{server_, service_setup_.token, kFrameDeadline,
                                        kHelloDeadline, counters_, failures_});
    for (auto& w : writers_) {
      load_threads_.emplace_back([this, w = w.get()] { w->Run(*writer_shared_, load_stop_); });
    }
    for (int i = 0; i < o_.checkers; ++i) {
      Worker& w = AddWorker("checker-" + std::to_string(i), true);
      load_threads_.emplace_back([this, &w, seed = o_.seed * 31 + static_cast<uint64_t>(i)] {
        RunChecker(*checker_shared_, w, seed, load_stop_);
      });
    }
    for (int i = 0; i < o_.queriers; ++i) {
      Worker& w = AddWorker("querier-" + std::to_string(i), true);
      load_threads_.emplace_back([this, &w, seed = o_.seed * 37 + static_cast<uint64_t>(i)] {
        RunQuerier(*querier_shared_, w, seed, load_stop_);
      });
    }
    for (int i = 0; i < o_.subscribers; ++i) {
      Worker& w = AddWorker("subscriber-" + std::to_string(i), true);
      subscriber_threads_.emplace_back([this, &w, seed = o_.seed * 41 + static_cast<uint64_t>(i)] {
        RunSubscriber(*subscriber_shared_, w, seed, subscribers_stop_);
      });
    }
    Worker& garbage = AddWorker("garbage-client", false);
    load_threads_.emplace_back([this, &garbage] {
      RunGarbageClient(*bad_shared_, garbage, o_.seed * 43, o_.garbage_rate, load_stop_);
    });
    Worker& holding = AddWorker("holding-clients", false);
    load_threads_.emplace_back([this, &holding] {
      RunHoldingClients(*bad_shared_, holding, o_.stalled, o_.silent, load_stop_);
    });
    const double rss_interval_s = std::clamp(RssBucketSeconds(o_.minutes * 60) / 6, 1.0, 10.0);
    monitor_ = std::make_unique<Monitor>(
        server_, well_behaved_, failures_, std::chrono::seconds(o_.window_s),
        std::chrono::milliseconds(static_cast<int64_t>(rss_interval_s * 1000)), start_);
    monitor_thread_ = std::thread([this] { monitor_->Run(watch_stop_); });
    auditor_thread_ = std::thread([this] {
      RunAuditor(AuditorShared{server_, admin_setup_, logs_, counters_, failures_}, watch_stop_);
    });
  }

  // Kills rosterd at random moments, and starts it again, until the time is up.
  void Load() {
    watchdog_.Phase("under load, killing rosterd at random moments");
    std::mt19937_64 rng(o_.seed);
    auto next_progress = Clock::now() + std::chrono::seconds(10);
    while (true) {
      const double uptime =
          std::uniform_real_distribution<double>(o_.kill_min_s, o_.kill_max_s)(rng);
      const auto kill_at =
          server_.Get().up_since + std::chrono::milliseconds(static_cast<int64_t>(uptime * 1000));
      bool crashed = false;
      while (!crashed && Clock::now() < std::min(kill_at, load_end_)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (const int status = child_->Wait(std::chrono::milliseconds(0)); status != -1) {
          failures_.Add("CRASH: rosterd exited on its own with status " + std::to_string(status) +
                        "; its log ends:\n" + child_->StderrTail(3000));
          figures_.crashes++;
          crashed = true;
        }
        if (Clock::now() < next_progress) continue;
        next_progress += std::chrono::seconds(10);
        PrintProgress(Clock::now() - start_, load_end_ - start_, counters_, figures_.kills,
                      ReadMemory(child_->pid()), failures_.count());
      }
      if (!crashed) {
        if (Clock::now() >= load_end_) break;
        monitor_->SamplePeakBeforeKill();
        server_.SetDown();
        child_->Signal(SIGKILL);
        const int status = child_->Wait(std::chrono::seconds(10));
        if (status != 128 + SIGKILL) {
          failures_.Add("rosterd, killed, exited with " + std::to_string(status) +
                        "; its log ends:\n" + child_->StderrTail(3000));
        }
        figures_.kills++;
      }
      server_.SetDown();
      child_.reset();
      // A little time down: clients find it gone, and reconnect to the next one.
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 500));
      StartRosterd();
    }
    figures_.load_seconds = Seconds(Clock::now() - start_);
  }

  void StopLoad() {
    watchdog_.Phase("stopping the load (writers deliver the command in flight)");
    load_stop_ = true;
    for (auto& t : load_threads_) t.join();
    watch_stop_ = true;
    monitor_thread_.join();
    auditor_thread_.join();
  }

  void Prove() {
    auto admin = ConnectWhenUp(server_, admin_setup_, "soak-final", [] { return false; });
    const uint64_t last = LastPosition(*admin);
    watchdog_.Phase("retrying every acknowledged command");
    final_retry_ = RetryEveryAcknowledged(logs_, server_, admin_setup_, failures_, 2);
    watchdog_.Phase("reading the whole log back");
    scan_ = ScanLog(*admin, last, logs_, failures_);
    watchdog_.Phase("reading what rosterd serves");
    std::vector<std::string> orgs;
    std::vector<std::string> owners;
    for (const auto& w : writers_) {
      orgs.insert(orgs.end(), w->mix().orgs().begin(), w->mix().orgs().end());
      owners.insert(owners.end(), w->mix().owners().begin(), w->mix().owners().end());
    }
    const ReadModels served = ReadServedModels(*admin, last, orgs, owners, failures_);
    admin.reset();

    watchdog_.Phase("stopping rosterd with SIGTERM");
    subscribers_stop_ = true;
    StopRosterd();
    for (auto& t : subscriber_threads_) t.join();

    watchdog_.Phase("roster-admin verify");
    const std::string admin_tool = o_.admin.string() + " --data-dir " + data_.string();
    const ToolRun verify = RunTool(admin_tool + " verify 2>&1");
    figures_.verify_ok = verify.status == 0;
    figures_.verify_line = FirstLineWith(verify.out, "verify:");
    if (!figures_.verify_ok) failures_.Add("roster-admin verify failed: " + verify.out);
    watchdog_.Phase("roster-admin rebuild");
    const ToolRun rebuild = RunTool(admin_tool + " rebuild 2>&1");
    if (rebuild.status != 0) failures_.Add("roster-admin rebuild failed: " + rebuild.out);

    watchdog_.Phase("reading what rosterd serves after the rebuild");
    StartRosterd();
    admin = ConnectWhenUp(server_, admin_setup_, "soak-final", [] { return false; });
    if (const uint64_t after = LastPosition(*admin); after != last) {
      failures_.Add("after the rebuild the log ends at " + std::to_string(after) + " instead of " +
                    std::to_string(last));
    }
    const ReadModels rebuilt = ReadServedModels(*admin, last, orgs, owners, failures_);
    admin.reset();
    figures_.listings_compared = served.size();
    figures_.listings_differ = CompareReadModels(served, rebuilt, failures_);
    StopRosterd();

    figures_.rss =
        JudgeRss(monitor_->samples(), o_.minutes * 60, o_.rss_factor, o_.rss_factor_short);
    if (figures_.rss.judged && !figures_.rss.ok) {
      failures_.Add(
          "MEMORY: rosterd's peak RSS grew from " +
          std::to_string(static_cast<int>(figures_.rss.early_mib)) + " MiB after the warm-up to " +
          std::to_string(static_cast<int>(figures_.rss.late_mib)) + " MiB at the end, more than " +
          std::to_string(figures_.rss.factor).substr(0, 4) + "x");
    }
  }

  int Report() {
    Figures& f = figures_;
    const Counters& c = counters_;
    f.commands_appended = c.commands_appended;
    f.commands_no_change = c.commands_no_change;
    f.commands_rejected = c.commands_rejected;
    f.commands_acknowledged = f.commands_appended + f.commands_no_change + f.commands_rejected;
    f.commands_resent = c.resent;
    f.resent_found_applied = c.resent_found_applied;
    f.orgs_created = c.orgs_created;
    f.orgs_deleted = c.orgs_deleted;
    f.checks = c.checks;
    f.queries = c.queries;
    f.queries_refused = c.queries_refused;
    f.subscription_records = c.subscription_records;
    f.subscriptions_reconnected = c.subscriptions_reconnected;
    f.subscriptions_broken = c.subscriptions_broken;
    f.bad_garbage = c.bad_garbage;
    f.bad_stalled = c.bad_stalled;
    f.bad_silent = c.bad_silent;
    f.acks_checked_after_kills = c.acks_checked_after_kills;
    f.final_retried = final_retry_.answered;
    f.log_records = scan_.records;
    f.log_commands = scan_.commands;
    f.lost = c.lost + final_retry_.lost + scan_.misplaced;
    f.twice = scan_.twice;
    f.unacknowledged = scan_.unacknowledged;
    f.longest_wait_s = monitor_->longest_wait_s();
    f.longest_wait_worker = monitor_->longest_wait_worker();
    f.up_seconds = monitor_->up_seconds();
    f.total_seconds = Seconds(Clock::now() - start_);
    f.failures = failures_.count();
    f.pass = f.failures == 0;
    PrintReport(f, failures_.First(20));
    if (f.pass && !o_.keep) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    } else {
      std::printf("roster-soak: data and rosterd's log kept in %s\n", dir_.c_str());
    }
    std::fflush(stdout);
    return f.pass ? 0 : 1;
  }

  Worker& AddWorker(const std::string& name, bool well_behaved) {
    workers_.push_back(std::make_unique<Worker>(name, well_behaved));
    if (well_behaved) well_behaved_.push_back(workers_.back().get());
    return *workers_.back();
  }

  void StartRosterd() {
    const auto t0 = Clock::now();
    tests::RosterdOptions options;
    options.binary = o_.rosterd;
    options.data_dir = data_;
    options.stderr_path = log_;
    options.extra_args = {"--frame-deadline-ms", std::to_string(kFrameDeadline.count()),
                          "--hello-deadline-ms", std::to_string(kHelloDeadline.count()),
                          "--model-cache-mb",    std::to_string(o_.model_cache_mb),
                          "--storage-cache-mb",  std::to_string(o_.storage_cache_mb)};
    // A start replays more history as the run goes on.
    options.start_timeout = std::chrono::seconds(120);
    child_ = std::make_unique<tests::Rosterd>(std::move(options));
    if (child_->port() == 0) {
      Fatal("rosterd did not start: " + child_->error() + "; its log ends:\n" +
            child_->StderrTail(3000));
    }
    figures_.longest_start_s = std::max(figures_.longest_start_s, Seconds(Clock::now() - t0));
    server_.SetUp(child_->port(), child_->pid());
  }

  void StopRosterd() {
    server_.SetDown();
    child_->Signal(SIGTERM);
    const int status = child_->Wait(std::chrono::seconds(30));
    if (status != 0) {
      failures_.Add("rosterd stopped by SIGTERM exited with " + std::to_string(status) +
                    "; its log ends:\n" + child_->StderrTail(3000));
    }
    child_.reset();
  }

  // Without a rosterd nothing more can be proven: the report so far, and out (the threads are
  // not joined: they wait for a rosterd that will not come).
  [[noreturn]] void Fatal(const std::string& why) {
    failures_.Add(why);
    child_.reset();
    figures_.failures = failures_.count();
    PrintReport(figures_, failures_.First(20));
    std::printf("roster-soak: data kept in %s\n", dir_.c_str());
    std::fflush(stdout);
    std::_Exit(1);
  }

  const SoakOptions& o_;
  const Clock::time_point start_;
  const Clock::time_point load_end_;
  Watchdog watchdog_;
  const std::filesystem::path dir_;
  const std::filesystem::path data_;
  const std::filesystem::path log_;
  ServerState server_;
  Failures failures_;
  Counters counters_;
  Figures figures_;
  std::unique_ptr<tests::Rosterd> child_;
  ClientSetup admin_setup_;
  ClientSetup service_setup_;
  ClientSetup auditor_setup_;
  Directory directory_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<Worker*> well_behaved_;
  std::vector<std::unique_ptr<Writer>> writers_;
  std::vector<const AckLog*> logs_;
  std::optional<WriterShared> writer_shared_;
  std::optional<ReaderShared> checker_shared_;
  std::optional<ReaderShared> querier_shared_;
  std::optional<SubscriberShared> subscriber_shared_;
  std::optional<BadClientShared> bad_shared_;
  std::atomic<bool> load_stop_{false};
  std::atomic<bool> watch_stop_{false};
  std::atomic<bool> subscribers_stop_{false};
  std::vector<std::thread> load_threads_;
  std::vector<std::thread> subscriber_threads_;
  std::unique_ptr<Monitor> monitor_;
  std::thread monitor_thread_;
  std::thread auditor_thread_;
  RetryOutcome final_retry_;
  LogScan scan_;
};

}  // namespace

int RunSoak(const SoakOptions& options) {
  std::string pattern = (options.base_dir / "roster-soak-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    std::fprintf(stderr, "roster-soak: cannot create a directory in %s\n",
                 options.base_dir.c_str());
    return 1;
  }
  std::printf("roster-soak: %.1f minutes, ROSTER_SOAK_SEED=%llu, data in %s\n", options.minutes,
              static_cast<unsigned long long>(options.seed), pattern.c_str());
  std::fflush(stdout);
  return SoakRun(options, pattern).Run();
}

}  // namespace roster::tools::soak
