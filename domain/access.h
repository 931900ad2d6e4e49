// Access questions over an organization's state: effective project roles and permission checks.
//
// Org-level permissions come from the member's org role. Inside a project, access comes from
// the project role: the one the org role inherits (per the catalog) or a direct project role,
// whichever ranks higher (rule 7); people with no org membership can hold a direct project role
// ("project-only access"). Pure functions; answers say why, for the permission-check API.
#pragma once

#include <optional>
#include <string>

#include "domain/organization_state.h"
#include "domain/permission.h"

namespace roster::domain {

enum class AccessSource : uint8_t { kNone, kOrgRole, kInherited, kDirect };
std::string_view AccessSourceName(AccessSource s);

struct ProjectAccess {
  std::string role;  // effective project role; empty when none
  AccessSource source = AccessSource::kNone;
  std::string inherited_role;  // what the org role grants in every project
  std::string direct_role;     // what the project grants directly
  std::string org_role;        // the org role behind inherited_role
  bool operator==(const ProjectAccess&) const = default;
};

// Effective access of `user` to `project` (which must exist, see OrganizationState::FindProject).
ProjectAccess EffectiveProjectAccess(const OrganizationState& state, const Project& project,
                                     const UserId& user);

// The permissions the user holds inside a project: their org role's permissions plus those of
// both their inherited and their direct project role. Used to authorize project commands and to
// answer project permission checks, so that the two always agree.
PermissionSet ProjectAuthority(const OrganizationState& state, const Project& project,
                               const UserId& user);

struct CheckResult {
  bool allowed = false;
  std::string role;  // the role that grants (or, when denied, the role the user holds)
  AccessSource source = AccessSource::kNone;
  std::string reason;  // a sentence: which role, direct or inherited, or why not
  bool operator==(const CheckResult&) const = default;
};

// check(org, user, permission[, project]): allowed or denied, and why.
CheckResult Check(const OrganizationState& state, const UserId& user, Permission permission,
                  const std::optional<ProjectId>& project = std::nullopt);

}  // namespace roster::domain
