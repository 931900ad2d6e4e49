#include "domain/organization_state.h"

namespace roster::domain {
namespace {

void AddHolder(OrganizationState& s, const std::string& role) {
  ++s.role_holders[LowerAscii(role)];
}

void DropHolder(OrganizationState& s, const std::string& role) {
  auto it = s.role_holders.find(LowerAscii(role));
  if (it == s.role_holders.end()) return;
  if (--it->second == 0) s.role_holders.erase(it);
}

void SetMemberRole(OrganizationState& s, Member& m, const std::string& role) {
  DropHolder(s, m.role);
  AddHolder(s, role);
  const bool was_owner = s.catalog.IsOwnerRole(m.role);
  const bool is_owner = s.catalog.IsOwnerRole(role);
  if (was_owner && !is_owner) s.owners_by_join.erase(m.join_seq);
  if (!was_owner && is_owner) s.owners_by_join.emplace(m.join_seq, m.user_id);
  m.role = role;
}

// Ends a pending invitation (accepted, revoked, expired) and drops it from the indexes.
void EndInvitation(OrganizationState& s, const InvitationId& id, InvitationStatus status) {
  auto it = s.invitations.find(id);
  if (it == s.invitations.end() || it->second.status != InvitationStatus::kPending) return;
  Invitation& inv = it->second;
  inv.status = status;
  s.pending_by_expiry.erase({inv.expires_at, inv.id});
  if (inv.is_project()) {
    auto by_key = s.pending_by_project_email.find(ProjectInviteKey(inv.project_id, inv.email));
    if (by_key != s.pending_by_project_email.end() && by_key->second == id) {
      s.pending_by_project_email.erase(by_key);
    }
    return;
  }
  auto by_email = s.pending_by_email.find(inv.email);
  if (by_email != s.pending_by_email.end() && by_email->second == id) {
    s.pending_by_email.erase(by_email);
  }
  DropHolder(s, inv.role);
}

// Indexes a pending invitation; a project invitation holds no org role.
void IndexPending(OrganizationState& s, const Invitation& inv) {
  s.pending_by_expiry.emplace(inv.expires_at, inv.id);
  if (inv.is_project()) {
    s.pending_by_project_email[ProjectInviteKey(inv.project_id, inv.email)] = inv.id;
    return;
  }
  s.pending_by_email[inv.email] = inv.id;
  AddHolder(s, inv.role);
}

void EndMembership(OrganizationState& s, const UserId& user) {
  auto it = s.members.find(user);
  if (it == s.members.end()) return;
  const Member& m = it->second;
  DropHolder(s, m.role);
  s.owners_by_join.erase(m.join_seq);
  s.member_by_email.erase(m.email);
  s.members.erase(it);
}

void RemoveDirectProjectMember(OrganizationState& s, const ProjectId& pid, const UserId& user) {
  auto p = s.projects.find(pid);
  if (p != s.projects.end()) p->second.direct_members.erase(user);
  auto d = s.direct_projects.find(user);
  if (d != s.direct_projects.end()) {
    d->second.erase(pid);
    if (d->second.empty()) s.direct_projects.erase(d);
  }
}

template <class Id, class Index>
void IndexErase(Index& index, const UserId& user, const Id& id) {
  auto it = index.find(user);
  if (it == index.end()) return;
  it->second.erase(id);
  if (it->second.empty()) index.erase(it);
}

struct Applier {
  OrganizationState& s;

  void operator()(const OrganizationCreated& e) {
    s.org_id = e.org_id;
    s.name = e.name;
    s.status = OrgStatus::kActive;
    s.catalog = e.catalog;
    s.settings = e.settings;
  }
  void operator()(const OrganizationRenamed& e) { s.name = e.new_name; }
  void operator()(const OrganizationSettingsChanged& e) { s.settings = e.after; }
  void operator()(const OrganizationDeleted&) { s.status = OrgStatus::kDeleted; }

  void operator()(const InvitationSent& e) {
    ++s.invitations_created;
    Invitation inv{e.invitation_id,
                   e.email,
                   e.display_name,
                   e.role,
                   e.inviter,
                   e.token_hash,
                   e.sent_at,
                   e.expires_at,
                   InvitationStatus::kPending,
                   0,
                   e.project_id,
                   e.project_role};
    IndexPending(s, inv);
    s.invitations.insert_or_assign(e.invitation_id, std::move(inv));
  }
  void operator()(const InvitationResent& e) {
    auto it = s.invitations.find(e.invitation_id);
    if (it == s.invitations.end() || it->second.status != InvitationStatus::kPending) return;
    Invitation& inv = it->second;
    s.pending_by_expiry.erase({inv.expires_at, inv.id});
    inv.token_hash = e.token_hash;
    inv.sent_at = e.sent_at;
    inv.expires_at = e.expires_at;
    inv.resend_count = e.resend_count;
    s.pending_by_expiry.emplace(inv.expires_at, inv.id);
  }
  void operator()(const InvitationRevoked& e) {
    EndInvitation(s, e.invitation_id, InvitationStatus::kRevoked);
  }
  void operator()(const InvitationAccepted& e) {
    EndInvitation(s, e.invitation_id, InvitationStatus::kAccepted);
  }
  void operator()(const InvitationExpired& e) {
    EndInvitation(s, e.invitation_id, InvitationStatus::kExpired);
  }

  void operator()(const MemberJoined& e) {
    EndMembership(s, e.user_id);  // never expected; keeps the indexes consistent regardless
    Member m{e.membership_id, e.user_id, e.email, e.display_name, e.role, ++s.memberships_created};
    AddHolder(s, e.role);
    if (s.catalog.IsOwnerRole(e.role)) s.owners_by_join.emplace(m.join_seq, e.user_id);
    s.member_by_email[e.email] = e.user_id;
    s.members.insert_or_assign(e.user_id, std::move(m));
  }
  void operator()(const MemberRoleChanged& e) {
    auto it = s.members.find(e.user_id);
    if (it != s.members.end()) SetMemberRole(s, it->second, e.to_role);
  }
  void operator()(const MemberRemoved& e) { EndMembership(s, e.user_id); }
  void operator()(const MemberLeft& e) { EndMembership(s, e.user_id); }
  void operator()(const OwnershipTransferred& e) {
    auto to = s.members.find(e.to_user);
    if (to != s.members.end()) SetMemberRole(s, to->second, s.catalog.owner_role());
    auto from = s.members.find(e.from_user);
    if (from != s.members.end()) SetMemberRole(s, from->second, e.from_new_role);
  }

  void operator()(const RoleDefined& e) { s.catalog.PutRole(e.role); }
  void operator()(const RoleUpdated& e) { s.catalog.PutRole(e.after); }
  void operator()(const RoleDeleted& e) { s.catalog.EraseRole(e.role.name); }

  void operator()(const ProjectCreated& e) {
    Project& p = s.projects[e.project_id];
    p.id = e.project_id;
    p.name = e.name;
  }
  void operator()(const ProjectRenamed& e) {
    auto it = s.projects.find(e.project_id);
    if (it != s.projects.end()) it->second.name = e.new_name;
  }
  void operator()(const ProjectDeleted& e) {
    auto it = s.projects.find(e.project_id);
    if (it == s.projects.end()) return;
    for (const auto& [user, role] : it->second.direct_members) {
      auto d = s.direct_projects.find(user);
      if (d == s.direct_projects.end()) continue;
      d->second.erase(e.project_id);
      if (d->second.empty()) s.direct_projects.erase(d);
    }
    it->second.direct_members.clear();
    it->second.deleted = true;
  }
  void operator()(const ProjectMemberAdded& e) {
    auto it = s.projects.find(e.project_id);
    if (it == s.projects.end()) return;
    it->second.direct_members[e.user_id] = e.role;
    s.direct_projects[e.user_id].insert(e.project_id);
  }
  void operator()(const ProjectMemberRoleChanged& e) {
    auto it = s.projects.find(e.project_id);
    if (it == s.projects.end()) return;
    auto m = it->second.direct_members.find(e.user_id);
    if (m != it->second.direct_members.end()) m->second = e.to_role;
  }
  void operator()(const ProjectMemberRemoved& e) {
    RemoveDirectProjectMember(s, e.project_id, e.user_id);
  }

  void operator()(const ApiKeyCreated& e) {
    s.api_keys[e.api_key_id] = ApiKey{e.api_key_id, e.name, e.creator, e.project_id, false, false};
    s.live_keys_by_creator[e.creator].insert(e.api_key_id);
  }
  void operator()(const ApiKeyRevoked& e) {
    auto it = s.api_keys.find(e.api_key_id);
    if (it == s.api_keys.end()) return;
    it->second.revoked = true;
    IndexErase(s.live_keys_by_creator, it->second.creator, e.api_key_id);
  }
  void operator()(const ApiKeyRotationRecommended& e) {
    auto it = s.api_keys.find(e.api_key_id);
    if (it != s.api_keys.end()) it->second.rotation_recommended = true;
  }

  void operator()(const ResourceRegistered& e) {
    s.resources[e.resource_id] = Resource{e.resource_id, e.kind, e.name, e.owner, e.project_id};
    s.resources_by_owner[e.owner].insert(e.resource_id);
  }
  void operator()(const ResourceReassigned& e) {
    auto it = s.resources.find(e.resource_id);
    if (it == s.resources.end()) return;
    IndexErase(s.resources_by_owner, it->second.owner, e.resource_id);
    it->second.owner = e.to_owner;
    s.resources_by_owner[e.to_owner].insert(e.resource_id);
  }
  void operator()(const ResourceDeleted& e) {
    auto it = s.resources.find(e.resource_id);
    if (it == s.resources.end()) return;
    IndexErase(s.resources_by_owner, it->second.owner, e.resource_id);
    s.resources.erase(it);
  }

  // Activity events live on their own stream and do not change the aggregate.
  void operator()(const MemberLoggedIn&) {}
  void operator()(const MemberActive&) {}
};

}  // namespace

std::string_view InvitationStatusName(InvitationStatus s) {
  switch (s) {
    case InvitationStatus::kPending:
      return "pending";
    case InvitationStatus::kAccepted:
      return "accepted";
    case InvitationStatus::kRevoked:
      return "revoked";
    case InvitationStatus::kExpired:
      return "expired";
  }
  return "unknown";
}

std::string ProjectInviteKey(const ProjectId& project, const Email& email) {
  // Ids have no spaces (IsValidId), so the space cannot be part of the project id.
  return project.value + " " + email.value();
}

std::string Invitation::Grant() const {
  if (!is_project()) return role;
  return project_role + " in project " + project_id.value;
}

const Member* OrganizationState::FindMember(const UserId& user) const {
  auto it = members.find(user);
  return it == members.end() ? nullptr : &it->second;
}

const Role* OrganizationState::RoleOf(const UserId& user) const {
  const Member* m = FindMember(user);
  return m == nullptr ? nullptr : catalog.FindRole(m->role);
}

bool OrganizationState::IsOwner(const UserId& user) const {
  const Member* m = FindMember(user);
  return m != nullptr && catalog.IsOwnerRole(m->role);
}

const Project* OrganizationState::FindProject(const ProjectId& id) const {
  auto it = projects.find(id);
  return it == projects.end() || it->second.deleted ? nullptr : &it->second;
}

size_t OrganizationState::LivePendingCount(Time now) const {
  size_t overdue = 0;
  for (const auto& [expires_at, id] : pending_by_expiry) {
    if (expires_at > now) break;
    ++overdue;
  }
  return pending_by_expiry.size() - overdue;
}

void Apply(OrganizationState& state, const Event& event) { std::visit(Applier{state}, event); }

void RebuildIndexes(OrganizationState& s) {
  s.member_by_email.clear();
  s.owners_by_join.clear();
  s.role_holders.clear();
  s.pending_by_email.clear();
  s.pending_by_project_email.clear();
  s.pending_by_expiry.clear();
  s.direct_projects.clear();
  s.live_keys_by_creator.clear();
  s.resources_by_owner.clear();
  for (const auto& [user, m] : s.members) {
    s.member_by_email[m.email] = user;
    if (s.catalog.IsOwnerRole(m.role)) s.owners_by_join.emplace(m.join_seq, user);
    AddHolder(s, m.role);
  }
  for (const auto& [id, inv] : s.invitations) {
    if (inv.status != InvitationStatus::kPending) continue;
    IndexPending(s, inv);
  }
  for (const auto& [pid, p] : s.projects) {
    for (const auto& [user, role] : p.direct_members) s.direct_projects[user].insert(pid);
  }
  for (const auto& [kid, key] : s.api_keys) {
    if (!key.revoked) s.live_keys_by_creator[key.creator].insert(kid);
  }
  for (const auto& [rid, r] : s.resources) s.resources_by_owner[r.owner].insert(rid);
}

}  // namespace roster::domain
