#include "domain/internal/decide_support.h"

#include "domain/access.h"

namespace roster::domain::internal {

Check RequireLive(const OrganizationState& state) {
  if (state.status == OrgStatus::kNone) {
    return Reject(ErrorCode::kNotFound, "The organization does not exist.");
  }
  if (state.status == OrgStatus::kDeleted) {
    return Reject(ErrorCode::kOrgDeleted,
                  "Organization " + state.org_id.value +
                      " was deleted; its history is kept but nothing can change it.");
  }
  return {};
}

std::expected<const Member*, Rejection> RequirePermission(const OrganizationState& state,
                                                          const UserId& actor,
                                                          Permission permission) {
  if (auto ok = RequireLive(state); !ok) return std::unexpected(ok.error());
  const Member* m = state.FindMember(actor);
  if (m == nullptr) {
    return Reject(ErrorCode::kPermissionDenied, "User " + actor.value +
                                                    " is not an active member of organization " +
                                                    state.org_id.value + ".");
  }
  const Role* role = state.catalog.FindRole(m->role);
  if (role == nullptr || !role->permissions.Has(permission)) {
    return Reject(ErrorCode::kPermissionDenied, "Role " + m->role + " does not grant " +
                                                    std::string(PermissionName(permission)) + ".");
  }
  return m;
}

Check RequireCovers(const OrganizationState& state, const Member& actor, const Role& target,
                    std::string_view what) {
  const Role* actor_role = state.catalog.FindRole(actor.role);
  if (actor_role != nullptr && state.catalog.Covers(*actor_role, target)) return {};
  std::string missing;
  if (actor_role != nullptr) missing = target.permissions.Minus(actor_role->permissions).ToString();
  // "Role X", not "A X": role names are the org's own words, and no article fits them all.
  std::string msg = "Role " + actor.role + " cannot " + std::string(what) + " the role " +
                    target.name + ": " + target.name;
  msg += missing.empty() ? "'s project role grants more than " + actor.role + "'s does."
                         : " holds more than " + actor.role + " (" + missing + ").";
  return Reject(ErrorCode::kEscalation, std::move(msg));
}

Check ValidateId(std::string_view kind, std::string_view value) {
  if (IsValidId(value)) return {};
  if (value.empty() || value.size() > kMaxIdLength) {
    return Reject(
        ErrorCode::kInvalidArgument,
        std::string(kind) + " must be 1 to " + std::to_string(kMaxIdLength) + " characters long.");
  }
  return Reject(ErrorCode::kInvalidArgument,
                std::string(kind) + " may only use printable ASCII characters without spaces.");
}

Check ValidateText(std::string_view kind, std::string_view value, size_t max) {
  if (value.size() > max) {
    return Reject(ErrorCode::kInvalidArgument,
                  std::string(kind) + " is longer than " + std::to_string(max) + " bytes.");
  }
  for (char ch : value) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      return Reject(ErrorCode::kInvalidArgument,
                    std::string(kind) + " contains a control character.");
    }
  }
  return {};
}

Check ValidateName(std::string_view kind, std::string_view value, size_t max) {
  if (value.empty() || value.find_first_not_of(' ') == std::string_view::npos) {
    return Reject(ErrorCode::kInvalidArgument, std::string(kind) + " must not be empty.");
  }
  return ValidateText(kind, value, max);
}

std::expected<ProjectActor, Rejection> RequireProjectPermission(const OrganizationState& s,
                                                                const UserId& actor,
                                                                const ProjectId& id,
                                                                Permission permission) {
  if (auto ok = RequireLive(s); !ok) return std::unexpected(ok.error());
  const Project* p = s.FindProject(id);
  if (p == nullptr) return Reject(ErrorCode::kNotFound, "Project " + id.value + " does not exist.");
  const PermissionSet authority = ProjectAuthority(s, *p, actor);
  if (!authority.Has(permission)) {
    return Reject(ErrorCode::kPermissionDenied, "User " + actor.value + " does not hold " +
                                                    std::string(PermissionName(permission)) +
                                                    " in project " + id.value + ".");
  }
  return ProjectActor{p, authority};
}

Check RequireProjectCovers(const ProjectActor& a, const ProjectRole& role, std::string_view what) {
  if (role.permissions.IsSubsetOf(a.authority)) return {};
  return Reject(ErrorCode::kEscalation, "You cannot " + std::string(what) + " the project role " +
                                            role.name + ": it holds permissions you do not (" +
                                            role.permissions.Minus(a.authority).ToString() + ").");
}

const Role* MostPrivilegedNonOwnerRole(const RoleCatalog& catalog) {
  const Role* best = nullptr;
  for (const Role& r : catalog.roles()) {
    if (catalog.IsOwnerRole(r.name)) continue;
    if (best == nullptr || r.permissions.size() > best->permissions.size()) best = &r;
  }
  return best;
}

}  // namespace roster::domain::internal
