// Listings a Members page needs beside the members: the organization's role catalog (and,
// for an acting member, which roles it may grant: the role dropdown), its projects, API keys,
// resources and settings. Read from the organization's current aggregate
// (CommandService::State): these change only by commands, which are decided on that very
// state, so a listing made after a command shows it, with no consistency token to wait for.
//
// Given a viewer (a user acting through the API), each listing needs what reading it needs in
// the domain: roles and settings an active member, projects projects.view, API keys
// apikeys.view, resources resources.view (PERMISSION_DENIED otherwise). No viewer: the
// trusted backend, which sees everything.
#pragma once

#include <string>
#include <vector>

#include "api/service/failure.h"
#include "api/service/query_service.h"
#include "domain/organization_state.h"

namespace roster::api::service {

struct RoleListing {
  std::string name;
  std::vector<std::string> permissions;  // wire names, in declaration order
  std::string project_role;              // inherited in every project; empty for none
  bool owner_role = false;               // the catalog's owner role
  // Whether the viewer may grant it (members.role.change and a role that covers it, the same
  // rule ChangeRole applies); false without a viewer.
  bool grantable = false;
};

struct ProjectListing {
  std::string project_id;
  std::string name;
  uint32_t direct_members = 0;
};

struct ApiKeyListing {
  std::string api_key_id;
  std::string name;
  std::string creator;
  std::string project_id;  // empty: organization-wide
  bool revoked = false;
  bool rotation_recommended = false;  // its creator left or was removed (seed 004)
};

struct ResourceListing {
  std::string resource_id;
  std::string kind;
  std::string name;
  std::string owner;
  std::string project_id;
};

// Each in name or id order. NOT_FOUND for an organization that does not exist, ORG_DELETED
// for a deleted one.
Result<std::vector<RoleListing>> ListRoles(const domain::OrganizationState& state,
                                           const Viewer& viewer);
Result<std::vector<ProjectListing>> ListProjects(const domain::OrganizationState& state,
                                                 const Viewer& viewer);
Result<std::vector<ApiKeyListing>> ListApiKeys(const domain::OrganizationState& state,
                                               const Viewer& viewer);
Result<std::vector<ResourceListing>> ListResources(const domain::OrganizationState& state,
                                                   const Viewer& viewer);
Result<domain::OrgSettings> Settings(const domain::OrganizationState& state, const Viewer& viewer);

}  // namespace roster::api::service
