// Wire conversions for organization, catalog, invitation and membership events.
#include "eventstore/codec/internal/wire_convert.h"

namespace roster::eventstore::codec::internal {

using domain::Email;
using domain::FromMicros;
using domain::ToMicros;

Decoded<domain::PermissionSet> ReadPermissions(capnp::List<capnp::Text>::Reader r) {
  domain::PermissionSet set;
  for (auto name : r) {
    auto p = domain::ParsePermission(std::string_view(name.cStr(), name.size()));
    if (!p) return std::unexpected(CodecError{"unknown permission '" + Str(name) + "'"});
    set = set.Union({*p});
  }
  return set;
}

void WriteRole(wire::Role::Builder b, const domain::Role& role) {
  b.setName(Txt(role.name));
  SetPermissions(b, role.permissions);
  b.setProjectRole(Txt(role.project_role));
}

Decoded<domain::Role> ReadRole(wire::Role::Reader r) {
  auto permissions = ReadPermissions(r.getPermissions());
  if (!permissions) return std::unexpected(permissions.error());
  return domain::Role{Str(r.getName()), *permissions, Str(r.getProjectRole())};
}

void WriteSettings(wire::OrgSettings::Builder b, const domain::OrgSettings& s) {
  b.setInvitationTtlDays(s.invitation_ttl_days);
  b.setMaxPendingInvitations(s.max_pending_invitations);
}

Decoded<domain::OrgSettings> ReadSettings(wire::OrgSettings::Reader r) {
  const domain::OrgSettings settings{r.getInvitationTtlDays(), r.getMaxPendingInvitations()};
  if (!settings.InRange()) {
    return std::unexpected(CodecError{"organization settings out of range: invitationTtlDays " +
                                      std::to_string(settings.invitation_ttl_days) +
                                      ", maxPendingInvitations " +
                                      std::to_string(settings.max_pending_invitations)});
  }
  return settings;
}

void WriteCatalog(wire::RoleCatalog::Builder c, const domain::RoleCatalog& catalog) {
  c.setPreset(Txt(catalog.preset()));
  c.setOwnerRole(Txt(catalog.owner_role()));
  auto roles = c.initRoles(static_cast<unsigned>(catalog.roles().size()));
  for (unsigned i = 0; i < roles.size(); ++i) WriteRole(roles[i], catalog.roles()[i]);
  auto project_roles = c.initProjectRoles(static_cast<unsigned>(catalog.project_roles().size()));
  for (unsigned i = 0; i < project_roles.size(); ++i) {
    const domain::ProjectRole& pr = catalog.project_roles()[i];
    project_roles[i].setName(Txt(pr.name));
    SetPermissions(project_roles[i], pr.permissions);
  }
}

Decoded<domain::RoleCatalog> ReadCatalog(wire::RoleCatalog::Reader c) {
  std::vector<domain::Role> roles;
  for (auto wire_role : c.getRoles()) {
    auto role = ReadRole(wire_role);
    if (!role) return std::unexpected(role.error());
    roles.push_back(std::move(*role));
  }
  std::vector<domain::ProjectRole> project_roles;
  for (auto pr : c.getProjectRoles()) {
    auto permissions = ReadPermissions(pr.getPermissions());
    if (!permissions) return std::unexpected(permissions.error());
    project_roles.push_back(domain::ProjectRole{Str(pr.getName()), *permissions});
  }
  return domain::RoleCatalog(Str(c.getPreset()), std::move(roles), std::move(project_roles),
                             Str(c.getOwnerRole()));
}

void Write(wire::OrganizationCreated::Builder b, const domain::OrganizationCreated& e) {
  b.setOrgId(Txt(e.org_id.value));
  b.setName(Txt(e.name));
  WriteCatalog(b.initCatalog(), e.catalog);
  WriteSettings(b.initSettings(), e.settings);
  b.setCreator(Txt(e.creator.value));
}

Decoded<domain::OrganizationCreated> Read(wire::OrganizationCreated::Reader r) {
  auto catalog = ReadCatalog(r.getCatalog());
  if (!catalog) return std::unexpected(catalog.error());
  auto settings = ReadSettings(r.getSettings());
  if (!settings) return std::unexpected(settings.error());
  return domain::OrganizationCreated{domain::OrgId(Str(r.getOrgId())), Str(r.getName()),
                                     std::move(*catalog), *settings,
                                     domain::UserId(Str(r.getCreator()))};
}

void Write(wire::OrganizationRenamed::Builder b, const domain::OrganizationRenamed& e) {
  b.setOldName(Txt(e.old_name));
  b.setNewName(Txt(e.new_name));
}
Decoded<domain::OrganizationRenamed> Read(wire::OrganizationRenamed::Reader r) {
  return domain::OrganizationRenamed{Str(r.getOldName()), Str(r.getNewName())};
}

void Write(wire::OrganizationSettingsChanged::Builder b,
           const domain::OrganizationSettingsChanged& e) {
  WriteSettings(b.initBefore(), e.before);
  WriteSettings(b.initAfter(), e.after);
}
Decoded<domain::OrganizationSettingsChanged> Read(wire::OrganizationSettingsChanged::Reader r) {
  auto before = ReadSettings(r.getBefore());
  if (!before) return std::unexpected(before.error());
  auto after = ReadSettings(r.getAfter());
  if (!after) return std::unexpected(after.error());
  return domain::OrganizationSettingsChanged{*before, *after};
}

void Write(wire::OrganizationDeleted::Builder b, const domain::OrganizationDeleted& e) {
  b.setName(Txt(e.name));
}
Decoded<domain::OrganizationDeleted> Read(wire::OrganizationDeleted::Reader r) {
  return domain::OrganizationDeleted{Str(r.getName())};
}

void Write(wire::MemberInvitedV2::Builder b, const domain::InvitationSent& e) {
  b.setInvitationId(Txt(e.invitation_id.value));
  b.setEmail(Txt(e.email.value()));
  b.setDisplayName(Txt(e.display_name));
  b.setRole(Txt(e.role));
  b.setInviter(Txt(e.inviter.value));
  b.setTokenHash(Txt(e.token_hash));
  b.setSentAt(ToMicros(e.sent_at));
  b.setValidFor((e.expires_at - e.sent_at).count());
  if (!e.project_id.empty()) {
    b.setProjectId(Txt(e.project_id.value));
    b.setProjectRole(Txt(e.project_role));
  }
}
Decoded<domain::InvitationSent> Read(wire::MemberInvitedV2::Reader r) {
  const domain::Time sent_at = FromMicros(r.getSentAt());
  int64_t expires_at_us = 0;  // a corrupt record could put the deadline past 64 bits
  if (__builtin_add_overflow(r.getSentAt(), r.getValidFor(), &expires_at_us)) {
    return std::unexpected(CodecError{"invitation.sent: sentAt + validFor is out of range"});
  }
  return domain::InvitationSent{domain::InvitationId(Str(r.getInvitationId())),
                                Email::FromNormalized(Str(r.getEmail())),
                                Str(r.getDisplayName()),
                                Str(r.getRole()),
                                domain::UserId(Str(r.getInviter())),
                                Str(r.getTokenHash()),
                                sent_at,
                                FromMicros(expires_at_us),
                                domain::ProjectId(Str(r.getProjectId())),
                                Str(r.getProjectRole())};
}

void Write(wire::InvitationResent::Builder b, const domain::InvitationResent& e) {
  b.setInvitationId(Txt(e.invitation_id.value));
  b.setEmail(Txt(e.email.value()));
  b.setTokenHash(Txt(e.token_hash));
  b.setSentAt(ToMicros(e.sent_at));
  b.setExpiresAt(ToMicros(e.expires_at));
  b.setResendCount(e.resend_count);
}
Decoded<domain::InvitationResent> Read(wire::InvitationResent::Reader r) {
  return domain::InvitationResent{domain::InvitationId(Str(r.getInvitationId())),
                                  Email::FromNormalized(Str(r.getEmail())),
                                  Str(r.getTokenHash()),
                                  FromMicros(r.getSentAt()),
                                  FromMicros(r.getExpiresAt()),
                                  r.getResendCount()};
}

void Write(wire::InvitationRevoked::Builder b, const domain::InvitationRevoked& e) {
  b.setInvitationId(Txt(e.invitation_id.value));
  b.setEmail(Txt(e.email.value()));
  b.setRole(Txt(e.role));
}
Decoded<domain::InvitationRevoked> Read(wire::InvitationRevoked::Reader r) {
  return domain::InvitationRevoked{domain::InvitationId(Str(r.getInvitationId())),
                                   Email::FromNormalized(Str(r.getEmail())), Str(r.getRole())};
}

void Write(wire::InvitationAccepted::Builder b, const domain::InvitationAccepted& e) {
  b.setInvitationId(Txt(e.invitation_id.value));
  b.setEmail(Txt(e.email.value()));
  b.setUserId(Txt(e.user_id.value));
  b.setMembershipId(Txt(e.membership_id.value));
}
Decoded<domain::InvitationAccepted> Read(wire::InvitationAccepted::Reader r) {
  return domain::InvitationAccepted{
      domain::InvitationId(Str(r.getInvitationId())), Email::FromNormalized(Str(r.getEmail())),
      domain::UserId(Str(r.getUserId())), domain::MembershipId(Str(r.getMembershipId()))};
}

void Write(wire::InvitationExpired::Builder b, const domain::InvitationExpired& e) {
  b.setInvitationId(Txt(e.invitation_id.value));
  b.setEmail(Txt(e.email.value()));
  b.setExpiredAt(ToMicros(e.expired_at));
}
Decoded<domain::InvitationExpired> Read(wire::InvitationExpired::Reader r) {
  return domain::InvitationExpired{domain::InvitationId(Str(r.getInvitationId())),
                                   Email::FromNormalized(Str(r.getEmail())),
                                   FromMicros(r.getExpiredAt())};
}

void Write(wire::MemberJoined::Builder b, const domain::MemberJoined& e) {
  b.setMembershipId(Txt(e.membership_id.value));
  b.setUserId(Txt(e.user_id.value));
  b.setEmail(Txt(e.email.value()));
  b.setDisplayName(Txt(e.display_name));
  b.setRole(Txt(e.role));
  b.setInvitationId(Txt(e.invitation_id.value));
}
Decoded<domain::MemberJoined> Read(wire::MemberJoined::Reader r) {
  return domain::MemberJoined{domain::MembershipId(Str(r.getMembershipId())),
                              domain::UserId(Str(r.getUserId())),
                              Email::FromNormalized(Str(r.getEmail())),
                              Str(r.getDisplayName()),
                              Str(r.getRole()),
                              domain::InvitationId(Str(r.getInvitationId()))};
}

void Write(wire::MemberRoleChanged::Builder b, const domain::MemberRoleChanged& e) {
  b.setMembershipId(Txt(e.membership_id.value));
  b.setUserId(Txt(e.user_id.value));
  b.setFromRole(Txt(e.from_role));
  b.setToRole(Txt(e.to_role));
}
Decoded<domain::MemberRoleChanged> Read(wire::MemberRoleChanged::Reader r) {
  return domain::MemberRoleChanged{domain::MembershipId(Str(r.getMembershipId())),
                                   domain::UserId(Str(r.getUserId())), Str(r.getFromRole()),
                                   Str(r.getToRole())};
}

void Write(wire::MemberRemoved::Builder b, const domain::MemberRemoved& e) {
  b.setMembershipId(Txt(e.membership_id.value));
  b.setUserId(Txt(e.user_id.value));
  b.setEmail(Txt(e.email.value()));
  b.setRole(Txt(e.role));
}
Decoded<domain::MemberRemoved> Read(wire::MemberRemoved::Reader r) {
  return domain::MemberRemoved{domain::MembershipId(Str(r.getMembershipId())),
                               domain::UserId(Str(r.getUserId())),
                               Email::FromNormalized(Str(r.getEmail())), Str(r.getRole())};
}

void Write(wire::MemberLeft::Builder b, const domain::MemberLeft& e) {
  b.setMembershipId(Txt(e.membership_id.value));
  b.setUserId(Txt(e.user_id.value));
  b.setEmail(Txt(e.email.value()));
  b.setRole(Txt(e.role));
}
Decoded<domain::MemberLeft> Read(wire::MemberLeft::Reader r) {
  return domain::MemberLeft{domain::MembershipId(Str(r.getMembershipId())),
                            domain::UserId(Str(r.getUserId())),
                            Email::FromNormalized(Str(r.getEmail())), Str(r.getRole())};
}

void Write(wire::OwnershipTransferred::Builder b, const domain::OwnershipTransferred& e) {
  b.setFromUser(Txt(e.from_user.value));
  b.setToUser(Txt(e.to_user.value));
  b.setFromNewRole(Txt(e.from_new_role));
  b.setToPreviousRole(Txt(e.to_previous_role));
}
Decoded<domain::OwnershipTransferred> Read(wire::OwnershipTransferred::Reader r) {
  return domain::OwnershipTransferred{domain::UserId(Str(r.getFromUser())),
                                      domain::UserId(Str(r.getToUser())), Str(r.getFromNewRole()),
                                      Str(r.getToPreviousRole())};
}

void Write(wire::RoleDefined::Builder b, const domain::RoleDefined& e) {
  WriteRole(b.initRole(), e.role);
}
Decoded<domain::RoleDefined> Read(wire::RoleDefined::Reader r) {
  auto role = ReadRole(r.getRole());
  if (!role) return std::unexpected(role.error());
  return domain::RoleDefined{std::move(*role)};
}

void Write(wire::RoleUpdated::Builder b, const domain::RoleUpdated& e) {
  WriteRole(b.initBefore(), e.before);
  WriteRole(b.initAfter(), e.after);
}
Decoded<domain::RoleUpdated> Read(wire::RoleUpdated::Reader r) {
  auto before = ReadRole(r.getBefore());
  if (!before) return std::unexpected(before.error());
  auto after = ReadRole(r.getAfter());
  if (!after) return std::unexpected(after.error());
  return domain::RoleUpdated{std::move(*before), std::move(*after)};
}

void Write(wire::RoleDeleted::Builder b, const domain::RoleDeleted& e) {
  WriteRole(b.initRole(), e.role);
}
Decoded<domain::RoleDeleted> Read(wire::RoleDeleted::Reader r) {
  auto role = ReadRole(r.getRole());
  if (!role) return std::unexpected(role.error());
  return domain::RoleDeleted{std::move(*role)};
}

}  // namespace roster::eventstore::codec::internal
