// What the soak's threads share: where rosterd is now, the failures found, each client
// thread's progress (for the starvation check) and the run's counters. Thread-safe.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/client/client.h"

namespace roster::tools::soak {

using Clock = std::chrono::steady_clock;

// rosterd's current incarnation: clients read the port before each connect, since every start
// listens on a new free port.
class ServerState {
 public:
  struct View {
    bool up = false;
    uint16_t port = 0;
    pid_t pid = -1;
    uint64_t incarnation = 0;  // starts so far
    Clock::time_point up_since;
  };
  void SetUp(uint16_t port, pid_t pid);
  void SetDown();
  View Get() const;

 private:
  mutable std::mutex mu_;
  View view_;
};

// Every failure the soak finds; the run fails when there is one. Each is also printed on
// stderr as it is found (the first 100), so a long run shows trouble at once.
class Failures {
 public:
  void Add(const std::string& what);
  size_t count() const;
  std::vector<std::string> First(size_t n) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> first_;
  size_t count_ = 0;
};

// One client thread. A well-behaved one must complete a request in every window while rosterd
// is up; the bad clients are tracked only for their figures.
struct Worker {
  Worker(std::string n, bool good) : name(std::move(n)), well_behaved(good) {}
  void Completed() {
    completed.fetch_add(1, std::memory_order_relaxed);
    last_completed_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  }
  Clock::time_point last_completed() const {
    return Clock::time_point(Clock::duration(last_completed_ns.load(std::memory_order_relaxed)));
  }

  const std::string name;
  const bool well_behaved;
  std::atomic<uint64_t> completed{0};
  std::atomic<int64_t> last_completed_ns{0};
};

// The figures the report prints. Relaxed atomics: read once the threads are joined, or as
// progress.
struct Counters {
  std::atomic<uint64_t> commands_appended{0};     // accepted with events: the log holds them
  std::atomic<uint64_t> commands_no_change{0};    // accepted, nothing to record
  std::atomic<uint64_t> commands_rejected{0};     // rejections the mix meant (doomed commands)
  std::atomic<uint64_t> resent{0};                // sent again after a connection broke
  std::atomic<uint64_t> resent_found_applied{0};  // ... and answered as a duplicate
  std::atomic<uint64_t> orgs_created{0};
  std::atomic<uint64_t> orgs_deleted{0};
  std::atomic<uint64_t> checks{0};
  std::atomic<uint64_t> queries{0};
  std::atomic<uint64_t> queries_refused{0};  // PERMISSION_DENIED / NOT_FOUND: a legal answer
  std::atomic<uint64_t> subscription_records{0};
  std::atomic<uint64_t> subscriptions_reconnected{0};  // closed on purpose, then resumed
  std::atomic<uint64_t> subscriptions_broken{0};       // cut by a kill, then resumed
  std::atomic<uint64_t> acks_checked_after_kills{0};
  std::atomic<uint64_t> lost{0};  // acknowledged commands whose retry after a kill was wrong
  std::atomic<uint64_t> bad_garbage{0};
  std::atomic<uint64_t> bad_stalled{0};
  std::atomic<uint64_t> bad_silent{0};
};

// Options of every client connection the soak opens.
struct ClientSetup {
  std::string token;
  std::chrono::milliseconds timeout{15000};
};

// Connects to the current rosterd, retrying (rosterd may be down or starting) until connected
// or until `give_up()` is true (then nullptr).
std::unique_ptr<api::client::Client> ConnectWhenUp(const ServerState& server,
                                                   const ClientSetup& setup,
                                                   const std::string& client_name,
                                                   const std::function<bool()>& give_up);

}  // namespace roster::tools::soak
