#include "api/service/listings.h"

#include <algorithm>
#include <optional>

namespace roster::api::service {
namespace {

using domain::OrganizationState;
using domain::Permission;

Result<void> RequireLive(const OrganizationState& s) {
  if (s.status == domain::OrgStatus::kNone) {
    return Fail("NOT_FOUND", "Organization " + s.org_id.value + " does not exist.");
  }
  if (s.status == domain::OrgStatus::kDeleted) {
    return Fail("ORG_DELETED", "Organization " + s.org_id.value + " was deleted.");
  }
  return {};
}

// The viewer's membership, or PERMISSION_DENIED; `permission` (when given) must be granted by
// its role. Null for the trusted backend (no viewer).
Result<const domain::Member*> RequireViewer(const OrganizationState& s, const Viewer& viewer,
                                            std::optional<Permission> permission,
                                            std::string_view what) {
  if (auto live = RequireLive(s); !live) return std::unexpected(live.error());
  if (viewer.user_id.empty()) return nullptr;
  const domain::Member* m = s.FindMember(domain::UserId(viewer.user_id));
  if (m == nullptr) {
    return Fail("PERMISSION_DENIED",
                "User " + viewer.user_id + " is not an active member of " + s.org_id.value + ".");
  }
  if (permission) {
    const domain::Role* role = s.catalog.FindRole(m->role);
    if (role == nullptr || !role->permissions.Has(*permission)) {
      return Fail("PERMISSION_DENIED", "User " + viewer.user_id + " may not " + std::string(what) +
                                           ": role " + m->role + " does not grant " +
                                           std::string(domain::PermissionName(*permission)) + ".");
    }
  }
  return m;
}

}  // namespace

Result<std::vector<RoleListing>> ListRoles(const OrganizationState& s, const Viewer& viewer) {
  auto member = RequireViewer(s, viewer, std::nullopt, "see the roles");
  if (!member) return std::unexpected(member.error());
  // The same two conditions as ChangeRole's: members.role.change, and an own role that covers
  // the one granted.
  const domain::Role* actor_role = nullptr;
  if (*member != nullptr) {
    const domain::Role* own = s.catalog.FindRole((*member)->role);
    if (own != nullptr && own->permissions.Has(Permission::kMembersRoleChange)) actor_role = own;
  }
  std::vector<RoleListing> out;
  for (const domain::Role& role : s.catalog.roles()) {
    RoleListing r;
    r.name = role.name;
    for (Permission p : role.permissions.List())
      r.permissions.emplace_back(domain::PermissionName(p));
    r.project_role = role.project_role;
    r.owner_role = s.catalog.IsOwnerRole(role.name);
    r.grantable = actor_role != nullptr && s.catalog.Covers(*actor_role, role);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<ProjectListing>> ListProjects(const OrganizationState& s, const Viewer& viewer) {
  auto member = RequireViewer(s, viewer, Permission::kProjectsView, "see the projects");
  if (!member) return std::unexpected(member.error());
  std::vector<ProjectListing> out;
  for (const auto& [id, project] : s.projects) {
    if (project.deleted) continue;
    out.push_back({id.value, project.name, static_cast<uint32_t>(project.direct_members.size())});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.project_id < b.project_id; });
  return out;
}

Result<std::vector<ApiKeyListing>> ListApiKeys(const OrganizationState& s, const Viewer& viewer) {
  auto member = RequireViewer(s, viewer, Permission::kApiKeysView, "see the API keys");
  if (!member) return std::unexpected(member.error());
  std::vector<ApiKeyListing> out;
  for (const auto& [id, key] : s.api_keys) {
    out.push_back({id.value, key.name, key.creator.value, key.project_id.value, key.revoked,
                   key.rotation_recommended});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.api_key_id < b.api_key_id; });
  return out;
}

Result<std::vector<ResourceListing>> ListResources(const OrganizationState& s,
                                                   const Viewer& viewer) {
  auto member = RequireViewer(s, viewer, Permission::kResourcesView, "see the resources");
  if (!member) return std::unexpected(member.error());
  std::vector<ResourceListing> out;
  for (const auto& [id, resource] : s.resources) {
    out.push_back(
        {id.value, resource.kind, resource.name, resource.owner.value, resource.project_id.value});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.resource_id < b.resource_id; });
  return out;
}

Result<domain::OrgSettings> Settings(const OrganizationState& s, const Viewer& viewer) {
  auto member = RequireViewer(s, viewer, std::nullopt, "see the settings");
  if (!member) return std::unexpected(member.error());
  return s.settings;
}

}  // namespace roster::api::service
