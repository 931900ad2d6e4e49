// Decisions about API key and resource metadata (rule 5's subjects).
#include "domain/access.h"
#include "domain/internal/decide_support.h"

namespace roster::domain::internal {
namespace {

// `permission` at org level, or inside `project` when one is named. An existing asset whose
// project was deleted falls back to the org level, so that it can still be cleaned up.
std::optional<Rejection> RequireScopedPermission(const OrganizationState& s, const UserId& actor,
                                                 const ProjectId& project, Permission permission,
                                                 bool existing_asset = false) {
  const bool project_gone = !project.empty() && s.FindProject(project) == nullptr;
  if (project.empty() || (existing_asset && project_gone)) {
    auto m = RequirePermission(s, actor, permission);
    return m ? std::nullopt : std::optional<Rejection>(m.error());
  }
  if (auto r = RequireLive(s)) return r;
  const Project* p = s.FindProject(project);
  if (p == nullptr) {
    return Rejection{ErrorCode::kNotFound, "Project " + project.value + " does not exist."};
  }
  if (!ProjectAuthority(s, *p, actor).Has(permission)) {
    return Rejection{ErrorCode::kPermissionDenied, "User " + actor.value + " does not hold " +
                                                       std::string(PermissionName(permission)) +
                                                       " in project " + project.value + "."};
  }
  return std::nullopt;
}

std::optional<Rejection> RequireActiveMember(const OrganizationState& s, const UserId& user,
                                             std::string_view as) {
  if (s.FindMember(user) != nullptr) return std::nullopt;
  return Rejection{ErrorCode::kNotFound, "User " + user.value + " cannot be " + std::string(as) +
                                             ": not an active member of the organization."};
}

}  // namespace

Decision Handle(const OrganizationState& s, const UserId& actor, const CreateApiKey& c, Time) {
  if (auto r = RequireScopedPermission(s, actor, c.project_id, Permission::kApiKeysManage)) {
    return std::unexpected(*r);
  }
  if (auto r = ValidateId("API key id", c.api_key_id.value)) return std::unexpected(*r);
  if (auto r = ValidateName("API key name", c.name)) return std::unexpected(*r);
  if (s.api_keys.contains(c.api_key_id)) {
    return Reject(ErrorCode::kConflict, "API key " + c.api_key_id.value + " already exists.");
  }
  return std::vector<Event>{ApiKeyCreated{c.api_key_id, c.name, actor, c.project_id}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const RevokeApiKey& c, Time) {
  if (auto r = RequireLive(s)) return std::unexpected(*r);
  auto it = s.api_keys.find(c.api_key_id);
  if (it == s.api_keys.end()) {
    return Reject(ErrorCode::kNotFound, "API key " + c.api_key_id.value + " does not exist.");
  }
  if (auto r = RequireScopedPermission(s, actor, it->second.project_id, Permission::kApiKeysManage,
                                       true)) {
    return std::unexpected(*r);
  }
  if (it->second.revoked) return std::vector<Event>{};
  return std::vector<Event>{ApiKeyRevoked{c.api_key_id}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const RegisterResource& c, Time) {
  if (auto r = RequireScopedPermission(s, actor, c.project_id, Permission::kResourcesManage)) {
    return std::unexpected(*r);
  }
  if (auto r = ValidateId("Resource id", c.resource_id.value)) return std::unexpected(*r);
  if (auto r = ValidateId("Resource kind", c.kind)) return std::unexpected(*r);
  if (auto r = ValidateName("Resource name", c.name)) return std::unexpected(*r);
  const UserId owner = c.owner.empty() ? actor : c.owner;
  if (auto r = RequireActiveMember(s, owner, "a resource owner")) return std::unexpected(*r);
  if (s.resources.contains(c.resource_id)) {
    return Reject(ErrorCode::kConflict, "Resource " + c.resource_id.value + " already exists.");
  }
  return std::vector<Event>{ResourceRegistered{c.resource_id, c.kind, c.name, owner, c.project_id}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const ReassignResource& c, Time) {
  if (auto r = RequireLive(s)) return std::unexpected(*r);
  auto it = s.resources.find(c.resource_id);
  if (it == s.resources.end()) {
    return Reject(ErrorCode::kNotFound, "Resource " + c.resource_id.value + " does not exist.");
  }
  if (auto r = RequireScopedPermission(s, actor, it->second.project_id,
                                       Permission::kResourcesManage, true)) {
    return std::unexpected(*r);
  }
  if (auto r = RequireActiveMember(s, c.to_owner, "a resource owner")) return std::unexpected(*r);
  if (it->second.owner == c.to_owner) return std::vector<Event>{};
  return std::vector<Event>{
      ResourceReassigned{c.resource_id, it->second.owner, c.to_owner, "manual"}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteResource& c, Time) {
  if (auto r = RequireLive(s)) return std::unexpected(*r);
  auto it = s.resources.find(c.resource_id);
  if (it == s.resources.end()) {
    return Reject(ErrorCode::kNotFound, "Resource " + c.resource_id.value + " does not exist.");
  }
  if (auto r = RequireScopedPermission(s, actor, it->second.project_id,
                                       Permission::kResourcesManage, true)) {
    return std::unexpected(*r);
  }
  return std::vector<Event>{ResourceDeleted{c.resource_id}};
}

}  // namespace roster::domain::internal
