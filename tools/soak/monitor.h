// Monitor: while the load runs, samples rosterd's resident memory and watches that every
// well-behaved client thread keeps completing requests.
//
// Starvation: while rosterd is up, a well-behaved thread that has completed nothing for
// longer than `window` (counted from its last completion, or from rosterd's start when that
// is later) is starved: a failure, once per thread and start. The longest such wait seen is a
// figure of the run.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tools/soak/run_state.h"

namespace roster::tools::soak {

// Resident memory of a process, from /proc/PID/status, in KiB.
struct Memory {
  uint64_t rss_kib = 0;  // VmRSS: now
  uint64_t hwm_kib = 0;  // VmHWM: the peak since the process started
};
std::optional<Memory> ReadMemory(pid_t pid);

struct RssSample {
  double at_s = 0;  // since the run started
  uint64_t incarnation = 0;
  double uptime_s = 0;
  uint64_t rss_kib = 0;  // VmRSS, or for the sample taken just before a kill the peak (VmHWM)
};

class Monitor {
 public:
  Monitor(const ServerState& server, std::vector<Worker*> well_behaved, Failures& failures,
          std::chrono::seconds window, std::chrono::milliseconds rss_interval,
          Clock::time_point start);

  void Run(const std::atomic<bool>& stop);  // the monitor thread's body
  // The peak of the rosterd about to be killed (its VmHWM), so that no incarnation's peak
  // falls between two samples.
  void SamplePeakBeforeKill();

  std::vector<RssSample> samples() const;
  double longest_wait_s() const;
  std::string longest_wait_worker() const;
  double up_seconds() const;  // time watched with rosterd up

 private:
  void SampleMemory(const ServerState::View& view, bool peak);
  void WatchWorkers(const ServerState::View& view);

  const ServerState& server_;
  std::vector<Worker*> workers_;
  Failures& failures_;
  const std::chrono::seconds window_;
  const std::chrono::milliseconds rss_interval_;
  const Clock::time_point start_;
  mutable std::mutex mu_;
  std::vector<RssSample> samples_;
  std::vector<uint64_t> flagged_in_;  // per worker: the start it was last reported starved in
  double longest_wait_s_ = 0;
  std::string longest_wait_worker_;
  double up_seconds_ = 0;
};

}  // namespace roster::tools::soak
