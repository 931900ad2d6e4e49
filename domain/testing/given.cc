#include "domain/testing/given.h"

#include <gtest/gtest.h>

#include "domain/presets.h"

namespace roster::domain::testing {
namespace {

void Fail(const std::source_location& loc, const std::string& message) {
  ADD_FAILURE_AT(loc.file_name(), static_cast<int>(loc.line())) << message;
}

std::string Got(const Decision& d) {
  if (!d) return "rejected: " + Describe(d.error()) + "\n";
  return "accepted with events:\n" + Describe(*d);
}

}  // namespace

Email Mail(std::string_view raw) {
  auto e = Email::Parse(raw);
  if (!e) {
    ADD_FAILURE() << "test email '" << raw << "' is invalid: " << e.error().message;
    return Email();
  }
  return *e;
}

std::string EmailOf(std::string_view user) { return std::string(user) + "@example.com"; }

std::vector<Event> OrgCreated(std::string_view preset, std::string_view owner,
                              std::string_view org) {
  std::optional<RoleCatalog> catalog = PresetCatalog(preset);
  if (!catalog) ADD_FAILURE() << "unknown preset " << preset;
  const std::string owner_role = catalog ? catalog->owner_role() : "";
  return {
      OrganizationCreated{OrgId(org), "Org " + std::string(org), catalog.value_or(RoleCatalog()),
                          OrgSettings{}, UserId(owner)},
      MemberJoined{MembershipId("m1"), UserId(owner), Mail(EmailOf(owner)), "", owner_role,
                   InvitationId()},
  };
}

MemberJoined Joined(std::string_view membership, std::string_view user, std::string_view role) {
  return MemberJoined{MembershipId(membership), UserId(user),
                      Mail(EmailOf(user)),      "",
                      std::string(role),        InvitationId("inv-" + std::string(membership))};
}

InvitationSent Invited(std::string_view invitation, std::string_view email, std::string_view role,
                       std::string_view inviter, std::string_view token_hash, Time sent,
                       int ttl_days) {
  return InvitationSent{InvitationId(invitation),
                        Mail(email),
                        "",
                        std::string(role),
                        UserId(inviter),
                        std::string(token_hash),
                        sent,
                        sent + Days(ttl_days)};
}

ProjectCreated ProjectMade(std::string_view project, std::string_view name) {
  return ProjectCreated{ProjectId(project),
                        name.empty() ? "Project " + std::string(project) : std::string(name)};
}

ProjectMemberAdded ProjectMember(std::string_view project, std::string_view user,
                                 std::string_view role) {
  return ProjectMemberAdded{ProjectId(project), UserId(user), std::string(role)};
}

// ---- Verdict

Verdict::Verdict(OrganizationState before, Decision decision)
    : before_(std::move(before)), decision_(std::move(decision)) {}

const Verdict& Verdict::ThenEvents(const std::vector<Event>& expected,
                                   std::source_location loc) const {
  if (!decision_ || *decision_ != expected) {
    Fail(loc, "expected events:\n" + Describe(expected) + "but the command was " + Got(decision_));
  }
  return *this;
}

const Verdict& Verdict::ThenEventTypes(const std::vector<std::string_view>& types,
                                       std::source_location loc) const {
  std::vector<std::string_view> got;
  if (decision_) {
    for (const Event& e : *decision_) got.push_back(EventType(e));
  }
  if (!decision_ || got != types) {
    std::string want;
    for (auto t : types) want += "  " + std::string(t) + "\n";
    Fail(loc, "expected event types:\n" + want + "but the command was " + Got(decision_));
  }
  return *this;
}

const Verdict& Verdict::ThenNoEvents(std::source_location loc) const { return ThenEvents({}, loc); }

const Verdict& Verdict::ThenAccepted(std::source_location loc) const {
  if (!decision_) Fail(loc, "expected acceptance but the command was " + Got(decision_));
  return *this;
}

const Verdict& Verdict::ThenRejected(ErrorCode code, std::source_location loc) const {
  if (decision_ || decision_.error().code != code) {
    Fail(loc, "expected rejection " + std::string(ErrorCodeName(code)) + " but the command was " +
                  Got(decision_));
  }
  return *this;
}

const std::vector<Event>& Verdict::events() const {
  static const std::vector<Event> kNone;
  return decision_ ? *decision_ : kNone;
}

const Rejection& Verdict::rejection() const {
  static const Rejection kNone{ErrorCode::kInvalidArgument, ""};
  return decision_ ? kNone : decision_.error();
}

OrganizationState Verdict::StateAfter() const {
  OrganizationState s = before_;
  for (const Event& e : events()) domain::Apply(s, e);
  return s;
}

// ---- Scenario

Scenario::Scenario(std::vector<Event> history) : history_(std::move(history)) {
  for (const Event& e : history_) domain::Apply(state_, e);
}

Verdict Scenario::When(std::string_view actor, const Command& command, Time now) const {
  return Verdict(state_, Decide(state_, UserId(actor), command, now));
}

std::vector<Event> Scenario::Run(std::string_view actor, const Command& command, Time now,
                                 std::source_location loc) {
  Decision d = Decide(state_, UserId(actor), command, now);
  if (!d) {
    Fail(loc, std::string(CommandName(command)) + " by " + std::string(actor) +
                  " was expected to be accepted but was " + Got(d));
    return {};
  }
  Apply(*d);
  return *d;
}

void Scenario::Apply(const std::vector<Event>& events) {
  for (const Event& e : events) {
    domain::Apply(state_, e);
    history_.push_back(e);
  }
}

CheckResult Scenario::Check(std::string_view user, Permission permission) const {
  return domain::Check(state_, UserId(user), permission);
}

CheckResult Scenario::Check(std::string_view user, Permission permission,
                            std::string_view project) const {
  return domain::Check(state_, UserId(user), permission, ProjectId(project));
}

}  // namespace roster::domain::testing
