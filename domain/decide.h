// Decide: the Organization aggregate's decision function.
//
// Decide(state, actor, command, now) validates `command` against every rule of SPEC.md
// section 3 and returns the events that record it, or a Rejection. It is pure: no I/O, no
// clock (time is `now`), no randomness (ids it assigns are derived from the state). An
// accepted command may produce no events when it changes nothing (setting a role a member
// already has). Applying the returned events to `state` in order gives the new state.
#pragma once

#include <expected>
#include <optional>
#include <vector>

#include "domain/commands.h"
#include "domain/error.h"
#include "domain/events.h"
#include "domain/organization_state.h"

namespace roster::domain {

using Decision = std::expected<std::vector<Event>, Rejection>;

Decision Decide(const OrganizationState& state, const UserId& actor, const Command& command,
                Time now);

// InviteMembers entry by entry: `entries[i]` is the rejection of command.entries[i], or empty
// when it was accepted; the accepted entries' events are `events`, in entry order (each
// InvitationSent possibly preceded by the InvitationExpired of the overdue invitation it
// replaces). Decide on an InviteMembers returns exactly these events.
struct BulkInviteDecision {
  std::vector<Event> events;
  std::vector<std::optional<Rejection>> entries;
};
std::expected<BulkInviteDecision, Rejection> DecideInviteMembers(const OrganizationState& state,
                                                                 const UserId& actor,
                                                                 const InviteMembers& command,
                                                                 Time now);

}  // namespace roster::domain
