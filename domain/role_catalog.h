// Roles and role catalogs.
//
// An org Role is a named set of permissions plus the project role it grants in every project of
// the org (its inherited project role; empty for none). A ProjectRole is a named set of
// permissions that applies inside one project; project roles are ordered by rank so that the
// "higher" of an inherited and a direct project role is well defined. Each catalog names one
// org role as its owner role (rule 3). Role names are compared case-insensitively and keep the
// spelling they were defined with. Value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/error.h"
#include "domain/permission.h"

namespace roster::domain {

struct ProjectRole {
  std::string name;
  PermissionSet permissions;
  bool operator==(const ProjectRole&) const = default;
};

struct Role {
  std::string name;
  PermissionSet permissions;
  std::string project_role;  // inherited in every project; empty = none
  bool operator==(const Role&) const = default;
};

class RoleCatalog {
 public:
  RoleCatalog() = default;
  // `project_roles` are given from least to most privileged (their rank is their index).
  RoleCatalog(std::string preset, std::vector<Role> roles, std::vector<ProjectRole> project_roles,
              std::string owner_role);

  const std::string& preset() const { return preset_; }
  const std::string& owner_role() const { return owner_role_; }
  const std::vector<Role>& roles() const { return roles_; }
  const std::vector<ProjectRole>& project_roles() const { return project_roles_; }

  const Role* FindRole(std::string_view name) const;
  const ProjectRole* FindProjectRole(std::string_view name) const;
  bool IsOwnerRole(std::string_view name) const;
  // -1 for "no project role" (empty name or unknown), otherwise the rank.
  int ProjectRank(std::string_view project_role) const;
  // The more privileged of two project role names (either may be empty).
  const std::string& HigherProjectRole(const std::string& a, const std::string& b) const;

  // Rule 2: `target` is within `actor`'s authority when its permissions are a subset of the
  // actor's, the project role it inherits is not higher than the actor's, and that project
  // role grants nothing the actor holds neither in the org nor through their own project role.
  bool Covers(const Role& actor, const Role& target) const;

  // Custom roles. The caller (Decide) checks permissions and escalation; these keep the
  // catalog consistent and are used by Apply, so they never fail there.
  void PutRole(Role role);  // defines or replaces (by case-insensitive name)
  void EraseRole(std::string_view name);

  // Whether a role definition is well-formed for this catalog (name syntax, known project role).
  std::optional<Rejection> ValidateRole(const Role& role) const;

  bool operator==(const RoleCatalog& o) const {
    return preset_ == o.preset_ && roles_ == o.roles_ && project_roles_ == o.project_roles_ &&
           owner_role_ == o.owner_role_;
  }

 private:
  void Reindex();

  std::string preset_;
  std::vector<Role> roles_;
  std::vector<ProjectRole> project_roles_;
  std::string owner_role_;
  std::unordered_map<std::string, size_t> role_index_;     // lower-cased name -> index
  std::unordered_map<std::string, size_t> project_index_;  // lower-cased name -> rank
};

// ASCII lower-casing and comparison used for case-insensitive names.
std::string LowerAscii(std::string_view s);
bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b);

}  // namespace roster::domain
