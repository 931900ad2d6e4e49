#include "api/service/expiry_sweeper.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "projections/invitations_projection.h"

namespace roster::api::service {

ExpirySweeper::ExpirySweeper(CommandService& commands, projections::ProjectionEngine& engine,
                             const domain::Clock& clock, std::chrono::milliseconds interval,
                             std::shared_ptr<spdlog::logger> logger, SweepHold hold)
    : commands_(commands),
      engine_(engine),
      clock_(clock),
      interval_(interval),
      logger_(std::move(logger)),
      hold_(std::move(hold)) {}

ExpirySweeper::~ExpirySweeper() { Stop(); }

Result<size_t> ExpirySweeper::SweepOnce() {
  auto invitations =
      engine_.Active<projections::InvitationsProjection>(projections::InvitationsProjection::kName);
  if (!invitations) return Fail("UNAVAILABLE", "the invitations read model is being rebuilt");
  std::vector<std::string> orgs;
  {
    std::shared_lock lock(invitations->mutex());
    orgs = invitations->OrgsWithOverdueInvitations(domain::ToMicros(clock_.Now()));
  }
  size_t expired = 0;
  const CommandContext ctx{domain::UserId(kSweeperPrincipal), "", "", "rosterd", {}};
  for (const std::string& org : orgs) {
    auto outcome = commands_.Execute(domain::OrgId(org), domain::ExpireInvitations{}, ctx);
    if (!outcome) return std::unexpected(outcome.error());
    expired += outcome->events.size();
  }
  return expired;
}

Result<std::optional<size_t>> ExpirySweeper::SweepIfHeld() {
  if (hold_) {
    auto held = hold_();
    if (!held) return std::unexpected(held.error());
    if (*held != held_ && logger_) {
      logger_->info(*held ? "invitation expiry sweep: this node sweeps (it holds the lock)"
                          : "invitation expiry sweep: another node sweeps");
    }
    held_ = *held;
    if (!*held) return std::optional<size_t>();
  }
  auto swept = SweepOnce();
  if (!swept) return std::unexpected(swept.error());
  return std::optional<size_t>(*swept);
}

void ExpirySweeper::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "roster-sweep");
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto swept = SweepIfHeld();
      if (!swept) {
        logger_->warn("invitation expiry sweep: {}", swept.error().message);
      } else if (*swept && **swept > 0) {
        logger_->info("invitation expiry sweep: {} invitation(s) expired", **swept);
      }
      lock.lock();
      cv_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
      woken_ = false;
    }
  });
}

void ExpirySweeper::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void ExpirySweeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace roster::api::service
