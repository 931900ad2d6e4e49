// ExpirySweeper: records InvitationExpired for every invitation whose time has passed.
//
// The invitations read model says which organizations have overdue pending invitations; for
// each, an ExpireInvitations command goes through the command service, so the aggregate
// decides, from its own state, which invitations to expire: running the sweep twice, or after
// a restart, never records an expiry twice. Runs once at Start and then every `interval`.
// Thread-safety: thread-safe; borrows the service, engine and clock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "api/service/command_service.h"
#include "projections/projection_engine.h"

namespace spdlog {
class logger;
}

namespace roster::api::service {

inline constexpr std::string_view kSweeperPrincipal = "roster:expiry-sweeper";

class ExpirySweeper {
 public:
  ExpirySweeper(CommandService& commands, projections::ProjectionEngine& engine,
                const domain::Clock& clock, std::chrono::milliseconds interval,
                std::shared_ptr<spdlog::logger> logger);
  ~ExpirySweeper();

  void Start();
  void Stop();
  // One pass; returns how many invitations it expired.
  Result<size_t> SweepOnce();

 private:
  CommandService& commands_;
  projections::ProjectionEngine& engine_;
  const domain::Clock& clock_;
  std::chrono::milliseconds interval_;
  std::shared_ptr<spdlog::logger> logger_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace roster::api::service
