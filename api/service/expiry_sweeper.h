// ExpirySweeper: records InvitationExpired for every invitation whose time has passed.
//
// The invitations read model says which organizations have overdue pending invitations; for
// each, an ExpireInvitations command goes through the command service, so the aggregate
// decides, from its own state, which invitations to expire: running the sweep twice, or after
// a restart, never records an expiry twice. Runs once at Start and then every `interval`.
// When several nodes share a log, `hold` (a PostgreSQL advisory lock) says whether this node is
// the one that sweeps now; the others skip their turn, and take over once the holder is gone.
// Thread-safety: thread-safe; borrows the service, engine and clock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "api/service/command_service.h"
#include "projections/projection_engine.h"

namespace spdlog {
class logger;
}

namespace roster::api::service {

inline constexpr std::string_view kSweeperPrincipal = "roster:expiry-sweeper";

// Whether this node may sweep now (empty: always, the log is its own).
using SweepHold = std::function<Result<bool>()>;

class ExpirySweeper {
 public:
  ExpirySweeper(CommandService& commands, projections::ProjectionEngine& engine,
                const domain::Clock& clock, std::chrono::milliseconds interval,
                std::shared_ptr<spdlog::logger> logger, SweepHold hold = {});
  ~ExpirySweeper();

  void Start();
  void Stop();
  // Runs the background thread's next turn now (the test clock moved; no-op when not started).
  void Wake();
  // One pass; returns how many invitations it expired.
  Result<size_t> SweepOnce();
  // One pass if this node holds the sweep (what each turn of the background thread does);
  // nullopt when another node does.
  Result<std::optional<size_t>> SweepIfHeld();

 private:
  CommandService& commands_;
  projections::ProjectionEngine& engine_;
  const domain::Clock& clock_;
  std::chrono::milliseconds interval_;
  std::shared_ptr<spdlog::logger> logger_;
  SweepHold hold_;
  bool held_ = false;  // at the last turn (to log changes only); sweeper thread only
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace roster::api::service
