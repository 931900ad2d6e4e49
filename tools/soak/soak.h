// A soak: rosterd as a child on a temporary data directory, under a mixed load from many
// client threads (commands, permission checks, queries, subscriptions, bad clients), killed
// with SIGKILL at random moments and started again on the same data, for a given time; then
// the proofs (docs/testing.md, "The soak"). RunSoak returns the exit code: 0 when everything
// held, 1 on any failure. It must run on the main thread: rosterd is started from it and dies
// with it (PR_SET_PDEATHSIG follows the thread that forked).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace roster::tools::soak {

struct SoakOptions {
  double minutes = 2;
  uint64_t seed = 1;
  int writers = 8;
  size_t slots = 3;  // organizations each writer keeps alive at once
  int checkers = 3;
  int queriers = 3;
  int subscribers = 3;
  double command_rate = 500;  // per second, all writers together; 0: unpaced
  double check_rate = 1500;
  double query_rate = 300;
  double kill_min_s = 10;  // rosterd's uptime before a kill, drawn in [min, max]
  double kill_max_s = 40;
  int window_s = 10;        // a well-behaved client must complete a request within this, while up
  double rss_factor = 1.5;  // runs of 10 minutes or more (rss.h)
  double rss_factor_short = 2.0;  // shorter runs
  // rosterd's caches, small: what fills with the data reaches its bound during the warm-up, so
  // that growth after it is memory without a bound, not a cache filling up; and the read models
  // evict and reload organizations all run long, under the kills.
  int model_cache_mb = 1;
  int storage_cache_mb = 4;
  double garbage_rate = 5;  // garbage connections per second
  size_t stalled = 8;       // connections kept stalled mid-frame
  size_t silent = 8;        // connections kept silent
  std::filesystem::path rosterd;
  std::filesystem::path admin;
  std::filesystem::path base_dir;  // where the temporary data directory goes
  bool keep = false;               // keep the data directory after a pass too
};

int RunSoak(const SoakOptions& options);

}  // namespace roster::tools::soak
