#include "domain/testing/describe.h"

#include <sstream>

namespace roster::domain {
namespace {

std::string T(Time t) { return std::to_string(ToMicros(t)); }

struct Describer {
  std::ostringstream& o;

  void operator()(const OrganizationCreated& e) {
    o << "org=" << e.org_id.value << " name=" << e.name << " preset=" << e.catalog.preset()
      << " roles=" << e.catalog.roles().size() << " ttl=" << e.settings.invitation_ttl_days
      << " cap=" << e.settings.max_pending_invitations << " creator=" << e.creator.value;
  }
  void operator()(const OrganizationRenamed& e) { o << e.old_name << " -> " << e.new_name; }
  void operator()(const OrganizationSettingsChanged& e) {
    o << "ttl " << e.before.invitation_ttl_days << "->" << e.after.invitation_ttl_days << " cap "
      << e.before.max_pending_invitations << "->" << e.after.max_pending_invitations;
  }
  void operator()(const OrganizationDeleted& e) { o << "name=" << e.name; }
  void operator()(const InvitationSent& e) {
    o << "id=" << e.invitation_id.value << " email=" << e.email.value() << " role=" << e.role
      << " inviter=" << e.inviter.value << " token_hash=" << e.token_hash
      << " sent=" << T(e.sent_at) << " expires=" << T(e.expires_at)
      << " display=" << e.display_name;
  }
  void operator()(const InvitationResent& e) {
    o << "id=" << e.invitation_id.value << " email=" << e.email.value()
      << " token_hash=" << e.token_hash << " sent=" << T(e.sent_at)
      << " expires=" << T(e.expires_at) << " resends=" << e.resend_count;
  }
  void operator()(const InvitationRevoked& e) {
    o << "id=" << e.invitation_id.value << " email=" << e.email.value() << " role=" << e.role;
  }
  void operator()(const InvitationAccepted& e) {
    o << "id=" << e.invitation_id.value << " email=" << e.email.value()
      << " user=" << e.user_id.value << " membership=" << e.membership_id.value;
  }
  void operator()(const InvitationExpired& e) {
    o << "id=" << e.invitation_id.value << " email=" << e.email.value()
      << " at=" << T(e.expired_at);
  }
  void operator()(const MemberJoined& e) {
    o << "membership=" << e.membership_id.value << " user=" << e.user_id.value
      << " email=" << e.email.value() << " role=" << e.role
      << " invitation=" << e.invitation_id.value << " display=" << e.display_name;
  }
  void operator()(const MemberRoleChanged& e) {
    o << "membership=" << e.membership_id.value << " user=" << e.user_id.value
      << " from=" << e.from_role << " to=" << e.to_role;
  }
  void operator()(const MemberRemoved& e) {
    o << "membership=" << e.membership_id.value << " user=" << e.user_id.value
      << " email=" << e.email.value() << " role=" << e.role;
  }
  void operator()(const MemberLeft& e) {
    o << "membership=" << e.membership_id.value << " user=" << e.user_id.value
      << " email=" << e.email.value() << " role=" << e.role;
  }
  void operator()(const OwnershipTransferred& e) {
    o << "from=" << e.from_user.value << " to=" << e.to_user.value
      << " from_new_role=" << e.from_new_role << " to_previous_role=" << e.to_previous_role;
  }
  void Role_(const Role& r) {
    o << r.name << "[" << r.permissions.ToString() << "] project_role=" << r.project_role;
  }
  void operator()(const RoleDefined& e) { Role_(e.role); }
  void operator()(const RoleUpdated& e) {
    Role_(e.before);
    o << " -> ";
    Role_(e.after);
  }
  void operator()(const RoleDeleted& e) { Role_(e.role); }
  void operator()(const ProjectCreated& e) {
    o << "project=" << e.project_id.value << " name=" << e.name;
  }
  void operator()(const ProjectRenamed& e) {
    o << "project=" << e.project_id.value << " " << e.old_name << " -> " << e.new_name;
  }
  void operator()(const ProjectDeleted& e) {
    o << "project=" << e.project_id.value << " name=" << e.name;
  }
  void operator()(const ProjectMemberAdded& e) {
    o << "project=" << e.project_id.value << " user=" << e.user_id.value << " role=" << e.role;
  }
  void operator()(const ProjectMemberRoleChanged& e) {
    o << "project=" << e.project_id.value << " user=" << e.user_id.value << " from=" << e.from_role
      << " to=" << e.to_role;
  }
  void operator()(const ProjectMemberRemoved& e) {
    o << "project=" << e.project_id.value << " user=" << e.user_id.value << " role=" << e.role
      << " reason=" << ProjectRemovalReasonName(e.reason);
  }
  void operator()(const ApiKeyCreated& e) {
    o << "key=" << e.api_key_id.value << " name=" << e.name << " creator=" << e.creator.value
      << " project=" << e.project_id.value;
  }
  void operator()(const ApiKeyRevoked& e) { o << "key=" << e.api_key_id.value; }
  void operator()(const ApiKeyRotationRecommended& e) {
    o << "key=" << e.api_key_id.value << " creator=" << e.creator.value << " reason=" << e.reason;
  }
  void operator()(const ResourceRegistered& e) {
    o << "resource=" << e.resource_id.value << " kind=" << e.kind << " name=" << e.name
      << " owner=" << e.owner.value << " project=" << e.project_id.value;
  }
  void operator()(const ResourceReassigned& e) {
    o << "resource=" << e.resource_id.value << " from=" << e.from_owner.value
      << " to=" << e.to_owner.value << " reason=" << e.reason;
  }
  void operator()(const ResourceDeleted& e) { o << "resource=" << e.resource_id.value; }
  void operator()(const MemberLoggedIn& e) {
    o << "user=" << e.user_id.value << " at=" << T(e.at) << " ip=" << e.ip
      << " agent=" << e.user_agent;
  }
  void operator()(const MemberActive& e) { o << "user=" << e.user_id.value << " at=" << T(e.at); }
};

}  // namespace

std::string Describe(const Event& event) {
  std::ostringstream o;
  o << EventType(event) << "{";
  std::visit(Describer{o}, event);
  o << "}";
  return o.str();
}

std::string Describe(const std::vector<Event>& events) {
  if (events.empty()) return "  (no events)\n";
  std::string out;
  for (const Event& e : events) out += "  " + Describe(e) + "\n";
  return out;
}

std::string Describe(const Rejection& rejection) {
  return std::string(ErrorCodeName(rejection.code)) + ": " + rejection.message;
}

void PrintTo(const Event& event, std::ostream* os) { *os << Describe(event); }
void PrintTo(const Rejection& rejection, std::ostream* os) { *os << Describe(rejection); }

}  // namespace roster::domain
