// SPEC.md section 3, rule 5: removing a member is immediate. They lose org access and every
// project access, their resources are reassigned to an owner, and the API keys they created are
// flagged "rotation recommended" (and stay active).
#include <gtest/gtest.h>

#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using P = Permission;

// bob (Editor) is directly in p1 and p2, not p3; owns r1 and r2; created k1 and k3 (live) and
// k2 (revoked). Two owners: "owner" joined first, "owner2" later. mgr is a Manager.
Scenario BobEverywhere() {
  return Given(OrgCreated("commerce"), Joined("m2", "owner2", "Owner"),
               Joined("m3", "mgr", "Manager"), Joined("m4", "bob", "Editor"), ProjectMade("p1"),
               ProjectMade("p2"), ProjectMade("p3"), ProjectMember("p1", "bob", "Viewer"),
               ProjectMember("p2", "bob", "Admin"), ProjectMember("p3", "client", "Viewer"),
               ResourceRegistered{ResourceId("r1"), "agent", "A", User("bob"), ProjectId("p1")},
               ResourceRegistered{ResourceId("r2"), "dashboard", "D", User("bob"), ProjectId()},
               ResourceRegistered{ResourceId("r3"), "agent", "O", User("mgr"), ProjectId()},
               ApiKeyCreated{ApiKeyId("k1"), "Deploy", User("bob"), ProjectId()},
               ApiKeyCreated{ApiKeyId("k2"), "Old", User("bob"), ProjectId()},
               ApiKeyRevoked{ApiKeyId("k2")},
               ApiKeyCreated{ApiKeyId("k3"), "CI", User("bob"), ProjectId("p1")},
               ApiKeyCreated{ApiKeyId("k4"), "Mine", User("mgr"), ProjectId()});
}

std::vector<Event> BobRemovalEvents(std::string_view heir) {
  const auto org = ProjectRemovalReason::kOrgRemoval;
  return {
      MemberRemoved{MembershipId("m4"), User("bob"), Mail("bob@example.com"), "Editor"},
      ProjectMemberRemoved{ProjectId("p1"), User("bob"), "Viewer", org},
      ProjectMemberRemoved{ProjectId("p2"), User("bob"), "Admin", org},
      ResourceReassigned{ResourceId("r1"), User("bob"), User(heir), "owner_removed"},
      ResourceReassigned{ResourceId("r2"), User("bob"), User(heir), "owner_removed"},
      ApiKeyRotationRecommended{ApiKeyId("k1"), User("bob"), "creator_removed"},
      ApiKeyRotationRecommended{ApiKeyId("k3"), User("bob"), "creator_removed"},
  };
}

TEST(Rule5Test, RemovalByAnOwnerRecordsEverythingThatFollowsTheMemberOut) {
  // Resources go to the owner who removed them.
  BobEverywhere().When("owner2", RemoveMember{User("bob")}).ThenEvents(BobRemovalEvents("owner2"));
}

TEST(Rule5Test, RemovalByANonOwnerReassignsResourcesToTheLongestStandingOwner) {
  BobEverywhere().When("mgr", RemoveMember{User("bob")}).ThenEvents(BobRemovalEvents("owner"));
}

TEST(Rule5Test, AfterRemovalNothingIsAllowedAnywhere) {
  auto s = BobEverywhere();
  ASSERT_TRUE(s.Check("bob", P::kResourcesManage).allowed);
  ASSERT_TRUE(s.Check("bob", P::kResourcesManage, "p2").allowed);
  s.Run("mgr", RemoveMember{User("bob")});
  const OrganizationState& st = s.state();
  EXPECT_EQ(st.FindMember(User("bob")), nullptr);
  EXPECT_FALSE(st.member_by_email.contains(Mail("bob@example.com")));
  EXPECT_FALSE(st.direct_projects.contains(User("bob")));
  for (const char* p : {"p1", "p2", "p3"}) {
    EXPECT_FALSE(st.FindProject(ProjectId(p))->direct_members.contains(User("bob"))) << p;
  }
  for (Permission perm : AllPermissions()) {
    EXPECT_FALSE(s.Check("bob", perm).allowed) << PermissionName(perm);
    for (const char* p : {"p1", "p2", "p3"}) {
      EXPECT_FALSE(s.Check("bob", perm, p).allowed) << PermissionName(perm) << " in " << p;
    }
  }
  // And bob can no longer act.
  s.When("bob", CreateProject{ProjectId("p9"), "P9"}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("bob", RegisterResource{ResourceId("r9"), "agent", "X", UserId(), ProjectId()})
      .ThenRejected(ErrorCode::kPermissionDenied);
  s.When("bob", RemoveMember{User("mgr")}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("bob", LeaveOrganization{}).ThenRejected(ErrorCode::kNotFound);
  // Removing again finds nobody.
  s.When("owner", RemoveMember{User("bob")}).ThenRejected(ErrorCode::kNotFound);
}

TEST(Rule5Test, ResourcesMoveToTheOwnerAndKeysStayActiveButFlagged) {
  auto s = BobEverywhere();
  s.Run("mgr", RemoveMember{User("bob")});
  const OrganizationState& st = s.state();
  EXPECT_EQ(st.resources.at(ResourceId("r1")).owner, User("owner"));
  EXPECT_EQ(st.resources.at(ResourceId("r2")).owner, User("owner"));
  EXPECT_EQ(st.resources.at(ResourceId("r3")).owner, User("mgr"));
  EXPECT_FALSE(st.resources_by_owner.contains(User("bob")));
  for (const char* k : {"k1", "k3"}) {
    const ApiKey& key = st.api_keys.at(ApiKeyId(k));
    EXPECT_FALSE(key.revoked) << k << ": seed 004 says they remain active";
    EXPECT_TRUE(key.rotation_recommended) << k;
  }
  EXPECT_FALSE(st.api_keys.at(ApiKeyId("k2")).rotation_recommended) << "already revoked";
  EXPECT_FALSE(st.api_keys.at(ApiKeyId("k4")).rotation_recommended) << "someone else's";
  // The flagged keys can still be revoked by someone allowed to.
  s.When("mgr", RevokeApiKey{ApiKeyId("k1")}).ThenEvents({ApiKeyRevoked{ApiKeyId("k1")}});
  s.When("mgr", RevokeApiKey{ApiKeyId("k3")}).ThenEvents({ApiKeyRevoked{ApiKeyId("k3")}});
}

TEST(Rule5Test, AKeyIsFlaggedOnceAcrossMemberships) {
  auto s = BobEverywhere();
  s.Run("mgr", RemoveMember{User("bob")});
  // bob is invited back, joins, creates one more key and is removed again.
  s.Run("mgr", InviteMember{.email = "bob@example.com", .role = "Manager", .token_hash = "h"});
  s.Run("bob", AcceptInvitation{InvitationId("i1"), "h", "bob@example.com", ""});
  s.Run("bob", CreateApiKey{ApiKeyId("k5"), "New", ProjectId()});
  s.When("owner", RemoveMember{User("bob")})
      .ThenEvents({
          MemberRemoved{MembershipId("m5"), User("bob"), Mail("bob@example.com"), "Manager"},
          ApiKeyRotationRecommended{ApiKeyId("k5"), User("bob"), "creator_removed"},
      });
}

TEST(Rule5Test, ProjectOnlyPeopleAreNotOrgMembersAndAreUntouched) {
  auto s = BobEverywhere();
  s.When("owner", RemoveMember{User("client")}).ThenRejected(ErrorCode::kNotFound);
  s.Run("owner", RemoveMember{User("bob")});
  EXPECT_TRUE(s.Check("client", P::kProjectsView, "p3").allowed);
}

TEST(Rule5Test, AMemberWithNothingLeavesOnlyTheRemovalEvent) {
  Given(OrgCreated("platform"), Joined("m2", "viv", "Viewer"))
      .When("owner", RemoveMember{User("viv")})
      .ThenEvents(
          {MemberRemoved{MembershipId("m2"), User("viv"), Mail("viv@example.com"), "Viewer"}});
}

}  // namespace
}  // namespace roster::domain
