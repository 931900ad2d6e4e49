// Given events / when command / then events or rejection: the form of every domain test.
//
//   Given(OrgCreated("commerce"), Joined("m2", "mgr", "Manager"))
//       .When("mgr", ChangeRole{User("owner"), "Editor"})
//       .ThenRejected(ErrorCode::kEscalation);
//
// Given folds the history with Apply; When runs Decide on the resulting state (it does not
// change the scenario); Then* report failures at the caller's line. Run decides, requires
// acceptance and applies, for scenarios that walk several steps. Test-only code.
#pragma once

#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include "domain/access.h"
#include "domain/decide.h"
#include "domain/testing/describe.h"

namespace roster::domain::testing {

// 2026-01-01T00:00:00Z: the reference "now" of the tests.
inline const Time kT0 = FromMicros(1'767'225'600'000'000);

inline UserId User(std::string_view id) { return UserId(id); }
// A normalized email; the raw text must be valid.
Email Mail(std::string_view raw);
// The address a test user signs in with: "<user>@example.com".
std::string EmailOf(std::string_view user);

// History builders: events as the aggregate records them.
// OrganizationCreated with the preset's catalog plus the creator joining as owner ("m1").
std::vector<Event> OrgCreated(std::string_view preset, std::string_view owner = "owner",
                              std::string_view org = "org-1");
// A member joining with EmailOf(user), as if through invitation "inv-<membership>".
MemberJoined Joined(std::string_view membership, std::string_view user, std::string_view role);
// An invitation sent at `sent` with the default 7 day lifetime.
InvitationSent Invited(std::string_view invitation, std::string_view email, std::string_view role,
                       std::string_view inviter, std::string_view token_hash, Time sent = kT0,
                       int ttl_days = 7);
ProjectCreated ProjectMade(std::string_view project, std::string_view name = "");
ProjectMemberAdded ProjectMember(std::string_view project, std::string_view user,
                                 std::string_view role);

class Scenario;

class Verdict {
 public:
  Verdict(OrganizationState before, Decision decision);

  const Verdict& ThenEvents(const std::vector<Event>& expected,
                            std::source_location loc = std::source_location::current()) const;
  // Accepted, and the events have exactly these type names in this order.
  const Verdict& ThenEventTypes(const std::vector<std::string_view>& types,
                                std::source_location loc = std::source_location::current()) const;
  // Accepted with nothing to record.
  const Verdict& ThenNoEvents(std::source_location loc = std::source_location::current()) const;
  const Verdict& ThenAccepted(std::source_location loc = std::source_location::current()) const;
  const Verdict& ThenRejected(ErrorCode code,
                              std::source_location loc = std::source_location::current()) const;

  bool accepted() const { return decision_.has_value(); }
  // The events of an accepted decision; empty when rejected.
  const std::vector<Event>& events() const;
  // The rejection; a default (INVALID_ARGUMENT, empty message) when accepted.
  const Rejection& rejection() const;
  // The state the command was decided on, with the events applied.
  OrganizationState StateAfter() const;

 private:
  OrganizationState before_;
  Decision decision_;
};

class Scenario {
 public:
  explicit Scenario(std::vector<Event> history);

  Verdict When(std::string_view actor, const Command& command, Time now = kT0) const;
  // Decides, requires acceptance (a test failure otherwise) and applies. Returns the events.
  std::vector<Event> Run(std::string_view actor, const Command& command, Time now = kT0,
                         std::source_location loc = std::source_location::current());
  void Apply(const std::vector<Event>& events);

  const OrganizationState& state() const { return state_; }
  const std::vector<Event>& history() const { return history_; }
  CheckResult Check(std::string_view user, Permission permission) const;
  CheckResult Check(std::string_view user, Permission permission, std::string_view project) const;

 private:
  OrganizationState state_;
  std::vector<Event> history_;
};

namespace detail {
inline void Append(std::vector<Event>& out, const Event& e) { out.push_back(e); }
inline void Append(std::vector<Event>& out, const std::vector<Event>& es) {
  out.insert(out.end(), es.begin(), es.end());
}
}  // namespace detail

// Given(parts...): each part is an event or a vector of events, folded in order.
template <class... Parts>
Scenario Given(const Parts&... parts) {
  std::vector<Event> history;
  (detail::Append(history, parts), ...);
  return Scenario(std::move(history));
}

}  // namespace roster::domain::testing
