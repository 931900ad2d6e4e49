// Decisions about the organization itself: creation, name, settings, deletion, ownership.
#include "domain/internal/decide_support.h"
#include "domain/presets.h"

namespace roster::domain::internal {
namespace {

Check ValidateSettings(const OrgSettings& s) {
  if (s.invitation_ttl_days < 1 || s.invitation_ttl_days > OrgSettings::kMaxInvitationTtlDays) {
    return Reject(ErrorCode::kInvalidArgument,
                  "The invitation lifetime must be between 1 and 30 days.");
  }
  if (s.max_pending_invitations < 1 ||
      s.max_pending_invitations > OrgSettings::kMaxPendingInvitationsCap) {
    return Reject(ErrorCode::kInvalidArgument,
                  "The pending invitation limit must be between 1 and 10000.");
  }
  return {};
}

}  // namespace

Decision Handle(const OrganizationState& s, const UserId&, const CreateOrganization& c, Time) {
  if (auto ok = ValidateId("Organization id", c.org_id.value); !ok) {
    return std::unexpected(ok.error());
  }
  if (s.status == OrgStatus::kActive) {
    return Reject(ErrorCode::kConflict, "Organization " + c.org_id.value + " already exists.");
  }
  if (s.status == OrgStatus::kDeleted) {
    // Rule 6: every command on a deleted org fails with ORG_DELETED, this one included.
    return Reject(ErrorCode::kOrgDeleted, "Organization id " + c.org_id.value +
                                              " belonged to a deleted organization; ids are not "
                                              "reused so that its history stays unambiguous.");
  }
  if (auto ok = ValidateName("Organization name", c.name); !ok) return std::unexpected(ok.error());
  std::optional<RoleCatalog> catalog = PresetCatalog(c.preset);
  if (!catalog) {
    return Reject(ErrorCode::kInvalidArgument,
                  "Unknown role catalog preset '" + c.preset +
                      "'; use one of commerce, workspace, platform, analytics, api.");
  }
  if (auto ok = ValidateId("Owner user id", c.owner.value); !ok) return std::unexpected(ok.error());
  auto email = Email::Parse(c.owner_email);
  if (!email) return std::unexpected(email.error());
  if (auto ok = ValidateText("Display name", c.owner_display_name, 200); !ok) {
    return std::unexpected(ok.error());
  }
  OrgSettings settings;
  if (c.invitation_ttl_days) settings.invitation_ttl_days = *c.invitation_ttl_days;
  if (c.max_pending_invitations) settings.max_pending_invitations = *c.max_pending_invitations;
  if (auto ok = ValidateSettings(settings); !ok) return std::unexpected(ok.error());

  const std::string owner_role = catalog->owner_role();
  std::vector<Event> events;
  events.push_back(OrganizationCreated{c.org_id, c.name, std::move(*catalog), settings, c.owner});
  events.push_back(MemberJoined{MembershipId("m1"), c.owner, *email, c.owner_display_name,
                                owner_role, InvitationId()});
  return events;
}

Decision Handle(const OrganizationState& s, const UserId& actor, const RenameOrganization& c,
                Time) {
  auto m = RequirePermission(s, actor, Permission::kOrgSettingsManage);
  if (!m) return std::unexpected(m.error());
  if (auto ok = ValidateName("Organization name", c.name); !ok) return std::unexpected(ok.error());
  if (c.name == s.name) return std::vector<Event>{};
  return std::vector<Event>{OrganizationRenamed{s.name, c.name}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const ChangeSettings& c, Time) {
  auto m = RequirePermission(s, actor, Permission::kOrgSettingsManage);
  if (!m) return std::unexpected(m.error());
  if (!c.invitation_ttl_days && !c.max_pending_invitations) {
    // A request that changes nothing is a client mistake (a flag left out), not a no-op to
    // acknowledge.
    return Reject(ErrorCode::kInvalidArgument,
                  "Nothing to change: give an invitation lifetime or a pending invitation limit.");
  }
  OrgSettings after = s.settings;
  if (c.invitation_ttl_days) after.invitation_ttl_days = *c.invitation_ttl_days;
  if (c.max_pending_invitations) after.max_pending_invitations = *c.max_pending_invitations;
  if (auto ok = ValidateSettings(after); !ok) return std::unexpected(ok.error());
  if (after == s.settings) return std::vector<Event>{};
  return std::vector<Event>{OrganizationSettingsChanged{s.settings, after}};
}

Decision Handle(const OrganizationState& s, const UserId& actor, const DeleteOrganization&, Time) {
  auto m = RequirePermission(s, actor, Permission::kOrgDelete);
  if (!m) return std::unexpected(m.error());
  return std::vector<Event>{OrganizationDeleted{s.name}};
}

// Rule 6: an owner hands the owner role to another member and steps down to another role.
Decision Handle(const OrganizationState& s, const UserId& actor, const TransferOwnership& c, Time) {
  auto m = RequirePermission(s, actor, Permission::kOrgOwnershipTransfer);
  if (!m) return std::unexpected(m.error());
  if (!s.catalog.IsOwnerRole((*m)->role)) {
    return Reject(ErrorCode::kPermissionDenied, "Only a member with the " + s.catalog.owner_role() +
                                                    " role can transfer ownership.");
  }
  if (c.to_user == actor) {
    return Reject(ErrorCode::kInvalidArgument, "Ownership must be transferred to someone else.");
  }
  const Member* to = s.FindMember(c.to_user);
  if (to == nullptr) {
    return Reject(ErrorCode::kNotFound,
                  "User " + c.to_user.value + " is not an active member of the organization.");
  }
  const Role* step_down = c.previous_owner_role.empty() ? MostPrivilegedNonOwnerRole(s.catalog)
                                                        : s.catalog.FindRole(c.previous_owner_role);
  if (step_down == nullptr) {
    return Reject(ErrorCode::kNotFound, "Role '" + c.previous_owner_role + "' does not exist.");
  }
  if (s.catalog.IsOwnerRole(step_down->name)) {
    return Reject(ErrorCode::kInvalidArgument,
                  "The previous owner must step down to a role other than " + step_down->name +
                      "; to add an owner, change a member's role instead.");
  }
  return std::vector<Event>{OwnershipTransferred{actor, c.to_user, step_down->name, to->role}};
}

}  // namespace roster::domain::internal
