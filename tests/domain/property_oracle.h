// Invariants of the Organization aggregate, checked from the outside for the property test.
//
// The oracle recomputes what a decision was allowed to do with catalog lookups and
// PermissionSet algebra only: it does not call Covers, ProjectAuthority or the Decide helpers,
// so a bug in those is not mirrored here. Every function returns the problems found (empty:
// all good), each a sentence naming the user, role or permission involved.
#pragma once

#include <string>
#include <vector>

#include "domain/activity.h"
#include "domain/decide.h"

namespace roster::domain::property {

using Problems = std::vector<std::string>;

// What `user` can reach in `project` by any route: org role, the project role it inherits,
// and a direct project role (the union, whatever the ranks say).
PermissionSet Reach(const OrganizationState& s, const UserId& user, const ProjectId& project);
// The org role's permissions; empty for non-members.
PermissionSet OrgPermissions(const OrganizationState& s, const UserId& user);

// Rule 1 and rule 2 for one accepted organization command: the actor held the permission the
// command needs, and every role granted, taken away, defined or revoked was within the actor's
// permissions at decision time (`before`). Also checks the facts that time alone decides
// (expiry) and that accepting needed the pending invitation.
Problems CheckAcceptedDecision(const OrganizationState& before, const UserId& actor,
                               const Command& command, Time now, const std::vector<Event>& events);

// Rule 2 globally: nobody gained, at org level or in any project, a permission the actor did
// not reach before. Not for AcceptInvitation (the invitation carries the inviter's grant, checked
// when it was sent) nor CreateOrganization.
Problems CheckNoGainBeyondActor(const OrganizationState& before, const OrganizationState& after,
                                const UserId& actor);

// Rules 3, 4, 5 on a state: an active owner exists; roles held exist; at most one pending
// invitation per email; resources are owned by active members; indexes match the primary data.
Problems CheckState(const OrganizationState& s);

// Rule 5 and 7 after `user` was removed or left: no membership, no direct project membership,
// Check denies every permission everywhere, activity is refused, nothing owned, live keys flagged.
Problems CheckGone(const OrganizationState& s, const UserId& user, Time now);

// Rule 9 for one activity decision.
Problems CheckActivityDecision(const OrganizationState& org, const ActivityState& activity,
                               const UserId& actor, const ActivityCommand& command, Time now,
                               const Decision& decision);

}  // namespace roster::domain::property
