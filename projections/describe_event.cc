#include "projections/describe_event.h"

#include "domain/overloaded.h"

namespace roster::projections {
namespace {

using namespace domain;

std::string Settings(const OrgSettings& s) {
  return "invitation_ttl_days=" + std::to_string(s.invitation_ttl_days) +
         " max_pending_invitations=" + std::to_string(s.max_pending_invitations);
}

std::string RoleText(const Role& r) {
  return r.name + " [" + r.permissions.ToString() + "]" +
         (r.project_role.empty() ? "" : " project:" + r.project_role);
}

// The facts of an event; also_subject is set by the events that concern a second user: the
// previous owner of an organization or of a resource.
EventFacts Facts(std::string subject, std::string project, std::string before, std::string after) {
  return EventFacts{.subject = std::move(subject),
                    .project = std::move(project),
                    .before = std::move(before),
                    .after = std::move(after),
                    .also_subject = {}};
}

}  // namespace

bool DescribeEvent(const Event& event, const std::string& org, EventFacts* f) {
  return std::visit(
      Overloaded{
          [&](const OrganizationCreated& e) {
            *f = Facts(org, "", "", e.name + " (" + e.catalog.preset() + ")");
            return true;
          },
          [&](const OrganizationRenamed& e) {
            *f = Facts(org, "", e.old_name, e.new_name);
            return true;
          },
          [&](const OrganizationSettingsChanged& e) {
            *f = Facts(org, "", Settings(e.before), Settings(e.after));
            return true;
          },
          [&](const OrganizationDeleted& e) {
            *f = Facts(org, "", e.name, "deleted");
            return true;
          },
          [&](const InvitationSent& e) {
            // A project invitation names its project and the project role it grants.
            *f = e.project_id.empty()
                     ? Facts(e.email.value(), "", "", e.role)
                     : Facts(e.email.value(), e.project_id.value, "", e.project_role);
            return true;
          },
          [&](const InvitationResent& e) {
            *f = Facts(e.email.value(), "", "", "resent #" + std::to_string(e.resend_count));
            return true;
          },
          [&](const InvitationRevoked& e) {
            *f = Facts(e.email.value(), "", e.role, "revoked");
            return true;
          },
          [&](const InvitationAccepted& e) {
            *f = Facts(e.email.value(), "", "pending", "accepted by " + e.user_id.value);
            return true;
          },
          [&](const InvitationExpired& e) {
            *f = Facts(e.email.value(), "", "pending", "expired");
            return true;
          },
          [&](const MemberJoined& e) {
            *f = Facts(e.user_id.value, "", "", e.role);
            return true;
          },
          [&](const MemberRoleChanged& e) {
            *f = Facts(e.user_id.value, "", e.from_role, e.to_role);
            return true;
          },
          [&](const MemberRemoved& e) {
            *f = Facts(e.user_id.value, "", e.role, "");
            return true;
          },
          [&](const MemberLeft& e) {
            *f = Facts(e.user_id.value, "", e.role, "");
            return true;
          },
          [&](const OwnershipTransferred& e) {
            *f = Facts(e.to_user.value, "", e.to_previous_role,
                       "owner (from " + e.from_user.value + ", now " + e.from_new_role + ")");
            f->also_subject = e.from_user.value;
            return true;
          },
          [&](const RoleDefined& e) {
            *f = Facts(e.role.name, "", "", RoleText(e.role));
            return true;
          },
          [&](const RoleUpdated& e) {
            *f = Facts(e.after.name, "", RoleText(e.before), RoleText(e.after));
            return true;
          },
          [&](const RoleDeleted& e) {
            *f = Facts(e.role.name, "", RoleText(e.role), "");
            return true;
          },
          [&](const ProjectCreated& e) {
            *f = Facts(e.project_id.value, e.project_id.value, "", e.name);
            return true;
          },
          [&](const ProjectRenamed& e) {
            *f = Facts(e.project_id.value, e.project_id.value, e.old_name, e.new_name);
            return true;
          },
          [&](const ProjectDeleted& e) {
            *f = Facts(e.project_id.value, e.project_id.value, e.name, "deleted");
            return true;
          },
          [&](const ProjectMemberAdded& e) {
            *f = Facts(e.user_id.value, e.project_id.value, "", e.role);
            return true;
          },
          [&](const ProjectMemberRoleChanged& e) {
            *f = Facts(e.user_id.value, e.project_id.value, e.from_role, e.to_role);
            return true;
          },
          [&](const ProjectMemberRemoved& e) {
            *f = Facts(
                e.user_id.value, e.project_id.value, e.role,
                std::string("removed (") + std::string(ProjectRemovalReasonName(e.reason)) + ")");
            return true;
          },
          [&](const ApiKeyCreated& e) {
            *f = Facts(e.api_key_id.value, e.project_id.value, "",
                       e.name + " by " + e.creator.value);
            return true;
          },
          [&](const ApiKeyRevoked& e) {
            *f = Facts(e.api_key_id.value, "", "active", "revoked");
            return true;
          },
          [&](const ApiKeyRotationRecommended& e) {
            *f = Facts(e.api_key_id.value, "", "active", "rotation recommended (" + e.reason + ")");
            return true;
          },
          [&](const ResourceRegistered& e) {
            *f = Facts(e.resource_id.value, e.project_id.value, "",
                       e.kind + " '" + e.name + "' owned by " + e.owner.value);
            return true;
          },
          [&](const ResourceReassigned& e) {
            *f = Facts(e.resource_id.value, "", e.from_owner.value, e.to_owner.value);
            // "What happened to this user's resources" is asked by the old owner's id.
            f->also_subject = e.from_owner.value;
            return true;
          },
          [&](const ResourceDeleted& e) {
            *f = Facts(e.resource_id.value, "", "registered", "deleted");
            return true;
          },
          [&](const MemberLoggedIn&) { return false; },
          [&](const MemberActive&) { return false; },
      },
      event);
}

std::string_view SubjectOf(const Event& event, const std::string& org) {
  return std::visit(
      Overloaded{
          [&](const OrganizationCreated&) -> std::string_view { return org; },
          [&](const OrganizationRenamed&) -> std::string_view { return org; },
          [&](const OrganizationSettingsChanged&) -> std::string_view { return org; },
          [&](const OrganizationDeleted&) -> std::string_view { return org; },
          [](const InvitationSent& e) -> std::string_view { return e.email.value(); },
          [](const InvitationResent& e) -> std::string_view { return e.email.value(); },
          [](const InvitationRevoked& e) -> std::string_view { return e.email.value(); },
          [](const InvitationAccepted& e) -> std::string_view { return e.email.value(); },
          [](const InvitationExpired& e) -> std::string_view { return e.email.value(); },
          [](const MemberJoined& e) -> std::string_view { return e.user_id.value; },
          [](const MemberRoleChanged& e) -> std::string_view { return e.user_id.value; },
          [](const MemberRemoved& e) -> std::string_view { return e.user_id.value; },
          [](const MemberLeft& e) -> std::string_view { return e.user_id.value; },
          [](const OwnershipTransferred& e) -> std::string_view { return e.to_user.value; },
          [](const RoleDefined& e) -> std::string_view { return e.role.name; },
          [](const RoleUpdated& e) -> std::string_view { return e.after.name; },
          [](const RoleDeleted& e) -> std::string_view { return e.role.name; },
          [](const ProjectCreated& e) -> std::string_view { return e.project_id.value; },
          [](const ProjectRenamed& e) -> std::string_view { return e.project_id.value; },
          [](const ProjectDeleted& e) -> std::string_view { return e.project_id.value; },
          [](const ProjectMemberAdded& e) -> std::string_view { return e.user_id.value; },
          [](const ProjectMemberRoleChanged& e) -> std::string_view { return e.user_id.value; },
          [](const ProjectMemberRemoved& e) -> std::string_view { return e.user_id.value; },
          [](const ApiKeyCreated& e) -> std::string_view { return e.api_key_id.value; },
          [](const ApiKeyRevoked& e) -> std::string_view { return e.api_key_id.value; },
          [](const ApiKeyRotationRecommended& e) -> std::string_view { return e.api_key_id.value; },
          [](const ResourceRegistered& e) -> std::string_view { return e.resource_id.value; },
          [](const ResourceReassigned& e) -> std::string_view { return e.resource_id.value; },
          [](const ResourceDeleted& e) -> std::string_view { return e.resource_id.value; },
          [](const MemberLoggedIn&) -> std::string_view { return {}; },
          [](const MemberActive&) -> std::string_view { return {}; },
      },
      event);
}

std::string_view AlsoSubjectOf(const domain::Event& event) {
  if (const auto* e = std::get_if<domain::OwnershipTransferred>(&event)) return e->from_user.value;
  if (const auto* e = std::get_if<domain::ResourceReassigned>(&event)) return e->from_owner.value;
  return {};
}

}  // namespace roster::projections
