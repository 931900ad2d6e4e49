// The commands of the membership domain: requests to change an organization.
//
// A command names what should happen; Decide (decide.h) checks it against the organization's
// state and either returns the events that record it or a Rejection. The actor, the command id
// and the time travel beside the command (see Decide), not inside it. Values chosen by Roster
// rather than by the caller (the hash of a fresh invitation token) are filled in by the command
// service before the command reaches Decide. Value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/ids.h"
#include "domain/permission.h"

namespace roster::domain {

// Done by a trusted service principal; `owner` becomes the first member, with the owner role.
struct CreateOrganization {
  static constexpr std::string_view kName = "CreateOrganization";
  OrgId org_id;
  std::string name;
  std::string preset;  // a name from PresetNames()
  UserId owner;
  std::string owner_email;
  std::string owner_display_name;
  std::optional<int32_t> invitation_ttl_days;
  std::optional<int32_t> max_pending_invitations;
};

struct RenameOrganization {
  static constexpr std::string_view kName = "RenameOrganization";
  std::string name;
};

struct ChangeSettings {
  static constexpr std::string_view kName = "ChangeSettings";
  std::optional<int32_t> invitation_ttl_days;
  std::optional<int32_t> max_pending_invitations;
};

struct DeleteOrganization {
  static constexpr std::string_view kName = "DeleteOrganization";
};

struct InviteMember {
  static constexpr std::string_view kName = "InviteMember";
  std::string email;  // raw; normalized and validated by Decide
  std::string display_name;
  std::string role;
  std::string token_hash;  // filled in by the command service
  // The invitation's lifetime in days, 1..the org's invitation_ttl_days (the maximum); none:
  // that setting. A resend keeps it. Initialized so that the many call sites written before
  // it existed (InviteMember{email, name, role, hash}) stay complete initializations.
  std::optional<int32_t> ttl_days = std::nullopt;
};

// Invites someone by email to one project with a project role, without org membership:
// accepting grants direct project access only (rule 7's project-only access), or, for someone
// already in the organization, just the direct grant. Needs what AddProjectMember needs.
struct InviteToProject {
  static constexpr std::string_view kName = "InviteToProject";
  std::string email;  // raw; normalized and validated by Decide
  std::string display_name;
  ProjectId project_id;
  std::string role;                 // a project role
  std::optional<int32_t> ttl_days;  // as InviteMember's
  std::string token_hash;           // filled in by the command service
};

// Many org invitations in one command: each entry is decided in order against the state as the
// entries before it left it; the accepted ones' events are appended together, the refused ones
// are reported entry by entry (DecideInviteMembers in decide.h). The command itself is refused
// only for what no entry could change: the actor, the organization, an empty or oversized list.
struct InviteMembers {
  static constexpr std::string_view kName = "InviteMembers";
  static constexpr size_t kMaxEntries = 100;
  std::vector<InviteMember> entries;  // token hashes filled in by the command service
};

struct ResendInvitation {
  static constexpr std::string_view kName = "ResendInvitation";
  InvitationId invitation_id;
  std::string token_hash;  // of the new token; filled in by the command service
};

struct RevokeInvitation {
  static constexpr std::string_view kName = "RevokeInvitation";
  InvitationId invitation_id;
};

// The actor is the accepting user; `verified_email` comes from the caller's identity provider.
struct AcceptInvitation {
  static constexpr std::string_view kName = "AcceptInvitation";
  InvitationId invitation_id;
  std::string token_hash;  // hash of the token the user presented
  std::string verified_email;
  std::string display_name;
};

// Records InvitationExpired for every pending invitation whose expiry has passed.
struct ExpireInvitations {
  static constexpr std::string_view kName = "ExpireInvitations";
};

struct ChangeRole {
  static constexpr std::string_view kName = "ChangeRole";
  UserId user;
  std::string role;
};

struct RemoveMember {
  static constexpr std::string_view kName = "RemoveMember";
  UserId user;
};

// The actor leaves the organization.
struct LeaveOrganization {
  static constexpr std::string_view kName = "LeaveOrganization";
};

struct TransferOwnership {
  static constexpr std::string_view kName = "TransferOwnership";
  UserId to_user;
  // The role the current owner steps down to; empty picks the most privileged non-owner role.
  std::string previous_owner_role;
};

struct DefineRole {
  static constexpr std::string_view kName = "DefineRole";
  std::string name;
  PermissionSet permissions;
  std::string project_role;  // inherited in every project; empty for none
};

struct UpdateRole {
  static constexpr std::string_view kName = "UpdateRole";
  std::string name;
  PermissionSet permissions;
  std::string project_role;
};

struct DeleteRole {
  static constexpr std::string_view kName = "DeleteRole";
  std::string name;
};

struct CreateProject {
  static constexpr std::string_view kName = "CreateProject";
  ProjectId project_id;
  std::string name;
};

struct RenameProject {
  static constexpr std::string_view kName = "RenameProject";
  ProjectId project_id;
  std::string name;
};

struct DeleteProject {
  static constexpr std::string_view kName = "DeleteProject";
  ProjectId project_id;
};

// `user` need not be a member of the organization (project-only access).
struct AddProjectMember {
  static constexpr std::string_view kName = "AddProjectMember";
  ProjectId project_id;
  UserId user;
  std::string role;  // a project role
};

struct ChangeProjectMemberRole {
  static constexpr std::string_view kName = "ChangeProjectMemberRole";
  ProjectId project_id;
  UserId user;
  std::string role;
};

struct RemoveProjectMember {
  static constexpr std::string_view kName = "RemoveProjectMember";
  ProjectId project_id;
  UserId user;
};

struct CreateApiKey {
  static constexpr std::string_view kName = "CreateApiKey";
  ApiKeyId api_key_id;
  std::string name;
  ProjectId project_id;  // empty for an org-wide key
};

struct RevokeApiKey {
  static constexpr std::string_view kName = "RevokeApiKey";
  ApiKeyId api_key_id;
};

struct RegisterResource {
  static constexpr std::string_view kName = "RegisterResource";
  ResourceId resource_id;
  std::string kind;  // e.g. "agent", "dashboard"
  std::string name;
  UserId owner;  // empty: the actor
  ProjectId project_id;
};

struct ReassignResource {
  static constexpr std::string_view kName = "ReassignResource";
  ResourceId resource_id;
  UserId to_owner;
};

struct DeleteResource {
  static constexpr std::string_view kName = "DeleteResource";
  ResourceId resource_id;
};

// Activity stream commands (activity.h). The actor is the user who logged in / was active.
struct RecordLogin {
  static constexpr std::string_view kName = "RecordLogin";
  std::string ip;
  std::string user_agent;
};

struct RecordActivity {
  static constexpr std::string_view kName = "RecordActivity";
};

using Command =
    std::variant<CreateOrganization, RenameOrganization, ChangeSettings, DeleteOrganization,
                 InviteMember, ResendInvitation, RevokeInvitation, AcceptInvitation,
                 ExpireInvitations, InviteToProject, InviteMembers, ChangeRole, RemoveMember,
                 LeaveOrganization, TransferOwnership, DefineRole, UpdateRole, DeleteRole,
                 CreateProject, RenameProject, DeleteProject, AddProjectMember,
                 ChangeProjectMemberRole, RemoveProjectMember, CreateApiKey, RevokeApiKey,
                 RegisterResource, ReassignResource, DeleteResource>;

// Commands for the activity stream, decided by DecideActivity (activity.h).
using ActivityCommand = std::variant<RecordLogin, RecordActivity>;

// A stable name for the command, e.g. "InviteMember" (logs, metrics, the API).
std::string_view CommandName(const Command& command);
std::string_view CommandName(const ActivityCommand& command);

}  // namespace roster::domain
