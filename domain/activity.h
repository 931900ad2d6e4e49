// Logins and last-active times (rule 9), kept off the organization's main stream.
//
// Logins are frequent and carry no decision that other commands depend on, so they go to a
// separate activity stream per organization, appended without an expected version: a burst
// of logins never makes an InviteMember conflict or wait. Last-active updates are coalesced:
// a RecordActivity within `coalesce_window` of the user's last recorded activity or login
// produces no event. Pure functions over value types.
#pragma once

#include <chrono>
#include <unordered_map>

#include "domain/commands.h"
#include "domain/decide.h"
#include "domain/events.h"
#include "domain/organization_state.h"

namespace roster::domain {

struct ActivityState {
  // The latest recorded activity (login or active mark) per user.
  std::unordered_map<UserId, Time, IdHash> last_seen;
  bool operator==(const ActivityState&) const = default;
};

void ApplyActivity(ActivityState& state, const Event& event);

struct ActivityPolicy {
  Duration coalesce_window = std::chrono::minutes(5);
};

// The actor is the user who logged in or was active: an active member of the organization or a
// direct member of one of its projects.
Decision DecideActivity(const OrganizationState& org, const ActivityState& activity,
                        const UserId& actor, const ActivityCommand& command, Time now,
                        const ActivityPolicy& policy = {});

}  // namespace roster::domain
