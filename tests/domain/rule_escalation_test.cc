// SPEC.md section 3, rule 2: no escalation. An actor may grant, or change someone from, only
// roles whose permissions are a subset of the actor's own; a Manager cannot create or demote an
// Owner. The same holds for custom roles and for project roles.
#include <gtest/gtest.h>

#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using P = Permission;

// commerce: two Owners (so that LAST_OWNER never hides an escalation), a Manager, an Editor.
Scenario Commerce() {
  return Given(OrgCreated("commerce"), Joined("m2", "owner2", "Owner"),
               Joined("m3", "mgr", "Manager"), Joined("m4", "ed", "Editor"));
}

InviteMember Invite(std::string email, std::string role) {
  return InviteMember{.email = std::move(email), .role = std::move(role), .token_hash = "h"};
}

TEST(Rule2Test, ManagerCannotInviteAnOwner) {
  Commerce().When("mgr", Invite("new@example.com", "Owner")).ThenRejected(ErrorCode::kEscalation);
  Commerce().When("mgr", Invite("new@example.com", "owner")).ThenRejected(ErrorCode::kEscalation);
  for (const char* role : {"Manager", "Editor", "Billing"}) {
    SCOPED_TRACE(role);
    Commerce().When("mgr", Invite("new@example.com", role)).ThenEventTypes({"invitation.sent"});
  }
  Commerce().When("owner", Invite("new@example.com", "Owner")).ThenEventTypes({"invitation.sent"});
}

TEST(Rule2Test, ManagerCannotPromoteToOwner) {
  Commerce().When("mgr", ChangeRole{User("ed"), "Owner"}).ThenRejected(ErrorCode::kEscalation);
  Commerce().When("mgr", ChangeRole{User("mgr"), "Owner"}).ThenRejected(ErrorCode::kEscalation);
  Commerce()
      .When("owner", ChangeRole{User("ed"), "Owner"})
      .ThenEvents({MemberRoleChanged{MembershipId("m4"), User("ed"), "Editor", "Owner"}});
}

TEST(Rule2Test, ManagerCannotDemoteOrRemoveAnOwner) {
  Commerce().When("mgr", ChangeRole{User("owner2"), "Editor"}).ThenRejected(ErrorCode::kEscalation);
  Commerce().When("mgr", RemoveMember{User("owner2")}).ThenRejected(ErrorCode::kEscalation);
  auto o = Commerce().When("mgr", RemoveMember{User("owner")});
  o.ThenRejected(ErrorCode::kEscalation);
  EXPECT_NE(o.rejection().message.find("Owner"), std::string::npos) << o.rejection().message;
  // An owner can (there are two).
  Commerce().When("owner", RemoveMember{User("owner2")}).ThenEventTypes({"member.removed"});
}

TEST(Rule2Test, ManagerChangesAndRemovesRolesWithinReach) {
  Commerce()
      .When("mgr", ChangeRole{User("ed"), "billing"})
      .ThenEvents({MemberRoleChanged{MembershipId("m4"), User("ed"), "Editor", "Billing"}});
  Commerce().When("mgr", ChangeRole{User("ed"), "Manager"}).ThenAccepted();
  Commerce().When("mgr", RemoveMember{User("ed")}).ThenEventTypes({"member.removed"});
}

TEST(Rule2Test, ManagerCannotResendOrRevokeAnOwnerInvitation) {
  auto s = Commerce();
  s.Run("owner", Invite("boss@example.com", "Owner"));
  s.When("mgr", ResendInvitation{InvitationId("i1"), "h2"}).ThenRejected(ErrorCode::kEscalation);
  s.When("mgr", RevokeInvitation{InvitationId("i1")}).ThenRejected(ErrorCode::kEscalation);
  s.When("owner2", RevokeInvitation{InvitationId("i1")}).ThenEventTypes({"invitation.revoked"});
}

// platform: Admin holds everything but billing.manage, org.delete and org.ownership.transfer,
// and may manage custom roles (org.settings.manage).
Scenario Platform() {
  return Given(OrgCreated("platform"), Joined("m2", "ada", "Admin"),
               Joined("m3", "dev", "Developer"));
}

// The refusal names both roles and what is missing, without an article: "A Admin" read badly.
TEST(Rule2Test, TheRefusalNamesTheRolesAndWhatIsMissing) {
  const Verdict v = Platform().When("ada", ChangeRole{User("dev"), "Owner"});
  v.ThenRejected(ErrorCode::kEscalation);
  EXPECT_EQ(v.rejection().message,
            "Role Admin cannot grant the role Owner: Owner holds more than Admin (org.delete, "
            "org.ownership.transfer, billing.manage).");
}

TEST(Rule2Test, CustomRolesCannotBeDefinedAboveTheActor) {
  Platform()
      .When("ada", DefineRole{"Treasurer", {P::kBillingManage}, ""})
      .ThenRejected(ErrorCode::kEscalation);
  Platform()
      .When("ada", DefineRole{"Deleter", {P::kMembersView, P::kOrgDelete}, ""})
      .ThenRejected(ErrorCode::kEscalation);
  Platform()
      .When("ada", DefineRole{"Support", {P::kMembersView, P::kMembersInvite}, "viewer"})
      .ThenEvents({RoleDefined{Role{"Support", {P::kMembersView, P::kMembersInvite}, "Viewer"}}});
  Platform()
      .When("owner", DefineRole{"Treasurer", {P::kBillingManage}, ""})
      .ThenEventTypes({"role.defined"});
}

TEST(Rule2Test, CustomRolesCannotBeRaisedAboveTheActor) {
  Platform()
      .When("ada", UpdateRole{"Developer", {P::kResourcesManage, P::kBillingManage}, "Editor"})
      .ThenRejected(ErrorCode::kEscalation);
  Platform()
      .When("ada", UpdateRole{"Developer", {P::kResourcesManage, P::kResourcesView}, "Editor"})
      .ThenEventTypes({"role.updated"});
  // A role above the actor cannot be changed or deleted by them, not even to shrink it.
  auto s = Platform();
  s.Run("owner", DefineRole{"Treasurer", {P::kBillingManage}, ""});
  s.When("ada", UpdateRole{"Treasurer", {}, ""}).ThenRejected(ErrorCode::kEscalation);
  s.When("ada", DeleteRole{"Treasurer"}).ThenRejected(ErrorCode::kEscalation);
  s.When("owner", DeleteRole{"treasurer"}).ThenEventTypes({"role.deleted"});
}

TEST(Rule2Test, AdminCannotGrantARoleHoldingBillingManagement) {
  // Seed 002: Admin has no billing management, so it cannot hand out the Billing role either.
  Platform().When("ada", ChangeRole{User("dev"), "Billing"}).ThenRejected(ErrorCode::kEscalation);
  Platform().When("ada", Invite("b@example.com", "Billing")).ThenRejected(ErrorCode::kEscalation);
  Platform().When("ada", ChangeRole{User("dev"), "Viewer"}).ThenAccepted();
}

TEST(Rule2Test, CustomRolesCannotInheritAHigherProjectRoleThanTheActors) {
  // A steward may manage roles but only inherits project Viewer.
  auto s = Given(OrgCreated("platform"),
                 RoleDefined{Role{"Steward", {P::kOrgSettingsManage, P::kMembersView}, "Viewer"}},
                 Joined("m2", "stu", "Steward"));
  s.When("stu", DefineRole{"Shadow", {P::kMembersView}, "Admin"})
      .ThenRejected(ErrorCode::kEscalation);
  s.When("stu", DefineRole{"Shadow", {P::kMembersView}, "Editor"})
      .ThenRejected(ErrorCode::kEscalation);
  s.When("stu", DefineRole{"Shadow", {P::kMembersView}, "Viewer"}).ThenAccepted();
  s.When("stu", DefineRole{"Shadow", {P::kMembersView}, ""}).ThenAccepted();
}

// api: project roles are ranked but not nested; a role inheriting the lowest-ranked project
// role (Billing Manager) still grants billing.manage in every project.
TEST(Rule2Test, InheritedProjectPermissionsCountEvenWhenTheRankIsLower) {
  auto s =
      Given(OrgCreated("api", "admin"),
            RoleDefined{Role{
                "Lead", {P::kMembersView, P::kMembersInvite, P::kMembersRoleChange}, "Developer"}},
            RoleDefined{Role{"Builder", {P::kMembersView}, "Developer"}},
            RoleDefined{Role{"Finance", {P::kMembersView}, "Billing Manager"}},
            Joined("m2", "lead", "Lead"), Joined("m3", "bob", "Builder"), ProjectMade("p1"));
  ASSERT_FALSE(s.Check("lead", P::kBillingManage, "p1").allowed);
  s.When("lead", ChangeRole{User("bob"), "Finance"}).ThenRejected(ErrorCode::kEscalation);
  s.When("lead", Invite("f@example.com", "Finance")).ThenRejected(ErrorCode::kEscalation);
  s.When("lead", ChangeRole{User("bob"), "Lead"}).ThenAccepted();
  s.When("admin", ChangeRole{User("bob"), "Finance"}).ThenAccepted();
}

// workspace: a project Editor manages project members (seed 001) but not above Editor.
Scenario Workspace() {
  return Given(OrgCreated("workspace"), Joined("m2", "eve", "Member"),
               Joined("m3", "tom", "Member"), Joined("m4", "pam", "Member"), ProjectMade("p1"),
               ProjectMember("p1", "eve", "Editor"), ProjectMember("p1", "pam", "Owner"),
               ProjectMember("p1", "viv", "Viewer"));
}

TEST(Rule2Test, ProjectRolesCannotBeGrantedAboveTheActorsProjectAuthority) {
  Workspace()
      .When("eve", AddProjectMember{ProjectId("p1"), User("tom"), "Owner"})
      .ThenRejected(ErrorCode::kEscalation);
  Workspace()
      .When("eve", AddProjectMember{ProjectId("p1"), User("tom"), "Editor"})
      .ThenEvents({ProjectMember("p1", "tom", "Editor")});
  Workspace()
      .When("eve", AddProjectMember{ProjectId("p1"), User("client"), "viewer"})
      .ThenEvents({ProjectMember("p1", "client", "Viewer")});
  Workspace()
      .When("eve", ChangeProjectMemberRole{ProjectId("p1"), User("viv"), "Owner"})
      .ThenRejected(ErrorCode::kEscalation);
  Workspace()
      .When("pam", ChangeProjectMemberRole{ProjectId("p1"), User("viv"), "Owner"})
      .ThenAccepted();
}

TEST(Rule2Test, ProjectMembersAboveTheActorCannotBeChangedOrRemovedByThem) {
  Workspace()
      .When("eve", ChangeProjectMemberRole{ProjectId("p1"), User("pam"), "Viewer"})
      .ThenRejected(ErrorCode::kEscalation);
  Workspace()
      .When("eve", RemoveProjectMember{ProjectId("p1"), User("pam")})
      .ThenRejected(ErrorCode::kEscalation);
  Workspace()
      .When("eve", RemoveProjectMember{ProjectId("p1"), User("viv")})
      .ThenEventTypes({"project.member_removed"});
  // Anyone may leave a project themselves.
  Workspace()
      .When("pam", RemoveProjectMember{ProjectId("p1"), User("pam")})
      .ThenEventTypes({"project.member_removed"});
}

TEST(Rule2Test, ProjectAuthorityDoesNotCarryOverToOtherProjects) {
  auto s = Workspace();
  s.Apply({ProjectMade("p2")});
  s.When("eve", AddProjectMember{ProjectId("p2"), User("tom"), "Viewer"})
      .ThenRejected(ErrorCode::kPermissionDenied);
  s.When("viv", AddProjectMember{ProjectId("p1"), User("tom"), "Viewer"})
      .ThenRejected(ErrorCode::kPermissionDenied);
}

TEST(Rule2Test, TheEscalationMessageNamesWhatIsMissing) {
  auto o = Platform().When("ada", DefineRole{"Treasurer", {P::kBillingManage}, ""});
  o.ThenRejected(ErrorCode::kEscalation);
  EXPECT_NE(o.rejection().message.find("billing.manage"), std::string::npos)
      << o.rejection().message;
}

}  // namespace
}  // namespace roster::domain
