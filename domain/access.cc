#include "domain/access.h"

namespace roster::domain {

std::string_view AccessSourceName(AccessSource s) {
  switch (s) {
    case AccessSource::kNone:
      return "none";
    case AccessSource::kOrgRole:
      return "org_role";
    case AccessSource::kInherited:
      return "inherited";
    case AccessSource::kDirect:
      return "direct";
  }
  return "none";
}

ProjectAccess EffectiveProjectAccess(const OrganizationState& state, const Project& project,
                                     const UserId& user) {
  ProjectAccess access;
  if (const Member* m = state.FindMember(user)) {
    access.org_role = m->role;
    if (const Role* role = state.catalog.FindRole(m->role))
      access.inherited_role = role->project_role;
  }
  if (auto it = project.direct_members.find(user); it != project.direct_members.end()) {
    access.direct_role = it->second;
  }
  const int inherited_rank = state.catalog.ProjectRank(access.inherited_role);
  const int direct_rank = state.catalog.ProjectRank(access.direct_role);
  if (direct_rank < 0 && inherited_rank < 0) return access;
  // On a tie the direct grant is named: it is the one an admin can see and change in the project.
  if (direct_rank >= inherited_rank) {
    access.role = access.direct_role;
    access.source = AccessSource::kDirect;
  } else {
    access.role = access.inherited_role;
    access.source = AccessSource::kInherited;
  }
  return access;
}

PermissionSet ProjectAuthority(const OrganizationState& state, const Project& project,
                               const UserId& user) {
  PermissionSet authority;
  if (const Role* role = state.RoleOf(user)) authority = role->permissions;
  const ProjectAccess access = EffectiveProjectAccess(state, project, user);
  // Both project roles count: a direct grant never takes away what the org role inherits, even
  // where a catalog's project roles are not nested (api: Billing Manager vs Viewer).
  for (const std::string* name : {&access.inherited_role, &access.direct_role}) {
    if (const ProjectRole* pr = state.catalog.FindProjectRole(*name)) {
      authority = authority.Union(pr->permissions);
    }
  }
  return authority;
}

namespace {

CheckResult Denied(std::string role, std::string reason) {
  return CheckResult{false, std::move(role), AccessSource::kNone, std::move(reason)};
}

CheckResult CheckOrg(const OrganizationState& state, const UserId& user, Permission permission) {
  const std::string perm(PermissionName(permission));
  const Member* m = state.FindMember(user);
  if (m == nullptr) {
    return Denied("", "User " + user.value + " is not an active member of the organization.");
  }
  const Role* role = state.catalog.FindRole(m->role);
  if (role != nullptr && role->permissions.Has(permission)) {
    return CheckResult{true, m->role, AccessSource::kOrgRole,
                       "Allowed: org role " + m->role + " grants " + perm + "."};
  }
  return Denied(m->role, "Denied: org role " + m->role + " does not grant " + perm + ".");
}

bool Grants(const RoleCatalog& catalog, const std::string& project_role, Permission p) {
  const ProjectRole* pr = catalog.FindProjectRole(project_role);
  return pr != nullptr && pr->permissions.Has(p);
}

// Inside a project the user may do what their direct project role, their inherited project role
// or their org role grants (the same authority project commands are checked against); the answer
// names the first of those that grants it.
CheckResult CheckProject(const OrganizationState& state, const UserId& user, Permission permission,
                         const ProjectId& project_id) {
  const std::string perm(PermissionName(permission));
  const Project* project = state.FindProject(project_id);
  if (project == nullptr) return Denied("", "Project " + project_id.value + " does not exist.");
  const ProjectAccess a = EffectiveProjectAccess(state, *project, user);
  if (Grants(state.catalog, a.direct_role, permission)) {
    return CheckResult{true, a.direct_role, AccessSource::kDirect,
                       "Allowed: direct project role " + a.direct_role + " grants " + perm + "."};
  }
  if (Grants(state.catalog, a.inherited_role, permission)) {
    return CheckResult{true, a.inherited_role, AccessSource::kInherited,
                       "Allowed: project role " + a.inherited_role + " inherited from org role " +
                           a.org_role + " grants " + perm + "."};
  }
  const Role* org_role = state.RoleOf(user);
  if (org_role != nullptr && org_role->permissions.Has(permission)) {
    return CheckResult{
        true, a.org_role, AccessSource::kOrgRole,
        "Allowed: org role " + a.org_role + " grants " + perm + " in every project."};
  }
  if (a.source == AccessSource::kNone && a.org_role.empty()) {
    return Denied("",
                  "Denied: " + user.value + " has no access to project " + project_id.value + ".");
  }
  if (a.role.empty()) {
    return CheckResult{false, a.org_role, AccessSource::kNone,
                       "Denied: org role " + a.org_role + " grants no project role in " +
                           project_id.value + ", and does not grant " + perm + " itself."};
  }
  const std::string held = a.source == AccessSource::kDirect ? "direct project role " + a.role
                                                             : "inherited project role " + a.role;
  return CheckResult{
      false, a.role, a.source,
      "Denied: " + held + " does not grant " + perm + " in project " + project_id.value + "."};
}

}  // namespace

CheckResult Check(const OrganizationState& state, const UserId& user, Permission permission,
                  const std::optional<ProjectId>& project) {
  if (state.status == OrgStatus::kNone) return Denied("", "The organization does not exist.");
  if (state.status == OrgStatus::kDeleted) return Denied("", "The organization was deleted.");
  return project ? CheckProject(state, user, permission, *project)
                 : CheckOrg(state, user, permission);
}

}  // namespace roster::domain
