// roster-soak: rosterd under a mixed load with faults (kills, bad clients) for a given time,
// then proof that nothing acknowledged was lost, the chain verifies, the read models equal a
// rebuild, memory did not grow with the run and no client starved. docs/testing.md, "The
// soak", says what it does and what each figure means. Exit 0: every check held; 1: a
// failure (listed); 2: bad usage; 3: the watchdog ended a run that hung.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "tools/cli_checks.h"
#include "tools/soak/soak.h"

namespace {

// The folder of this program: rosterd and roster-admin are built beside it.
std::filesystem::path ProgramDir() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::current_path() : self.parent_path();
}

double EnvNumber(const char* name, double fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtod(value, nullptr) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using roster::tools::soak::SoakOptions;
  SoakOptions o;
  o.minutes = EnvNumber("ROSTER_SOAK_MINUTES", 2);
  const char* seed = std::getenv("ROSTER_SOAK_SEED");
  o.seed = seed && *seed
               ? std::strtoull(seed, nullptr, 10)
               : static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() %
                                       1000000007);
  o.rosterd = ProgramDir() / "rosterd";
  o.admin = ProgramDir() / "roster-admin";
  const char* tmp = std::getenv("TMPDIR");
  o.base_dir = tmp && *tmp ? tmp : "/tmp";

  CLI::App app{"roster-soak: rosterd under mixed load, bad clients and kills, then the proofs"};
  app.add_option("--minutes", o.minutes, "time under load (env ROSTER_SOAK_MINUTES; default 2)")
      ->check(CLI::Range(0.1, 100000.0));
  app.add_option("--seed", o.seed, "the load's and the kills' seed (env ROSTER_SOAK_SEED)");
  app.add_option("--writers", o.writers, "command threads")->check(CLI::Range(1, 256));
  app.add_option("--orgs-per-writer", o.slots, "organizations each writer keeps alive at once")
      ->check(CLI::Range(1, 1000));
  app.add_option("--checkers", o.checkers, "permission-check threads")->check(CLI::Range(1, 256));
  app.add_option("--queriers", o.queriers, "query threads")->check(CLI::Range(1, 256));
  app.add_option("--subscribers", o.subscribers, "subscription threads")->check(CLI::Range(1, 16));
  app.add_option("--command-rate", o.command_rate, "commands per second in all; 0: unpaced")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--check-rate", o.check_rate, "checks per second in all; 0: unpaced")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--query-rate", o.query_rate, "queries per second in all; 0: unpaced")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--kill-min", o.kill_min_s, "shortest uptime before a kill, seconds")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--kill-max", o.kill_max_s, "longest uptime before a kill, seconds")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--window", o.window_s, "a well-behaved client must be served within, seconds")
      ->check(CLI::Range(2, 3600));
  app.add_option("--rss-factor", o.rss_factor,
                 "late peak RSS over early peak RSS allowed, runs of 10 minutes or more")
      ->check(CLI::Range(1.0, 100.0));
  app.add_option("--rss-factor-short", o.rss_factor_short, "the same, shorter runs")
      ->check(CLI::Range(1.0, 100.0));
  app.add_option("--model-cache-mb", o.model_cache_mb, "rosterd's --model-cache-mb")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--storage-cache-mb", o.storage_cache_mb, "rosterd's --storage-cache-mb")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--garbage-rate", o.garbage_rate, "garbage connections per second")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--stalled", o.stalled, "connections kept stalled mid-frame");
  app.add_option("--silent", o.silent, "connections kept silent");
  app.add_option("--rosterd", o.rosterd, "the rosterd binary (default: beside this program)");
  app.add_option("--admin", o.admin, "the roster-admin binary (default: beside this program)");
  app.add_option("--dir", o.base_dir, "where the temporary data directory goes (default $TMPDIR)");
  app.add_flag("--keep", o.keep, "keep the data directory after a pass too");
  if (auto stop = roster::tools::ParseCommandLine(app, argc, argv)) return *stop;
  if (o.kill_max_s < o.kill_min_s) {
    std::fprintf(stderr, "roster-soak: --kill-max is below --kill-min\n");
    return 2;
  }
  return roster::tools::soak::RunSoak(o);
}
