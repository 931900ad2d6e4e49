#include "domain/activity.h"

#include "domain/internal/decide_support.h"

namespace roster::domain {
namespace {

void See(ActivityState& s, const UserId& user, Time at) {
  auto [it, inserted] = s.last_seen.try_emplace(user, at);
  if (!inserted && it->second < at) it->second = at;
}

internal::Check RequireKnownUser(const OrganizationState& org, const UserId& actor) {
  if (auto ok = internal::RequireLive(org); !ok) return ok;
  if (org.FindMember(actor) != nullptr || org.direct_projects.contains(actor)) return {};
  return Reject(ErrorCode::kNotFound, "User " + actor.value + " has no access to organization " +
                                          org.org_id.value + "; nothing to record.");
}

}  // namespace

void ApplyActivity(ActivityState& state, const Event& event) {
  if (const auto* e = std::get_if<MemberLoggedIn>(&event)) See(state, e->user_id, e->at);
  if (const auto* e = std::get_if<MemberActive>(&event)) See(state, e->user_id, e->at);
}

Decision DecideActivity(const OrganizationState& org, const ActivityState& activity,
                        const UserId& actor, const ActivityCommand& command, Time now,
                        const ActivityPolicy& policy) {
  if (auto ok = RequireKnownUser(org, actor); !ok) return std::unexpected(ok.error());
  if (const auto* login = std::get_if<RecordLogin>(&command)) {
    if (auto ok = internal::ValidateText("IP address", login->ip, 64); !ok) {
      return std::unexpected(ok.error());
    }
    if (auto ok = internal::ValidateText("User agent", login->user_agent, 512); !ok) {
      return std::unexpected(ok.error());
    }
    return std::vector<Event>{MemberLoggedIn{actor, now, login->ip, login->user_agent}};
  }
  if (auto it = activity.last_seen.find(actor);
      it != activity.last_seen.end() && now - it->second < policy.coalesce_window) {
    return std::vector<Event>{};  // coalesced: recorded recently enough
  }
  return std::vector<Event>{MemberActive{actor, now}};
}

}  // namespace roster::domain
