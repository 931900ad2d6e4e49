// Decisions about custom roles: define, update, delete (rule 2 applies to who may do it).
#include "domain/internal/decide_support.h"

namespace roster::domain::internal {

Decision Handle(const OrganizationState& s, const UserId& actor, const DefineRole& c, Time) {
  auto m = RequirePermission(s, actor, Permission::kOrgSettingsManage);
  if (!m) return std::unexpected(m.error());
  Role role{c.name, c.permissions, c.project_role};
  if (auto r = s.catalog.ValidateRole(role)) return std::unexpected(*r);
  if (const ProjectRole* pr = s.catalog.FindProjectRole(c.project_role))
    role.project_role = pr->name;
  if (const Role* existing = s.catalog.FindRole(c.name)) {
    return Reject(ErrorCode::kConflict, "A role named " + existing->name + " already exists.");
  }
  if (auto ok = RequireCovers(s, **m, role, "define"); !ok) return std::unexpected(ok.error());
  return std::vector<Event>{RoleDefined{std::move(role)}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const UpdateRole& c, Time) {
  auto m = RequirePermission(s, actor, Permission::kOrgSettingsManage);
  if (!m) return std::unexpected(m.error());
  const Role* before = s.catalog.FindRole(c.name);
  if (before == nullptr)
    return Reject(ErrorCode::kNotFound, "Role '" + c.name + "' does not exist.");
  if (s.catalog.IsOwnerRole(before->name)) {
    return Reject(ErrorCode::kConflict, "The owner role " + before->name +
                                            " cannot be changed: it must always hold every "
                                            "permission an organization needs.");
  }
  Role after{before->name, c.permissions, c.project_role};
  if (auto r = s.catalog.ValidateRole(after)) return std::unexpected(*r);
  if (const ProjectRole* pr = s.catalog.FindProjectRole(c.project_role))
    after.project_role = pr->name;
  if (auto ok = RequireCovers(s, **m, *before, "change"); !ok) return std::unexpected(ok.error());
  if (auto ok = RequireCovers(s, **m, after, "grant"); !ok) return std::unexpected(ok.error());
  if (after == *before) return std::vector<Event>{};
  return std::vector<Event>{RoleUpdated{*before, std::move(after)}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteRole& c, Time) {
  auto m = RequirePermission(s, actor, Permission::kOrgSettingsManage);
  if (!m) return std::unexpected(m.error());
  const Role* role = s.catalog.FindRole(c.name);
  if (role == nullptr) return Reject(ErrorCode::kNotFound, "Role '" + c.name + "' does not exist.");
  if (s.catalog.IsOwnerRole(role->name)) {
    return Reject(ErrorCode::kConflict, "The owner role " + role->name + " cannot be deleted.");
  }
  if (auto ok = RequireCovers(s, **m, *role, "delete"); !ok) return std::unexpected(ok.error());
  if (auto it = s.role_holders.find(LowerAscii(role->name)); it != s.role_holders.end()) {
    return Reject(ErrorCode::kConflict,
                  "Role " + role->name + " is still held by " + std::to_string(it->second) +
                      " member(s) or pending invitation(s); change their role first.");
  }
  return std::vector<Event>{RoleDeleted{*role}};
}

}  // namespace roster::domain::internal
