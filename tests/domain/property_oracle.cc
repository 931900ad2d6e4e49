#include "tests/domain/property_oracle.h"

#include <map>
#include <set>

#include "domain/access.h"
#include "domain/testing/describe.h"

namespace roster::domain::property {
namespace {

std::string Lower(std::string_view s) { return LowerAscii(s); }

PermissionSet ProjectRolePermissions(const RoleCatalog& c, std::string_view name) {
  const ProjectRole* p = c.FindProjectRole(name);
  return p == nullptr ? PermissionSet() : p->permissions;
}

const Role* OrgRole(const OrganizationState& s, const UserId& user) {
  auto it = s.members.find(user);
  return it == s.members.end() ? nullptr : s.catalog.FindRole(it->second.role);
}

bool HoldsOwnerRole(const OrganizationState& s, const UserId& user) {
  auto it = s.members.find(user);
  return it != s.members.end() && Lower(it->second.role) == Lower(s.catalog.owner_role());
}

// Rule 2 as SPEC.md words it, for an org role: its permissions, and what it grants in every
// project, are within what the actor holds (org role plus the project role the actor inherits).
bool WithinActor(const OrganizationState& before, const UserId& actor, const Role& target) {
  const Role* mine = OrgRole(before, actor);
  if (mine == nullptr) return false;
  const PermissionSet in_projects =
      mine->permissions.Union(ProjectRolePermissions(before.catalog, mine->project_role));
  return target.permissions.IsSubsetOf(mine->permissions) &&
         ProjectRolePermissions(before.catalog, target.project_role).IsSubsetOf(in_projects);
}

std::string Who(const UserId& u) { return "'" + u.value + "'"; }

struct CommandNeeds {
  std::optional<Permission> permission;  // none: no membership permission needed
  ProjectId project;                     // empty: org level
};

// What rule 1 requires of the actor for each command (SPEC.md section 2 vocabulary).
CommandNeeds Needs(const OrganizationState& before, const UserId& actor, const Command& command) {
  using P = Permission;
  auto asset_project = [&](const ProjectId& p) {
    // An asset in a deleted project is managed at org level.
    auto it = before.projects.find(p);
    return p.empty() || it == before.projects.end() || it->second.deleted ? ProjectId() : p;
  };
  return std::visit(
      [&](const auto& c) -> CommandNeeds {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, RenameOrganization> || std::is_same_v<C, ChangeSettings> ||
                      std::is_same_v<C, DefineRole> || std::is_same_v<C, UpdateRole> ||
                      std::is_same_v<C, DeleteRole>) {
          return {P::kOrgSettingsManage, {}};
        } else if constexpr (std::is_same_v<C, DeleteOrganization>) {
          return {P::kOrgDelete, {}};
        } else if constexpr (std::is_same_v<C, InviteMember> ||
                             std::is_same_v<C, ResendInvitation> ||
                             std::is_same_v<C, RevokeInvitation>) {
          return {P::kMembersInvite, {}};
        } else if constexpr (std::is_same_v<C, ChangeRole>) {
          return {P::kMembersRoleChange, {}};
        } else if constexpr (std::is_same_v<C, RemoveMember>) {
          return {P::kMembersRemove, {}};
        } else if constexpr (std::is_same_v<C, TransferOwnership>) {
          return {P::kOrgOwnershipTransfer, {}};
        } else if constexpr (std::is_same_v<C, CreateProject>) {
          return {P::kProjectsCreate, {}};
        } else if constexpr (std::is_same_v<C, RenameProject> || std::is_same_v<C, DeleteProject>) {
          return {P::kProjectsManage, c.project_id};
        } else if constexpr (std::is_same_v<C, AddProjectMember> ||
                             std::is_same_v<C, ChangeProjectMemberRole>) {
          return {P::kProjectsMembersManage, c.project_id};
        } else if constexpr (std::is_same_v<C, RemoveProjectMember>) {
          if (c.user == actor) return {};
          return {P::kProjectsMembersManage, c.project_id};
        } else if constexpr (std::is_same_v<C, CreateApiKey>) {
          return {P::kApiKeysManage, c.project_id};
        } else if constexpr (std::is_same_v<C, RevokeApiKey>) {
          auto it = before.api_keys.find(c.api_key_id);
          return {P::kApiKeysManage,
                  it == before.api_keys.end() ? ProjectId() : asset_project(it->second.project_id)};
        } else if constexpr (std::is_same_v<C, RegisterResource>) {
          return {P::kResourcesManage, c.project_id};
        } else if constexpr (std::is_same_v<C, ReassignResource> ||
                             std::is_same_v<C, DeleteResource>) {
          auto it = before.resources.find(c.resource_id);
          return {P::kResourcesManage, it == before.resources.end()
                                           ? ProjectId()
                                           : asset_project(it->second.project_id)};
        } else {
          // CreateOrganization (trusted principal), AcceptInvitation (the invitee),
          // ExpireInvitations (time-determined), LeaveOrganization (oneself).
          return {};
        }
      },
      command);
}

}  // namespace

PermissionSet OrgPermissions(const OrganizationState& s, const UserId& user) {
  const Role* r = OrgRole(s, user);
  return r == nullptr ? PermissionSet() : r->permissions;
}

PermissionSet Reach(const OrganizationState& s, const UserId& user, const ProjectId& project) {
  PermissionSet reach;
  if (const Role* r = OrgRole(s, user)) {
    reach = r->permissions.Union(ProjectRolePermissions(s.catalog, r->project_role));
  }
  auto p = s.projects.find(project);
  if (p != s.projects.end() && !p->second.deleted) {
    auto d = p->second.direct_members.find(user);
    if (d != p->second.direct_members.end()) {
      reach = reach.Union(ProjectRolePermissions(s.catalog, d->second));
    }
  }
  return reach;
}

Problems CheckAcceptedDecision(const OrganizationState& before, const UserId& actor,
                               const Command& command, Time now, const std::vector<Event>& events) {
  Problems out;
  const std::string name(CommandName(command));
  if (before.status == OrgStatus::kDeleted) out.push_back(name + " accepted on a deleted org");

  // Rule 1.
  const CommandNeeds needs = Needs(before, actor, command);
  if (needs.permission) {
    const PermissionSet held =
        needs.project.empty() ? OrgPermissions(before, actor) : Reach(before, actor, needs.project);
    if (!held.Has(*needs.permission)) {
      out.push_back(name + " accepted for " + Who(actor) + " who lacks " +
                    std::string(PermissionName(*needs.permission)) +
                    (needs.project.empty() ? "" : " in project " + needs.project.value));
    }
  }
  if (std::holds_alternative<InviteMember>(command) &&
      before.LivePendingCount(now) >=
          static_cast<size_t>(before.settings.max_pending_invitations)) {
    out.push_back("InviteMember accepted beyond the pending invitation cap");
  }

  // Rule 2 and the facts behind each event.
  auto role_problem = [&](std::string_view what, std::string_view role_name) {
    const Role* role = before.catalog.FindRole(role_name);
    if (role == nullptr) {
      out.push_back(std::string(what) + " names role '" + std::string(role_name) +
                    "' that does not exist");
    } else if (!WithinActor(before, actor, *role)) {
      out.push_back(std::string(what) + ": role " + role->name + " is beyond " + Who(actor) +
                    "'s own");
    }
  };
  auto project_role_problem = [&](std::string_view what, const ProjectId& p,
                                  std::string_view role_name) {
    const PermissionSet perms = ProjectRolePermissions(before.catalog, role_name);
    if (!perms.IsSubsetOf(Reach(before, actor, p))) {
      out.push_back(std::string(what) + ": project role " + std::string(role_name) + " holds " +
                    perms.Minus(Reach(before, actor, p)).ToString() + " which " + Who(actor) +
                    " does not reach in " + p.value);
    }
  };
  auto invitation = [&](const InvitationId& id) -> const Invitation* {
    auto it = before.invitations.find(id);
    return it == before.invitations.end() ? nullptr : &it->second;
  };

  for (const Event& e : events) {
    const std::string what = name + " -> " + std::string(EventType(e));
    std::visit(
        [&](const auto& ev) {
          using E = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<E, InvitationSent>) {
            role_problem(what, ev.role);
            if (before.member_by_email.contains(ev.email)) out.push_back(what + " to a member");
            if (ev.expires_at != now + Days(before.settings.invitation_ttl_days)) {
              out.push_back(what + " with the wrong expiry");
            }
          } else if constexpr (std::is_same_v<E, InvitationResent> ||
                               std::is_same_v<E, InvitationRevoked>) {
            const Invitation* inv = invitation(ev.invitation_id);
            if (inv == nullptr || inv->status != InvitationStatus::kPending ||
                now >= inv->expires_at) {
              out.push_back(what + " for an invitation that was not open");
            } else {
              role_problem(what, inv->role);
            }
          } else if constexpr (std::is_same_v<E, InvitationExpired>) {
            const Invitation* inv = invitation(ev.invitation_id);
            if (inv == nullptr || inv->status != InvitationStatus::kPending ||
                inv->expires_at > now || ev.expired_at != inv->expires_at) {
              out.push_back(what + " for an invitation that was not overdue");
            }
          } else if constexpr (std::is_same_v<E, InvitationAccepted>) {
            const Invitation* inv = invitation(ev.invitation_id);
            if (ev.user_id != actor) out.push_back(what + " for someone other than the actor");
            const auto* accept = std::get_if<AcceptInvitation>(&command);
            const auto verified =
                accept ? Email::Parse(accept->verified_email) : std::expected<Email, Rejection>();
            if (accept == nullptr || inv == nullptr || accept->token_hash != inv->token_hash) {
              out.push_back(what + " without the invitation's current token");
            } else if (!verified || *verified != inv->email) {
              out.push_back(what + " by a user whose verified email is not the invitation's");
            }
            if (inv == nullptr || inv->status != InvitationStatus::kPending ||
                now >= inv->expires_at || inv->email != ev.email) {
              out.push_back(what + " of an invitation that was not pending, expired or mismatched");
            }
          } else if constexpr (std::is_same_v<E, MemberJoined>) {
            if (!std::holds_alternative<CreateOrganization>(command)) {
              const Invitation* inv = invitation(ev.invitation_id);
              if (inv == nullptr || Lower(inv->role) != Lower(ev.role) || ev.user_id != actor) {
                out.push_back(what + " with a role other than the invitation's");
              }
              if (before.members.contains(ev.user_id)) out.push_back(what + " of a member");
            }
          } else if constexpr (std::is_same_v<E, MemberRoleChanged>) {
            role_problem(what + " (from)", ev.from_role);
            role_problem(what + " (to)", ev.to_role);
          } else if constexpr (std::is_same_v<E, MemberRemoved>) {
            role_problem(what, ev.role);
          } else if constexpr (std::is_same_v<E, MemberLeft>) {
            if (ev.user_id != actor) out.push_back(what + " for someone other than the actor");
          } else if constexpr (std::is_same_v<E, OwnershipTransferred>) {
            if (!HoldsOwnerRole(before, actor)) out.push_back(what + " by a non-owner");
          } else if constexpr (std::is_same_v<E, RoleDefined> || std::is_same_v<E, RoleDeleted>) {
            if (!WithinActor(before, actor, ev.role)) out.push_back(what + " beyond the actor");
            if (Lower(ev.role.name) == Lower(before.catalog.owner_role())) {
              out.push_back(what + " on the owner role");
            }
          } else if constexpr (std::is_same_v<E, RoleUpdated>) {
            if (!WithinActor(before, actor, ev.before) || !WithinActor(before, actor, ev.after)) {
              out.push_back(what + " beyond the actor");
            }
            if (Lower(ev.before.name) == Lower(before.catalog.owner_role())) {
              out.push_back(what + " on the owner role");
            }
          } else if constexpr (std::is_same_v<E, ProjectMemberAdded>) {
            project_role_problem(what, ev.project_id, ev.role);
          } else if constexpr (std::is_same_v<E, ProjectMemberRoleChanged>) {
            project_role_problem(what + " (from)", ev.project_id, ev.from_role);
            project_role_problem(what + " (to)", ev.project_id, ev.to_role);
          } else if constexpr (std::is_same_v<E, ProjectMemberRemoved>) {
            if (ev.reason == ProjectRemovalReason::kDirect && ev.user_id != actor) {
              project_role_problem(what, ev.project_id, ev.role);
            }
          } else if constexpr (std::is_same_v<E, ApiKeyCreated>) {
            if (ev.creator != actor) out.push_back(what + " credited to someone else");
          } else if constexpr (std::is_same_v<E, ResourceRegistered>) {
            if (!before.members.contains(ev.owner)) out.push_back(what + " for a non-member owner");
          } else if constexpr (std::is_same_v<E, ResourceReassigned>) {
            if (ev.reason == "manual") {
              if (!before.members.contains(ev.to_owner)) out.push_back(what + " to a non-member");
            } else if (!HoldsOwnerRole(before, ev.to_owner) || ev.to_owner == ev.from_owner) {
              out.push_back(what + " to " + Who(ev.to_owner) + ", who is not another owner");
            }
          }
        },
        e);
  }
  return out;
}

Problems CheckNoGainBeyondActor(const OrganizationState& before, const OrganizationState& after,
                                const UserId& actor) {
  Problems out;
  std::set<UserId> users{actor};
  std::set<ProjectId> projects;
  for (const OrganizationState* s : {&before, &after}) {
    for (const auto& [u, m] : s->members) users.insert(u);
    for (const auto& [pid, p] : s->projects) {
      for (const auto& [u, r] : p.direct_members) users.insert(u);
    }
  }
  // A deleted project grants nothing afterwards, so only live ones can show a gain.
  for (const auto& [pid, p] : after.projects) {
    if (!p.deleted) projects.insert(pid);
  }
  const PermissionSet actor_org = OrgPermissions(before, actor);
  std::map<ProjectId, PermissionSet> actor_reaches;
  for (const ProjectId& p : projects) actor_reaches[p] = Reach(before, actor, p);
  for (const UserId& u : users) {
    const PermissionSet gained = OrgPermissions(after, u).Minus(OrgPermissions(before, u));
    if (!gained.IsSubsetOf(actor_org)) {
      out.push_back(Who(u) + " gained " + gained.Minus(actor_org).ToString() +
                    " at org level, beyond actor " + Who(actor));
    }
    for (const ProjectId& p : projects) {
      const PermissionSet actor_reach = actor_reaches.at(p);
      const PermissionSet g = Reach(after, u, p).Minus(Reach(before, u, p));
      if (!g.IsSubsetOf(actor_reach)) {
        out.push_back(Who(u) + " gained " + g.Minus(actor_reach).ToString() + " in project " +
                      p.value + ", beyond actor " + Who(actor));
      }
    }
  }
  return out;
}

Problems CheckState(const OrganizationState& s) {
  Problems out;
  if (s.status == OrgStatus::kNone) return out;
  size_t owners = 0;
  std::set<Email> emails;
  for (const auto& [u, m] : s.members) {
    if (Lower(m.role) == Lower(s.catalog.owner_role())) ++owners;
    if (s.catalog.FindRole(m.role) == nullptr) out.push_back(Who(u) + " holds a missing role");
    if (!emails.insert(m.email).second) out.push_back("two members share " + m.email.value());
  }
  if (owners == 0) out.push_back("no active member holds the owner role");
  if (owners != s.owner_count()) out.push_back("owner index disagrees with the members");
  std::set<Email> pending;
  for (const auto& [id, inv] : s.invitations) {
    if (inv.status != InvitationStatus::kPending) continue;
    if (!pending.insert(inv.email).second) {
      out.push_back("two pending invitations for " + inv.email.value());
    }
    if (s.catalog.FindRole(inv.role) == nullptr) out.push_back(id.value + " has a missing role");
    if (s.member_by_email.contains(inv.email)) {
      out.push_back(id.value + " is pending for an active member's email");
    }
  }
  for (const auto& [rid, r] : s.resources) {
    if (!s.members.contains(r.owner)) {
      out.push_back("resource " + rid.value + " is owned by non-member " + Who(r.owner));
    }
  }
  OrganizationState rebuilt = s;
  RebuildIndexes(rebuilt);
  if (!(rebuilt == s)) out.push_back("indexes differ from the ones rebuilt from primary data");
  return out;
}

Problems CheckGone(const OrganizationState& s, const UserId& user, Time now) {
  Problems out;
  if (s.FindMember(user) != nullptr) out.push_back(Who(user) + " is still a member");
  if (s.direct_projects.contains(user)) out.push_back(Who(user) + " still has direct projects");
  for (const auto& [pid, p] : s.projects) {
    if (p.direct_members.contains(user)) {
      out.push_back(Who(user) + " is still a direct member of " + pid.value);
    }
  }
  for (Permission perm : AllPermissions()) {
    if (Check(s, user, perm).allowed) {
      out.push_back(Who(user) + " is still allowed " + std::string(PermissionName(perm)));
    }
    for (const auto& [pid, p] : s.projects) {
      if (Check(s, user, perm, pid).allowed) {
        out.push_back(Who(user) + " is still allowed " + std::string(PermissionName(perm)) +
                      " in " + pid.value);
      }
    }
  }
  if (DecideActivity(s, ActivityState(), user, RecordLogin{}, now).has_value()) {
    out.push_back(Who(user) + " can still record a login");
  }
  if (s.resources_by_owner.contains(user)) out.push_back(Who(user) + " still owns resources");
  for (const auto& [kid, key] : s.api_keys) {
    if (key.creator == user && !key.revoked && !key.rotation_recommended) {
      out.push_back("live key " + kid.value + " of " + Who(user) + " is not flagged for rotation");
    }
  }
  return out;
}

Problems CheckActivityDecision(const OrganizationState& org, const ActivityState& activity,
                               const UserId& actor, const ActivityCommand& command, Time now,
                               const Decision& decision) {
  Problems out;
  bool known = org.members.contains(actor);
  for (const auto& [pid, p] : org.projects) {
    if (!p.deleted && p.direct_members.contains(actor)) known = true;
  }
  const bool live = org.status == OrgStatus::kActive;
  const bool login = std::holds_alternative<RecordLogin>(command);
  const bool valid_login =
      !login || std::get<RecordLogin>(command).ip.find('\n') == std::string::npos;
  if (decision.has_value() != (live && known && valid_login)) {
    out.push_back(std::string(CommandName(command)) + " for " + Who(actor) +
                  (decision ? " accepted" : " rejected: " + Describe(decision.error())) +
                  (known ? " (has access)" : " (no access)"));
    return out;
  }
  if (!decision) return out;
  if (login) {
    if (decision->size() != 1 || !std::holds_alternative<MemberLoggedIn>(decision->front())) {
      out.push_back("a login was not recorded as exactly one MemberLoggedIn");
    }
    return out;
  }
  auto last = activity.last_seen.find(actor);
  const bool recent =
      last != activity.last_seen.end() && now - last->second < ActivityPolicy().coalesce_window;
  if (recent != decision->empty()) {
    out.push_back(std::string("RecordActivity ") + (decision->empty() ? "coalesced" : "recorded") +
                  " against the coalescing window");
  }
  return out;
}

}  // namespace roster::domain::property
