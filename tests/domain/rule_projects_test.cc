// SPEC.md section 3, rule 7: org roles are inherited in projects per the catalog; projects may
// have direct members, including people with no org membership; effective access is the higher
// of inherited and direct; removal from the org removes all project access.
#include <gtest/gtest.h>

#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using P = Permission;

TEST(Rule7Test, OrgRolesAreInheritedInEveryProjectIncludingLaterOnes) {
  auto s = Given(OrgCreated("api", "admin"), Joined("m2", "dev", "Developer"),
                 Joined("m3", "viv", "Viewer"), ProjectMade("p1"));
  s.Run("dev", CreateProject{ProjectId("p2"), "Later"});
  for (const char* p : {"p1", "p2"}) {
    const CheckResult dev = s.Check("dev", P::kApiKeysManage, p);
    EXPECT_TRUE(dev.allowed) << p << ": " << dev.reason;
    EXPECT_EQ(dev.source, AccessSource::kInherited);
    EXPECT_EQ(dev.role, "Developer");
    EXPECT_TRUE(s.Check("viv", P::kProjectsView, p).allowed) << p;
    EXPECT_FALSE(s.Check("viv", P::kResourcesManage, p).allowed) << p;
  }
  // The project has no direct members: all of this is inheritance.
  EXPECT_TRUE(s.state().FindProject(ProjectId("p2"))->direct_members.empty());
}

TEST(Rule7Test, InheritanceFollowsRoleChanges) {
  auto s = Given(OrgCreated("api", "admin"), Joined("m2", "dev", "Developer"), ProjectMade("p1"));
  s.Run("admin", ChangeRole{User("dev"), "Viewer"});
  EXPECT_FALSE(s.Check("dev", P::kApiKeysManage, "p1").allowed);
  s.Run("admin", UpdateRole{"Viewer", {P::kMembersView}, "Developer"});
  EXPECT_TRUE(s.Check("dev", P::kApiKeysManage, "p1").allowed);
}

TEST(Rule7Test, AMemberWhoseRoleInheritsNothingSeesNoProjectUntilAdded) {
  auto s = Given(OrgCreated("workspace"), Joined("m2", "mia", "Member"), ProjectMade("p1"),
                 ProjectMade("p2"));
  EXPECT_FALSE(s.Check("mia", P::kProjectsView, "p1").allowed);
  s.When("owner", AddProjectMember{ProjectId("p1"), User("mia"), "Editor"})
      .ThenEvents({ProjectMember("p1", "mia", "Editor")});
  s.Run("owner", AddProjectMember{ProjectId("p1"), User("mia"), "Editor"});
  EXPECT_TRUE(s.Check("mia", P::kProjectsView, "p1").allowed);
  EXPECT_FALSE(s.Check("mia", P::kProjectsView, "p2").allowed);
}

TEST(Rule7Test, ProjectOnlyAccessNeedsNoOrgMembership) {
  auto s = Given(OrgCreated("workspace"), ProjectMade("p1"));
  s.When("owner", AddProjectMember{ProjectId("p1"), User("client"), "Viewer"})
      .ThenEvents({ProjectMember("p1", "client", "Viewer")});
  s.Run("owner", AddProjectMember{ProjectId("p1"), User("client"), "Viewer"});
  EXPECT_EQ(s.state().FindMember(User("client")), nullptr);
  EXPECT_TRUE(s.Check("client", P::kProjectsView, "p1").allowed);
  EXPECT_FALSE(s.Check("client", P::kResourcesManage, "p1").allowed);
  EXPECT_FALSE(s.Check("client", P::kMembersView).allowed);
  s.When("client", CreateProject{ProjectId("p2"), "Mine"})
      .ThenRejected(ErrorCode::kPermissionDenied);
}

TEST(Rule7Test, EffectiveAccessIsTheHigherOfInheritedAndDirect) {
  // platform: Viewer inherits project Viewer; Developer inherits project Editor.
  auto s = Given(OrgCreated("platform"), Joined("m2", "viv", "Viewer"),
                 Joined("m3", "dev", "Developer"), ProjectMade("p1"));
  EXPECT_FALSE(s.Check("viv", P::kResourcesManage, "p1").allowed);
  s.Run("owner", AddProjectMember{ProjectId("p1"), User("viv"), "Admin"});
  const CheckResult up = s.Check("viv", P::kProjectsManage, "p1");
  EXPECT_TRUE(up.allowed);
  EXPECT_EQ(up.source, AccessSource::kDirect);
  s.Run("owner", AddProjectMember{ProjectId("p1"), User("dev"), "Viewer"});
  const CheckResult kept = s.Check("dev", P::kResourcesManage, "p1");
  EXPECT_TRUE(kept.allowed) << "a lower direct role must not take inherited access away";
  EXPECT_EQ(kept.source, AccessSource::kInherited);
  // Removing the direct grant falls back to the inherited role, not to nothing.
  s.Run("owner", RemoveProjectMember{ProjectId("p1"), User("viv")});
  EXPECT_FALSE(s.Check("viv", P::kProjectsManage, "p1").allowed);
  EXPECT_TRUE(s.Check("viv", P::kProjectsView, "p1").allowed);
}

// The api preset's project roles are not nested (Billing Manager ranks lowest but holds
// billing.manage). A Billing Manager also added to a project as Viewer, to look at it, keeps
// billing.manage there: what a user may do in a project is the union of both project roles
// (plus the org role), so a direct grant only ever adds.
TEST(Rule7Test, ADirectGrantNeverTakesAwayAnInheritedPermission) {
  auto s =
      Given(OrgCreated("api", "admin"), Joined("m2", "bill", "Billing Manager"), ProjectMade("p1"));
  ASSERT_TRUE(s.Check("bill", P::kBillingManage, "p1").allowed);
  s.Run("admin", AddProjectMember{ProjectId("p1"), User("bill"), "Viewer"});
  EXPECT_TRUE(s.Check("bill", P::kBillingManage, "p1").allowed);
  EXPECT_TRUE(s.Check("bill", P::kProjectsView, "p1").allowed);
}

// Project commands and check(..., project) use the same authority: an analytics User, whose org
// role grants apikeys.manage (its inherited project role Editor does not), may create an API key
// in a project, and the permission check for that question says so.
TEST(Rule7Test, ProjectCheckAgreesWithWhatProjectCommandsAllow) {
  auto s = Given(OrgCreated("analytics", "ada"), Joined("m2", "uma", "User"), ProjectMade("q1"));
  s.When("uma", CreateApiKey{ApiKeyId("k1"), "Notebook", ProjectId("q1")}).ThenAccepted();
  EXPECT_TRUE(s.Check("uma", P::kApiKeysManage, "q1").allowed)
      << s.Check("uma", P::kApiKeysManage, "q1").reason;
}

TEST(Rule7Test, RemovalFromTheOrgRemovesEveryProjectAccess) {
  auto s = Given(OrgCreated("workspace"), Joined("m2", "mia", "Member"), ProjectMade("p1"),
                 ProjectMade("p2"), ProjectMade("p3"), ProjectMember("p1", "mia", "Editor"),
                 ProjectMember("p2", "mia", "Owner"));
  s.When("owner", RemoveMember{User("mia")})
      .ThenEvents({
          MemberRemoved{MembershipId("m2"), User("mia"), Mail("mia@example.com"), "Member"},
          ProjectMemberRemoved{ProjectId("p1"), User("mia"), "Editor",
                               ProjectRemovalReason::kOrgRemoval},
          ProjectMemberRemoved{ProjectId("p2"), User("mia"), "Owner",
                               ProjectRemovalReason::kOrgRemoval},
      });
  s.Run("owner", RemoveMember{User("mia")});
  for (const char* p : {"p1", "p2", "p3"}) {
    EXPECT_FALSE(s.Check("mia", P::kProjectsView, p).allowed) << p;
  }
  // Re-joining gives a fresh start: project access is not restored.
  s.Run("owner", InviteMember{.email = "mia@example.com", .role = "Member", .token_hash = "h"});
  s.Run("mia", AcceptInvitation{InvitationId("i1"), "h", "MIA@example.com", ""});
  EXPECT_FALSE(s.Check("mia", P::kProjectsView, "p1").allowed);
}

TEST(Rule7Test, LeavingTheOrgAlsoRemovesProjectAccess) {
  Given(OrgCreated("workspace"), Joined("m2", "mia", "Member"), ProjectMade("p1"),
        ProjectMember("p1", "mia", "Viewer"))
      .When("mia", LeaveOrganization{})
      .ThenEvents({
          MemberLeft{MembershipId("m2"), User("mia"), Mail("mia@example.com"), "Member"},
          ProjectMemberRemoved{ProjectId("p1"), User("mia"), "Viewer",
                               ProjectRemovalReason::kOrgLeft},
      });
}

// Projects, API keys and resources all take their id as their name when given none, in every
// API, so that the CLI, the protocol and HTTP behave alike.
TEST(Rule7Test, ProjectsKeysAndResourcesWithoutANameAreNamedAfterTheirId) {
  auto s = Given(OrgCreated("platform"));
  s.When("owner", CreateProject{ProjectId("p1"), ""})
      .ThenEvents({ProjectCreated{ProjectId("p1"), "p1"}});
  s.When("owner", CreateApiKey{ApiKeyId("k1"), "", ProjectId()})
      .ThenEvents({ApiKeyCreated{ApiKeyId("k1"), "k1", User("owner"), ProjectId()}});
  s.When("owner", RegisterResource{ResourceId("r1"), "agent", "", UserId(), ProjectId()})
      .ThenEvents(
          {ResourceRegistered{ResourceId("r1"), "agent", "r1", User("owner"), ProjectId()}});
  s.When("owner", CreateProject{ProjectId("p2"), "  "}).ThenRejected(ErrorCode::kInvalidArgument);
}

TEST(Rule7Test, DeletedProjectsGrantNothingAndAcceptNoMembers) {
  auto s = Given(OrgCreated("platform"), Joined("m2", "dev", "Developer"), ProjectMade("p1"),
                 ProjectMember("p1", "client", "Viewer"));
  s.Run("owner", DeleteProject{ProjectId("p1")});
  EXPECT_FALSE(s.Check("client", P::kProjectsView, "p1").allowed);
  EXPECT_FALSE(s.Check("dev", P::kProjectsView, "p1").allowed);
  EXPECT_FALSE(s.state().direct_projects.contains(User("client")));
  s.When("owner", AddProjectMember{ProjectId("p1"), User("dev"), "Viewer"})
      .ThenRejected(ErrorCode::kNotFound);
  s.When("owner", CreateProject{ProjectId("p1"), "Again"}).ThenRejected(ErrorCode::kConflict);
}

TEST(Rule7Test, DeletingAProjectRemovesEachDirectMemberUnderTheirOwnId) {
  // The activity log must show, under each user, that their access ended with the project.
  Given(OrgCreated("platform"), Joined("m2", "dev", "Developer"), ProjectMade("p1"),
        ProjectMember("p1", "zoe", "Editor"), ProjectMember("p1", "client", "Viewer"))
      .When("owner", DeleteProject{ProjectId("p1")})
      .ThenEvents({
          ProjectMemberRemoved{ProjectId("p1"), User("client"), "Viewer",
                               ProjectRemovalReason::kProjectDeleted},
          ProjectMemberRemoved{ProjectId("p1"), User("zoe"), "Editor",
                               ProjectRemovalReason::kProjectDeleted},
          ProjectDeleted{ProjectId("p1"), "Project p1"},
      });
}

TEST(Rule7Test, ProjectMembershipCommandsValidate) {
  auto s = Given(OrgCreated("workspace"), Joined("m2", "mia", "Member"), ProjectMade("p1"),
                 ProjectMember("p1", "mia", "Viewer"));
  s.When("owner", AddProjectMember{ProjectId("p1"), User("mia"), "Editor"})
      .ThenRejected(ErrorCode::kConflict);
  s.When("owner", AddProjectMember{ProjectId("nope"), User("mia"), "Editor"})
      .ThenRejected(ErrorCode::kNotFound);
  s.When("owner", AddProjectMember{ProjectId("p1"), User("tom"), "Superuser"})
      .ThenRejected(ErrorCode::kNotFound);
  s.When("owner", AddProjectMember{ProjectId("p1"), User("has space"), "Viewer"})
      .ThenRejected(ErrorCode::kInvalidArgument);
  s.When("owner", ChangeProjectMemberRole{ProjectId("p1"), User("tom"), "Editor"})
      .ThenRejected(ErrorCode::kNotFound);
  s.When("owner", ChangeProjectMemberRole{ProjectId("p1"), User("mia"), "viewer"}).ThenNoEvents();
  s.When("owner", ChangeProjectMemberRole{ProjectId("p1"), User("mia"), "Owner"})
      .ThenEvents({ProjectMemberRoleChanged{ProjectId("p1"), User("mia"), "Viewer", "Owner"}});
  s.When("owner", RemoveProjectMember{ProjectId("p1"), User("tom")})
      .ThenRejected(ErrorCode::kNotFound);
  s.When("mia", RemoveProjectMember{ProjectId("p1"), User("mia")})
      .ThenEvents({ProjectMemberRemoved{ProjectId("p1"), User("mia"), "Viewer",
                                        ProjectRemovalReason::kDirect}});
}

}  // namespace
}  // namespace roster::domain
