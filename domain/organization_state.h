// OrganizationState: the Organization aggregate, rebuilt by folding its events.
//
// Apply(state, event) never fails: events are facts. The state is indexed so that deciding a
// command on an organization with tens of thousands of members and thousands of pending
// invitations never scans them (members by user and by email, pending invitations by email and
// by expiry, direct project memberships, API keys and resources by user, owners in join
// order). Value type; copying is deep.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "domain/email.h"
#include "domain/events.h"
#include "domain/ids.h"
#include "domain/role_catalog.h"
#include "domain/time.h"

namespace roster::domain {

enum class OrgStatus : uint8_t { kNone, kActive, kDeleted };

struct Member {
  MembershipId membership_id;
  UserId user_id;
  Email email;
  std::string display_name;
  std::string role;
  uint64_t join_seq = 0;  // order of joining, for "the longest-standing owner"
  bool operator==(const Member&) const = default;
};

enum class InvitationStatus : uint8_t { kPending, kAccepted, kRevoked, kExpired };
std::string_view InvitationStatusName(InvitationStatus s);

struct Invitation {
  InvitationId id;
  Email email;
  std::string display_name;
  std::string role;
  UserId inviter;
  std::string token_hash;
  Time sent_at;
  Time expires_at;
  InvitationStatus status = InvitationStatus::kPending;
  uint32_t resend_count = 0;
  ProjectId project_id = {};  // a project invitation: the project and its project role
  std::string project_role = {};
  bool is_project() const { return !project_id.empty(); }
  // What accepting grants: the org role, or "<project role> in project <id>".
  std::string Grant() const;
  bool operator==(const Invitation&) const = default;
};

// The key of OrganizationState::pending_by_project_email.
std::string ProjectInviteKey(const ProjectId& project, const Email& email);

struct Project {
  ProjectId id;
  std::string name;
  bool deleted = false;
  std::unordered_map<UserId, std::string, IdHash> direct_members;  // user -> project role
  bool operator==(const Project&) const = default;
};

struct ApiKey {
  ApiKeyId id;
  std::string name;
  UserId creator;
  ProjectId project_id;
  bool revoked = false;
  bool rotation_recommended = false;
  bool operator==(const ApiKey&) const = default;
};

struct Resource {
  ResourceId id;
  std::string kind;
  std::string name;
  UserId owner;
  ProjectId project_id;
  bool operator==(const Resource&) const = default;
};

struct OrganizationState {
  OrgId org_id;
  std::string name;
  OrgStatus status = OrgStatus::kNone;
  RoleCatalog catalog;
  OrgSettings settings;

  // Active members and their indexes.
  std::unordered_map<UserId, Member, IdHash> members;
  std::unordered_map<Email, UserId, EmailHash> member_by_email;
  std::map<uint64_t, UserId> owners_by_join;               // active members holding the owner role
  std::unordered_map<std::string, uint32_t> role_holders;  // lower-cased role -> members+pending

  // Every invitation ever sent (terminal ones answer "already accepted" / "was revoked").
  std::unordered_map<InvitationId, Invitation, IdHash> invitations;
  std::unordered_map<Email, InvitationId, EmailHash> pending_by_email;  // org invitations
  // Pending project invitations, by ProjectInviteKey(project, email): one per (email, project).
  std::unordered_map<std::string, InvitationId> pending_by_project_email;
  std::set<std::pair<Time, InvitationId>> pending_by_expiry;

  std::unordered_map<ProjectId, Project, IdHash> projects;
  std::unordered_map<UserId, std::set<ProjectId>, IdHash> direct_projects;  // user -> projects

  std::unordered_map<ApiKeyId, ApiKey, IdHash> api_keys;
  std::unordered_map<UserId, std::set<ApiKeyId>, IdHash> live_keys_by_creator;  // not revoked
  std::unordered_map<ResourceId, Resource, IdHash> resources;
  std::unordered_map<UserId, std::set<ResourceId>, IdHash> resources_by_owner;

  uint64_t memberships_created = 0;  // membership ids are "m<N>"
  uint64_t invitations_created = 0;  // invitation ids are "i<N>"

  bool operator==(const OrganizationState&) const = default;

  // Lookups used by Decide and the read side.
  const Member* FindMember(const UserId& user) const;
  const Role* RoleOf(const UserId& user) const;  // null unless an active member
  bool IsOwner(const UserId& user) const;
  size_t owner_count() const { return owners_by_join.size(); }
  const Project* FindProject(const ProjectId& id) const;  // null if missing or deleted
  // Pending invitations whose expiry has not passed at `now`, without scanning them all.
  size_t LivePendingCount(Time now) const;
};

void Apply(OrganizationState& state, const Event& event);

// Recomputes every derived index (member_by_email, owners_by_join, role_holders,
// pending_by_email, pending_by_project_email, pending_by_expiry, direct_projects,
// live_keys_by_creator, resources_by_owner) from the primary maps. Used when a state is loaded from
// a snapshot, which stores only the primary data.
void RebuildIndexes(OrganizationState& state);

}  // namespace roster::domain
