#include "domain/role_catalog.h"

#include <algorithm>
#include <cctype>

namespace roster::domain {

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + ('a' - 'A'));
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + ('a' - 'A'));
    if (x != y) return false;
  }
  return true;
}

RoleCatalog::RoleCatalog(std::string preset, std::vector<Role> roles,
                         std::vector<ProjectRole> project_roles, std::string owner_role)
    : preset_(std::move(preset)),
      roles_(std::move(roles)),
      project_roles_(std::move(project_roles)),
      owner_role_(std::move(owner_role)) {
  Reindex();
}

void RoleCatalog::Reindex() {
  role_index_.clear();
  for (size_t i = 0; i < roles_.size(); ++i) role_index_[LowerAscii(roles_[i].name)] = i;
  project_index_.clear();
  for (size_t i = 0; i < project_roles_.size(); ++i) {
    project_index_[LowerAscii(project_roles_[i].name)] = i;
  }
}

const Role* RoleCatalog::FindRole(std::string_view name) const {
  auto it = role_index_.find(LowerAscii(name));
  return it == role_index_.end() ? nullptr : &roles_[it->second];
}

const ProjectRole* RoleCatalog::FindProjectRole(std::string_view name) const {
  auto it = project_index_.find(LowerAscii(name));
  return it == project_index_.end() ? nullptr : &project_roles_[it->second];
}

bool RoleCatalog::IsOwnerRole(std::string_view name) const {
  return EqualsIgnoreCaseAscii(name, owner_role_);
}

int RoleCatalog::ProjectRank(std::string_view project_role) const {
  if (project_role.empty()) return -1;
  auto it = project_index_.find(LowerAscii(project_role));
  return it == project_index_.end() ? -1 : static_cast<int>(it->second);
}

const std::string& RoleCatalog::HigherProjectRole(const std::string& a,
                                                  const std::string& b) const {
  return ProjectRank(b) > ProjectRank(a) ? b : a;
}

bool RoleCatalog::Covers(const Role& actor, const Role& target) const {
  if (!target.permissions.IsSubsetOf(actor.permissions)) return false;
  if (ProjectRank(target.project_role) > ProjectRank(actor.project_role)) return false;
  // Ranks alone are not enough: project roles need not be nested (in the api preset the
  // lowest, Billing Manager, holds billing.manage and Developer does not), and rule 2 is about
  // permissions. What the target inherits in every project must be held by the actor there.
  const ProjectRole* target_project = FindProjectRole(target.project_role);
  if (target_project == nullptr) return true;
  PermissionSet actor_in_project = actor.permissions;
  if (const ProjectRole* p = FindProjectRole(actor.project_role)) {
    actor_in_project = actor_in_project.Union(p->permissions);
  }
  return target_project->permissions.IsSubsetOf(actor_in_project);
}

void RoleCatalog::PutRole(Role role) {
  auto it = role_index_.find(LowerAscii(role.name));
  if (it != role_index_.end()) {
    roles_[it->second] = std::move(role);
  } else {
    roles_.push_back(std::move(role));
  }
  Reindex();
}

void RoleCatalog::EraseRole(std::string_view name) {
  const std::string key = LowerAscii(name);
  std::erase_if(roles_, [&](const Role& r) { return LowerAscii(r.name) == key; });
  Reindex();
}

std::optional<Rejection> RoleCatalog::ValidateRole(const Role& role) const {
  constexpr size_t kMaxName = 64;
  const std::string& n = role.name;
  if (n.empty() || n.size() > kMaxName) {
    return Rejection{ErrorCode::kInvalidArgument, "A role name must be 1 to 64 characters long."};
  }
  if (n.front() == ' ' || n.back() == ' ') {
    return Rejection{ErrorCode::kInvalidArgument, "A role name cannot start or end with a space."};
  }
  for (char ch : n) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != ' ' && c != '-' && c != '_' && c != '.') {
      return Rejection{
          ErrorCode::kInvalidArgument,
          "Role name '" + n + "' may use only letters, digits, spaces, '-', '_' and '.'."};
    }
  }
  if (!role.project_role.empty() && FindProjectRole(role.project_role) == nullptr) {
    return Rejection{ErrorCode::kInvalidArgument,
                     "Project role '" + role.project_role + "' is not in this catalog."};
  }
  return std::nullopt;
}

}  // namespace roster::domain
