// Decisions about projects and their direct members (rule 7), including project-only access.
#include <algorithm>
#include <utility>

#include "domain/access.h"
#include "domain/internal/decide_support.h"

namespace roster::domain::internal {

Decision Handle(const OrganizationState& s, const UserId& actor, const CreateProject& c, Time) {
  auto m = RequirePermission(s, actor, Permission::kProjectsCreate);
  if (!m) return std::unexpected(m.error());
  if (auto ok = ValidateId("Project id", c.project_id.value); !ok) {
    return std::unexpected(ok.error());
  }
  const std::string& name = c.name.empty() ? c.project_id.value : c.name;
  if (auto ok = ValidateName("Project name", name); !ok) return std::unexpected(ok.error());
  if (auto it = s.projects.find(c.project_id); it != s.projects.end()) {
    return Reject(ErrorCode::kConflict,
                  it->second.deleted ? "Project id " + c.project_id.value +
                                           " belonged to a deleted project and is not reused."
                                     : "Project " + c.project_id.value + " already exists.");
  }
  return std::vector<Event>{ProjectCreated{c.project_id, name}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const RenameProject& c, Time) {
  auto a = RequireProjectPermission(s, actor, c.project_id, Permission::kProjectsManage);
  if (!a) return std::unexpected(a.error());
  if (auto ok = ValidateName("Project name", c.name); !ok) return std::unexpected(ok.error());
  if (a->project->name == c.name) return std::vector<Event>{};
  return std::vector<Event>{ProjectRenamed{c.project_id, a->project->name, c.name}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteProject& c, Time) {
  auto a = RequireProjectPermission(s, actor, c.project_id, Permission::kProjectsManage);
  if (!a) return std::unexpected(a.error());
  // Every direct member loses access under their own id in the activity log (rule 7), in
  // user id order so that the same state always decides the same events.
  std::vector<std::pair<UserId, std::string>> members(a->project->direct_members.begin(),
                                                      a->project->direct_members.end());
  std::sort(members.begin(), members.end());
  std::vector<Event> events;
  for (auto& [user, role] : members) {
    events.push_back(ProjectMemberRemoved{c.project_id, std::move(user), std::move(role),
                                          ProjectRemovalReason::kProjectDeleted});
  }
  events.push_back(ProjectDeleted{c.project_id, a->project->name});
  return events;
}

Decision Handle(const OrganizationState& s, const UserId& actor, const AddProjectMember& c, Time) {
  auto a = RequireProjectPermission(s, actor, c.project_id, Permission::kProjectsMembersManage);
  if (!a) return std::unexpected(a.error());
  if (auto ok = ValidateId("User id", c.user.value); !ok) return std::unexpected(ok.error());
  const ProjectRole* role = s.catalog.FindProjectRole(c.role);
  if (role == nullptr) {
    return Reject(ErrorCode::kNotFound, "Project role '" + c.role + "' does not exist.");
  }
  if (auto ok = RequireProjectCovers(*a, *role, "grant"); !ok) return std::unexpected(ok.error());
  if (auto it = a->project->direct_members.find(c.user); it != a->project->direct_members.end()) {
    return Reject(ErrorCode::kConflict, "User " + c.user.value + " is already in project " +
                                            c.project_id.value + " as " + it->second +
                                            "; change their project role instead.");
  }
  return std::vector<Event>{ProjectMemberAdded{c.project_id, c.user, role->name}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const ChangeProjectMemberRole& c,
                Time) {
  auto a = RequireProjectPermission(s, actor, c.project_id, Permission::kProjectsMembersManage);
  if (!a) return std::unexpected(a.error());
  auto it = a->project->direct_members.find(c.user);
  if (it == a->project->direct_members.end()) {
    return Reject(
        ErrorCode::kNotFound,
        "User " + c.user.value + " is not a direct member of project " + c.project_id.value + ".");
  }
  const ProjectRole* to = s.catalog.FindProjectRole(c.role);
  if (to == nullptr) {
    return Reject(ErrorCode::kNotFound, "Project role '" + c.role + "' does not exist.");
  }
  if (auto ok = RequireProjectCovers(*a, *to, "grant"); !ok) return std::unexpected(ok.error());
  if (const ProjectRole* from = s.catalog.FindProjectRole(it->second)) {
    if (auto ok = RequireProjectCovers(*a, *from, "change someone from"); !ok) {
      return std::unexpected(ok.error());
    }
  }
  if (to->name == it->second) return std::vector<Event>{};
  return std::vector<Event>{ProjectMemberRoleChanged{c.project_id, c.user, it->second, to->name}};
}

// Anyone may leave a project; removing someone else needs projects.members.manage.
Decision Handle(const OrganizationState& s, const UserId& actor, const RemoveProjectMember& c,
                Time) {
  if (auto ok = RequireLive(s); !ok) return std::unexpected(ok.error());
  const Project* p = s.FindProject(c.project_id);
  if (p == nullptr) {
    return Reject(ErrorCode::kNotFound, "Project " + c.project_id.value + " does not exist.");
  }
  auto it = p->direct_members.find(c.user);
  if (it == p->direct_members.end()) {
    return Reject(
        ErrorCode::kNotFound,
        "User " + c.user.value + " is not a direct member of project " + c.project_id.value + ".");
  }
  if (actor != c.user) {
    auto a = RequireProjectPermission(s, actor, c.project_id, Permission::kProjectsMembersManage);
    if (!a) return std::unexpected(a.error());
    if (const ProjectRole* from = s.catalog.FindProjectRole(it->second)) {
      if (auto ok = RequireProjectCovers(*a, *from, "remove someone with"); !ok) {
        return std::unexpected(ok.error());
      }
    }
  }
  return std::vector<Event>{
      ProjectMemberRemoved{c.project_id, c.user, it->second, ProjectRemovalReason::kDirect}};
}

}  // namespace roster::domain::internal
