// Shared checks for the Decide handlers (decide_*.cc): not part of the public domain API.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "domain/decide.h"

namespace roster::domain::internal {

// What the Require* and Validate* checks return: success, or the rejection that ends the
// command. A handler passes a failure on with
//   if (auto ok = RequireLive(s); !ok) return std::unexpected(ok.error());
using Check = std::expected<void, Rejection>;

// The organization exists and is not deleted.
Check RequireLive(const OrganizationState& state);

// Rule 1: the actor is an active member whose role grants `permission`. Returns the member.
std::expected<const Member*, Rejection> RequirePermission(const OrganizationState& state,
                                                          const UserId& actor,
                                                          Permission permission);

// Rule 2: the actor's role covers `target` (a role the actor grants or takes away).
Check RequireCovers(const OrganizationState& state, const Member& actor, const Role& target,
                    std::string_view what);

// Identifiers chosen by callers must pass IsValidId (domain/ids.h); the rejection says which
// part of the rule `value` breaks.
Check ValidateId(std::string_view kind, std::string_view value);
// Human-readable names: 1..max bytes, no control characters.
Check ValidateName(std::string_view kind, std::string_view value, size_t max = 200);
// Optional free text (display names, user agents): at most max bytes, no control characters.
Check ValidateText(std::string_view kind, std::string_view value, size_t max);

// Rule 1 for a project: the actor holds `permission` in the project, through their org role or
// their project role (a project-only member may administer a project their project role
// allows). `authority` is what the actor holds there, for RequireProjectCovers.
struct ProjectActor {
  const Project* project;
  PermissionSet authority;  // org role permissions plus effective project role permissions
};
std::expected<ProjectActor, Rejection> RequireProjectPermission(const OrganizationState& s,
                                                                const UserId& actor,
                                                                const ProjectId& id,
                                                                Permission permission);
// Rule 2 for a project role the actor grants or takes away.
Check RequireProjectCovers(const ProjectActor& a, const ProjectRole& role, std::string_view what);

// The most privileged non-owner org role (most permissions; the first on a tie), or null.
const Role* MostPrivilegedNonOwnerRole(const RoleCatalog& catalog);

// One handler per command, in decide_org.cc, decide_roles.cc, decide_invitations.cc,
// decide_members.cc, decide_projects.cc and decide_assets.cc.
Decision Handle(const OrganizationState& s, const UserId& actor, const CreateOrganization& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const RenameOrganization& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const ChangeSettings& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteOrganization& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const InviteMember& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const ResendInvitation& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const RevokeInvitation& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const AcceptInvitation& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const ExpireInvitations& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const InviteToProject& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const InviteMembers& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const ChangeRole& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const RemoveMember& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const LeaveOrganization& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const TransferOwnership& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const DefineRole& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const UpdateRole& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteRole& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const CreateProject& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const RenameProject& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteProject& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const AddProjectMember& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const ChangeProjectMemberRole& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const RemoveProjectMember& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const CreateApiKey& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const RevokeApiKey& c, Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const RegisterResource& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const ReassignResource& c,
                Time now);
Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteResource& c, Time now);

}  // namespace roster::domain::internal
