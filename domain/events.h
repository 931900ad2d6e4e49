// The events of the membership domain: plain data, past tense, with stable type names.
//
// Every change to an organization is one of these, appended to the organization's stream
// (logins and last-active go to the organization's activity stream instead; see activity.h).
// Type names (kType) are part of the stored format: never rename one; a changed meaning gets a
// new revision with an upcaster (eventstore/codec). Record metadata (actor, time, command id,
// correlation id, source) travels beside the event in the log, so events carry only what the
// state needs. Value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "domain/email.h"
#include "domain/ids.h"
#include "domain/role_catalog.h"
#include "domain/time.h"

namespace roster::domain {

struct OrgSettings {
  static constexpr int32_t kMaxInvitationTtlDays = 30;
  static constexpr int32_t kMaxPendingInvitationsCap = 10000;

  int32_t invitation_ttl_days = 7;       // 1..kMaxInvitationTtlDays
  int32_t max_pending_invitations = 50;  // 1..kMaxPendingInvitationsCap
  bool operator==(const OrgSettings&) const = default;
  // Within the ranges above: commands are refused outside them, and a stored record outside
  // them is malformed (an expiry computed from a lifetime of 2^31 days would overflow).
  bool InRange() const {
    return invitation_ttl_days >= 1 && invitation_ttl_days <= kMaxInvitationTtlDays &&
           max_pending_invitations >= 1 && max_pending_invitations <= kMaxPendingInvitationsCap;
  }
};

// Why someone lost direct access to a project.
enum class ProjectRemovalReason : uint8_t {
  kDirect = 0,          // removed from the project itself
  kOrgRemoval = 1,      // removed from the organization (rule 7)
  kOrgLeft = 2,         // left the organization
  kProjectDeleted = 3,  // the project was deleted
};

struct OrganizationCreated {
  static constexpr std::string_view kType = "organization.created";
  OrgId org_id;
  std::string name;
  RoleCatalog catalog;  // a full copy: presets may evolve, history must not
  OrgSettings settings;
  UserId creator;
  bool operator==(const OrganizationCreated&) const = default;
};

struct OrganizationRenamed {
  static constexpr std::string_view kType = "organization.renamed";
  std::string old_name;
  std::string new_name;
  bool operator==(const OrganizationRenamed&) const = default;
};

struct OrganizationSettingsChanged {
  static constexpr std::string_view kType = "organization.settings_changed";
  OrgSettings before;
  OrgSettings after;
  bool operator==(const OrganizationSettingsChanged&) const = default;
};

struct OrganizationDeleted {
  static constexpr std::string_view kType = "organization.deleted";
  std::string name;
  bool operator==(const OrganizationDeleted&) const = default;
};

struct InvitationSent {
  static constexpr std::string_view kType = "invitation.sent";
  InvitationId invitation_id;
  Email email;
  std::string display_name;
  std::string role;  // the org role; empty for a project invitation
  UserId inviter;
  std::string token_hash;  // hex SHA-256 of the secret token; the token itself is never stored
  Time sent_at;
  Time expires_at;
  // A project invitation (InviteToProject): the project and the project role accepting grants.
  // Both empty for an org invitation (and in every record written before they existed).
  ProjectId project_id = {};
  std::string project_role = {};
  bool operator==(const InvitationSent&) const = default;
};

struct InvitationResent {
  static constexpr std::string_view kType = "invitation.resent";
  InvitationId invitation_id;
  Email email;
  std::string token_hash;
  Time sent_at;
  Time expires_at;
  uint32_t resend_count = 0;  // after this resend
  bool operator==(const InvitationResent&) const = default;
};

struct InvitationRevoked {
  static constexpr std::string_view kType = "invitation.revoked";
  InvitationId invitation_id;
  Email email;
  std::string role;
  bool operator==(const InvitationRevoked&) const = default;
};

struct InvitationAccepted {
  static constexpr std::string_view kType = "invitation.accepted";
  InvitationId invitation_id;
  Email email;
  UserId user_id;
  MembershipId membership_id;
  bool operator==(const InvitationAccepted&) const = default;
};

struct InvitationExpired {
  static constexpr std::string_view kType = "invitation.expired";
  InvitationId invitation_id;
  Email email;
  Time expired_at;  // the invitation's expiry time, not when the sweep noticed
  bool operator==(const InvitationExpired&) const = default;
};

struct MemberJoined {
  static constexpr std::string_view kType = "member.joined";
  MembershipId membership_id;
  UserId user_id;
  Email email;
  std::string display_name;
  std::string role;
  InvitationId invitation_id;  // empty for the creator of the organization
  bool operator==(const MemberJoined&) const = default;
};

struct MemberRoleChanged {
  static constexpr std::string_view kType = "member.role_changed";
  MembershipId membership_id;
  UserId user_id;
  std::string from_role;
  std::string to_role;
  bool operator==(const MemberRoleChanged&) const = default;
};

struct MemberRemoved {
  static constexpr std::string_view kType = "member.removed";
  MembershipId membership_id;
  UserId user_id;
  Email email;
  std::string role;
  bool operator==(const MemberRemoved&) const = default;
};

struct MemberLeft {
  static constexpr std::string_view kType = "member.left";
  MembershipId membership_id;
  UserId user_id;
  Email email;
  std::string role;
  bool operator==(const MemberLeft&) const = default;
};

struct OwnershipTransferred {
  static constexpr std::string_view kType = "ownership.transferred";
  UserId from_user;
  UserId to_user;
  std::string from_new_role;     // the role the previous owner steps down to
  std::string to_previous_role;  // the new owner's role before the transfer
  bool operator==(const OwnershipTransferred&) const = default;
};

struct RoleDefined {
  static constexpr std::string_view kType = "role.defined";
  Role role;
  bool operator==(const RoleDefined&) const = default;
};

struct RoleUpdated {
  static constexpr std::string_view kType = "role.updated";
  Role before;
  Role after;
  bool operator==(const RoleUpdated&) const = default;
};

struct RoleDeleted {
  static constexpr std::string_view kType = "role.deleted";
  Role role;
  bool operator==(const RoleDeleted&) const = default;
};

struct ProjectCreated {
  static constexpr std::string_view kType = "project.created";
  ProjectId project_id;
  std::string name;
  bool operator==(const ProjectCreated&) const = default;
};

struct ProjectRenamed {
  static constexpr std::string_view kType = "project.renamed";
  ProjectId project_id;
  std::string old_name;
  std::string new_name;
  bool operator==(const ProjectRenamed&) const = default;
};

struct ProjectDeleted {
  static constexpr std::string_view kType = "project.deleted";
  ProjectId project_id;
  std::string name;
  bool operator==(const ProjectDeleted&) const = default;
};

struct ProjectMemberAdded {
  static constexpr std::string_view kType = "project.member_added";
  ProjectId project_id;
  UserId user_id;
  std::string role;
  bool operator==(const ProjectMemberAdded&) const = default;
};

struct ProjectMemberRoleChanged {
  static constexpr std::string_view kType = "project.member_role_changed";
  ProjectId project_id;
  UserId user_id;
  std::string from_role;
  std::string to_role;
  bool operator==(const ProjectMemberRoleChanged&) const = default;
};

struct ProjectMemberRemoved {
  static constexpr std::string_view kType = "project.member_removed";
  ProjectId project_id;
  UserId user_id;
  std::string role;
  ProjectRemovalReason reason = ProjectRemovalReason::kDirect;
  bool operator==(const ProjectMemberRemoved&) const = default;
};

struct ApiKeyCreated {
  static constexpr std::string_view kType = "apikey.created";
  ApiKeyId api_key_id;
  std::string name;
  UserId creator;
  ProjectId project_id;  // empty for an org-wide key
  bool operator==(const ApiKeyCreated&) const = default;
};

struct ApiKeyRevoked {
  static constexpr std::string_view kType = "apikey.revoked";
  ApiKeyId api_key_id;
  bool operator==(const ApiKeyRevoked&) const = default;
};

struct ApiKeyRotationRecommended {
  static constexpr std::string_view kType = "apikey.rotation_recommended";
  ApiKeyId api_key_id;
  UserId creator;      // whose departure prompted it
  std::string reason;  // "creator_removed" or "creator_left"
  bool operator==(const ApiKeyRotationRecommended&) const = default;
};

struct ResourceRegistered {
  static constexpr std::string_view kType = "resource.registered";
  ResourceId resource_id;
  std::string kind;
  std::string name;
  UserId owner;
  ProjectId project_id;
  bool operator==(const ResourceRegistered&) const = default;
};

struct ResourceReassigned {
  static constexpr std::string_view kType = "resource.reassigned";
  ResourceId resource_id;
  UserId from_owner;
  UserId to_owner;
  std::string reason;  // "owner_removed", "owner_left" or "manual"
  bool operator==(const ResourceReassigned&) const = default;
};

struct ResourceDeleted {
  static constexpr std::string_view kType = "resource.deleted";
  ResourceId resource_id;
  bool operator==(const ResourceDeleted&) const = default;
};

// Activity stream events (see activity.h): frequent, kept out of the organization stream.
struct MemberLoggedIn {
  static constexpr std::string_view kType = "member.logged_in";
  UserId user_id;
  Time at;
  std::string ip;
  std::string user_agent;
  bool operator==(const MemberLoggedIn&) const = default;
};

struct MemberActive {
  static constexpr std::string_view kType = "member.active";
  UserId user_id;
  Time at;
  bool operator==(const MemberActive&) const = default;
};

using Event =
    std::variant<OrganizationCreated, OrganizationRenamed, OrganizationSettingsChanged,
                 OrganizationDeleted, InvitationSent, InvitationResent, InvitationRevoked,
                 InvitationAccepted, InvitationExpired, MemberJoined, MemberRoleChanged,
                 MemberRemoved, MemberLeft, OwnershipTransferred, RoleDefined, RoleUpdated,
                 RoleDeleted, ProjectCreated, ProjectRenamed, ProjectDeleted, ProjectMemberAdded,
                 ProjectMemberRoleChanged, ProjectMemberRemoved, ApiKeyCreated, ApiKeyRevoked,
                 ApiKeyRotationRecommended, ResourceRegistered, ResourceReassigned, ResourceDeleted,
                 MemberLoggedIn, MemberActive>;

inline std::string_view EventType(const Event& e) {
  return std::visit([](const auto& ev) { return std::decay_t<decltype(ev)>::kType; }, e);
}

// Whether the event belongs on the organization's activity stream rather than its main stream.
inline bool IsActivityEvent(const Event& e) {
  return std::holds_alternative<MemberLoggedIn>(e) || std::holds_alternative<MemberActive>(e);
}

std::string_view ProjectRemovalReasonName(ProjectRemovalReason r);

}  // namespace roster::domain
