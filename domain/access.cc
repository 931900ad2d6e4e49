#include "domain/access.h"

namespace roster::domain {

std::string_view AccessSourceName(AccessSource s) {
  switch (s) {
    case AccessSource::kNone: return "none";
    case AccessSource::kOrgRole: return "org_role";
    case AccessSource::kInherited: return "inherited";
    case AccessSource::kDirect: return "direct";
  }
  return "none";
}

ProjectAccess EffectiveProjectAccess(const OrganizationState& state, const Project& project,
                                     const UserId& user) {
  ProjectAccess access;
  if (const Member* m = state.FindMember(user)) {
    access.org_role = m->role;
    if (const Role* role = state.catalog.FindRole(m->role)) access.inherited_role = role->project_role;
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
  if (const ProjectRole* pr = state.catalog.FindProjectRole(access.role)) {
    authority = authority.Union(pr->permissions);
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

CheckResult CheckProject(const OrganizationState& state, const UserId& user,
                         Permission permission, const ProjectId& project_id) {
  const std::string perm(PermissionName(permission));
  const Project* project = state.FindProject(project_id);
  if (project == nullptr) return Denied("", "Project " + project_id.value + " does not exist.");
  const ProjectAccess access = EffectiveProjectAccess(state, *project, user);
  if (access.source == AccessSource::kNone) {
    return Denied("", "Denied: " + user.value + " has no access to project " + project_id.value +
                          (access.org_role.empty()
                               ? "."
                               : " (org role " + access.org_role + " grants no project role)."));
  }
  const ProjectRole* pr = state.catalog.FindProjectRole(access.role);
  const std::string how = access.source == AccessSource::kDirect
                              ? "direct project role " + access.role
                              : "project role " + access.role + " inherited from org role " +
                                    access.org_role;
  if (pr != nullptr && pr->permissions.Has(permission)) {
    return CheckResult{true, access.role, access.source, "Allowed: " + how + " grants " + perm + "."};
  }
  return CheckResult{false, access.role, access.source,
                     "Denied: " + how + " does not grant " + perm + "."};
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
