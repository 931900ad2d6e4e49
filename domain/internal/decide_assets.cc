// Decisions about API key and resource metadata (rule 5's subjects).
#include "domain/access.h"
#include "domain/internal/decide_support.h"

namespace roster::domain::internal {
namespace {

// `permission` at org level, or inside `project` when one is named. An existing asset whose
// project was deleted falls back to the org level, so that it can still be cleaned up.
Check RequireScopedPermission(const OrganizationState& s, const UserId& actor,
                              const ProjectId& project, Permission permission,
                              bool existing_asset = false) {
  const bool project_gone = !project.empty() && s.FindProject(project) == nullptr;
  if (project.empty() || (existing_asset && project_gone)) {
    auto m = RequirePermission(s, actor, permission);
    if (!m) return std::unexpected(m.error());
    return {};
  }
  if (auto ok = RequireLive(s); !ok) return ok;
  const Project* p = s.FindProject(project);
  if (p == nullptr) {
    return Reject(ErrorCode::kNotFound, "Project " + project.value + " does not exist.");
  }
  if (!ProjectAuthority(s, *p, actor).Has(permission)) {
    return Reject(ErrorCode::kPermissionDenied, "User " + actor.value + " does not hold " +
                                                    std::string(PermissionName(permission)) +
                                                    " in project " + project.value + ".");
  }
  return {};
}

Check RequireActiveMember(const OrganizationState& s, const UserId& user, std::string_view as) {
  if (s.FindMember(user) != nullptr) return {};
  return Reject(ErrorCode::kNotFound, "User " + user.value + " cannot be " + std::string(as) +
                                          ": not an active member of the organization.");
}

// An existing resource the actor may manage: rule 5 in its project (or the org when it has none
// or its project was deleted).
std::expected<const Resource*, Rejection> RequireResourceToManage(const OrganizationState& s,
                                                                  const UserId& actor,
                                                                  const ResourceId& id) {
  if (auto ok = RequireLive(s); !ok) return std::unexpected(ok.error());
  auto it = s.resources.find(id);
  if (it == s.resources.end()) {
    return Reject(ErrorCode::kNotFound, "Resource " + id.value + " does not exist.");
  }
  auto allowed =
      RequireScopedPermission(s, actor, it->second.project_id, Permission::kResourcesManage, true);
  if (!allowed) return std::unexpected(allowed.error());
  return &it->second;
}

}  // namespace

Decision Handle(const OrganizationState& s, const UserId& actor, const CreateApiKey& c, Time) {
  auto allowed = RequireScopedPermission(s, actor, c.project_id, Permission::kApiKeysManage);
  if (!allowed) return std::unexpected(allowed.error());
  if (auto ok = ValidateId("API key id", c.api_key_id.value); !ok) {
    return std::unexpected(ok.error());
  }
  // No name: the id, as for projects and resources (docs/domain.md).
  const std::string& name = c.name.empty() ? c.api_key_id.value : c.name;
  if (auto ok = ValidateName("API key name", name); !ok) return std::unexpected(ok.error());
  if (s.api_keys.contains(c.api_key_id)) {
    return Reject(ErrorCode::kConflict, "API key " + c.api_key_id.value + " already exists.");
  }
  return std::vector<Event>{ApiKeyCreated{c.api_key_id, name, actor, c.project_id}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const RevokeApiKey& c, Time) {
  if (auto ok = RequireLive(s); !ok) return std::unexpected(ok.error());
  auto it = s.api_keys.find(c.api_key_id);
  if (it == s.api_keys.end()) {
    return Reject(ErrorCode::kNotFound, "API key " + c.api_key_id.value + " does not exist.");
  }
  auto allowed =
      RequireScopedPermission(s, actor, it->second.project_id, Permission::kApiKeysManage, true);
  if (!allowed) return std::unexpected(allowed.error());
  if (it->second.revoked) return std::vector<Event>{};
  return std::vector<Event>{ApiKeyRevoked{c.api_key_id}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const RegisterResource& c, Time) {
  auto allowed = RequireScopedPermission(s, actor, c.project_id, Permission::kResourcesManage);
  if (!allowed) return std::unexpected(allowed.error());
  if (auto ok = ValidateId("Resource id", c.resource_id.value); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = ValidateId("Resource kind", c.kind); !ok) return std::unexpected(ok.error());
  const std::string& name = c.name.empty() ? c.resource_id.value : c.name;
  if (auto ok = ValidateName("Resource name", name); !ok) return std::unexpected(ok.error());
  const UserId owner = c.owner.empty() ? actor : c.owner;
  if (auto ok = RequireActiveMember(s, owner, "a resource owner"); !ok) {
    return std::unexpected(ok.error());
  }
  if (s.resources.contains(c.resource_id)) {
    return Reject(ErrorCode::kConflict, "Resource " + c.resource_id.value + " already exists.");
  }
  return std::vector<Event>{ResourceRegistered{c.resource_id, c.kind, name, owner, c.project_id}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const ReassignResource& c, Time) {
  auto resource = RequireResourceToManage(s, actor, c.resource_id);
  if (!resource) return std::unexpected(resource.error());
  if (auto ok = RequireActiveMember(s, c.to_owner, "a resource owner"); !ok) {
    return std::unexpected(ok.error());
  }
  if ((*resource)->owner == c.to_owner) return std::vector<Event>{};
  return std::vector<Event>{
      ResourceReassigned{c.resource_id, (*resource)->owner, c.to_owner, "manual"}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteResource& c, Time) {
  auto resource = RequireResourceToManage(s, actor, c.resource_id);
  if (!resource) return std::unexpected(resource.error());
  return std::vector<Event>{ResourceDeleted{c.resource_id}};
}

}  // namespace roster::domain::internal
