// SPEC.md section 3, rule 3 (an org always keeps an active owner) and rule 6 (leaving,
// transferring ownership, deleting the org).
#include <gtest/gtest.h>

#include "domain/activity.h"
#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using P = Permission;

Scenario OneOwner() {
  return Given(OrgCreated("commerce"), Joined("m2", "mgr", "Manager"),
               Joined("m3", "ed", "Editor"));
}

TEST(Rule3Test, TheLastOwnerCannotBeRemovedDemotedOrLeave) {
  OneOwner().When("owner", RemoveMember{User("owner")}).ThenRejected(ErrorCode::kLastOwner);
  OneOwner()
      .When("owner", ChangeRole{User("owner"), "Manager"})
      .ThenRejected(ErrorCode::kLastOwner);
  OneOwner().When("owner", LeaveOrganization{}).ThenRejected(ErrorCode::kLastOwner);
  auto o = OneOwner().When("owner", LeaveOrganization{});
  EXPECT_NE(o.rejection().message.find("last Owner"), std::string::npos) << o.rejection().message;
}

TEST(Rule3Test, TheOwnerRoleIsWhatCountsNotThePermissions) {
  // analytics names its owner role Admin.
  auto analytics = Given(OrgCreated("analytics", "ada"), Joined("m2", "uma", "User"));
  analytics.When("ada", LeaveOrganization{}).ThenRejected(ErrorCode::kLastOwner);
  analytics.When("ada", ChangeRole{User("ada"), "User"}).ThenRejected(ErrorCode::kLastOwner);
  // A custom role with every permission is not the owner role: it does not keep the org owned,
  // and its holder (who covers the Owner role) still cannot remove the last Owner.
  auto s = Given(OrgCreated("commerce"), RoleDefined{Role{"Deputy", PermissionSet::All(), "Admin"}},
                 Joined("m2", "dep", "Deputy"));
  s.When("owner", LeaveOrganization{}).ThenRejected(ErrorCode::kLastOwner);
  s.When("dep", RemoveMember{User("owner")}).ThenRejected(ErrorCode::kLastOwner);
  s.When("dep", ChangeRole{User("owner"), "Deputy"}).ThenRejected(ErrorCode::kLastOwner);
  s.When("dep", ChangeRole{User("dep"), "Owner"}).ThenAccepted();
}

TEST(Rule3Test, WithTwoOwnersOneCanGoButNotTheSecond) {
  auto s = OneOwner();
  s.Run("owner", ChangeRole{User("mgr"), "Owner"});
  EXPECT_EQ(s.state().owner_count(), 2u);
  s.When("owner", LeaveOrganization{}).ThenEventTypes({"member.left"});
  s.When("mgr", RemoveMember{User("owner")}).ThenEventTypes({"member.removed"});
  s.When("mgr", ChangeRole{User("owner"), "Editor"})
      .ThenEvents({MemberRoleChanged{MembershipId("m1"), User("owner"), "Owner", "Editor"}});
  s.When("owner", ChangeRole{User("owner"), "Manager"}).ThenAccepted();  // demoting oneself
  s.Run("owner", LeaveOrganization{});
  EXPECT_EQ(s.state().owner_count(), 1u);
  s.When("mgr", LeaveOrganization{}).ThenRejected(ErrorCode::kLastOwner);
  s.When("mgr", ChangeRole{User("mgr"), "Manager"}).ThenRejected(ErrorCode::kLastOwner);
  s.When("mgr", RemoveMember{User("mgr")}).ThenRejected(ErrorCode::kLastOwner);
}

TEST(Rule3Test, SettingTheOwnerRoleAgainChangesNothing) {
  OneOwner().When("owner", ChangeRole{User("owner"), "OWNER"}).ThenNoEvents();
}

TEST(Rule6Test, AMemberMayLeave) {
  auto s = Given(OneOwner().history(), ProjectMade("p1"), ProjectMember("p1", "ed", "Viewer"),
                 ResourceRegistered{ResourceId("r1"), "agent", "A", User("ed"), ProjectId()},
                 ApiKeyCreated{ApiKeyId("k1"), "K", User("ed"), ProjectId()});
  s.When("ed", LeaveOrganization{})
      .ThenEvents({
          MemberLeft{MembershipId("m3"), User("ed"), Mail(EmailOf("ed")), "Editor"},
          ProjectMemberRemoved{ProjectId("p1"), User("ed"), "Viewer",
                               ProjectRemovalReason::kOrgLeft},
          ResourceReassigned{ResourceId("r1"), User("ed"), User("owner"), "owner_left"},
          ApiKeyRotationRecommended{ApiKeyId("k1"), User("ed"), "creator_left"},
      });
  s.When("stranger", LeaveOrganization{}).ThenRejected(ErrorCode::kNotFound);
}

TEST(Rule6Test, AnOwnerTransfersOwnership) {
  // Without a named role the previous owner steps down to the most privileged other role.
  OneOwner()
      .When("owner", TransferOwnership{User("ed"), ""})
      .ThenEvents({OwnershipTransferred{User("owner"), User("ed"), "Manager", "Editor"}});
  auto s = OneOwner();
  s.Run("owner", TransferOwnership{User("mgr"), "editor"});
  EXPECT_TRUE(s.state().IsOwner(User("mgr")));
  EXPECT_FALSE(s.state().IsOwner(User("owner")));
  EXPECT_EQ(s.state().FindMember(User("owner"))->role, "Editor");
  EXPECT_EQ(s.state().owner_count(), 1u);
  // The powers moved with the role.
  s.When("owner", DeleteOrganization{}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("mgr", RemoveMember{User("owner")}).ThenEventTypes({"member.removed"});
  s.When("mgr", LeaveOrganization{}).ThenRejected(ErrorCode::kLastOwner);
}

TEST(Rule6Test, OnlyAnOwnerCanTransferOwnership) {
  OneOwner()
      .When("mgr", TransferOwnership{User("ed"), ""})
      .ThenRejected(ErrorCode::kPermissionDenied);
  auto deputy =
      Given(OrgCreated("commerce"), RoleDefined{Role{"Deputy", PermissionSet::All(), "Admin"}},
            Joined("m2", "dep", "Deputy"), Joined("m3", "ed", "Editor"));
  deputy.When("dep", TransferOwnership{User("ed"), ""}).ThenRejected(ErrorCode::kPermissionDenied);
  deputy.When("stranger", TransferOwnership{User("ed"), ""})
      .ThenRejected(ErrorCode::kPermissionDenied);
}

TEST(Rule6Test, TransferNeedsAnotherActiveMemberAndANonOwnerRoleToStepDownTo) {
  OneOwner()
      .When("owner", TransferOwnership{User("owner"), ""})
      .ThenRejected(ErrorCode::kInvalidArgument);
  OneOwner()
      .When("owner", TransferOwnership{User("nobody"), ""})
      .ThenRejected(ErrorCode::kNotFound);
  OneOwner()
      .When("owner", TransferOwnership{User("ed"), "Owner"})
      .ThenRejected(ErrorCode::kInvalidArgument);
  OneOwner()
      .When("owner", TransferOwnership{User("ed"), "Janitor"})
      .ThenRejected(ErrorCode::kNotFound);
}

TEST(Rule6Test, DeletingNeedsOrgDelete) {
  OneOwner().When("mgr", DeleteOrganization{}).ThenRejected(ErrorCode::kPermissionDenied);
  OneOwner().When("owner", DeleteOrganization{}).ThenEvents({OrganizationDeleted{"Org org-1"}});
}

// Every command type, each of which would be accepted on the live org.
std::vector<Command> EveryCommand() {
  return {
      CreateOrganization{.org_id = OrgId("org-1"),
                         .name = "Again",
                         .preset = "commerce",
                         .owner = User("owner"),
                         .owner_email = "owner@example.com"},
      RenameOrganization{"Renamed"},
      ChangeSettings{.invitation_ttl_days = 3},
      DeleteOrganization{},
      InviteMember{.email = "new@example.com", .role = "Editor", .token_hash = "h"},
      ResendInvitation{InvitationId("i1"), "h2"},
      RevokeInvitation{InvitationId("i1")},
      AcceptInvitation{InvitationId("i1"), "h1", "carol@example.com", ""},
      ExpireInvitations{},
      InviteToProject{.email = "guest@example.com",
                      .project_id = ProjectId("p1"),
                      .role = "Viewer",
                      .token_hash = "h"},
      InviteMembers{
          {InviteMember{.email = "new2@example.com", .role = "Editor", .token_hash = "h"}}},
      ChangeRole{User("ed"), "Billing"},
      RemoveMember{User("ed")},
      LeaveOrganization{},
      TransferOwnership{User("mgr"), ""},
      DefineRole{"Fresh", {}, ""},
      UpdateRole{"Editor", {P::kResourcesView}, ""},
      DeleteRole{"Billing"},
      CreateProject{ProjectId("p2"), "P2"},
      RenameProject{ProjectId("p1"), "Renamed"},
      DeleteProject{ProjectId("p1")},
      AddProjectMember{ProjectId("p1"), User("client"), "Viewer"},
      ChangeProjectMemberRole{ProjectId("p1"), User("ed"), "Admin"},
      RemoveProjectMember{ProjectId("p1"), User("ed")},
      CreateApiKey{ApiKeyId("k2"), "K2", ProjectId()},
      RevokeApiKey{ApiKeyId("k1")},
      RegisterResource{ResourceId("r2"), "agent", "B", UserId(), ProjectId()},
      ReassignResource{ResourceId("r1"), User("mgr")},
      DeleteResource{ResourceId("r1")},
  };
}

Scenario LiveOrg() {
  return Given(OrgCreated("commerce"), Joined("m2", "mgr", "Manager"), Joined("m3", "ed", "Editor"),
               ProjectMade("p1"), ProjectMember("p1", "ed", "Viewer"),
               Invited("i1", "carol@example.com", "Editor", "owner", "h1"),
               ApiKeyCreated{ApiKeyId("k1"), "K", User("owner"), ProjectId()},
               ResourceRegistered{ResourceId("r1"), "agent", "A", User("ed"), ProjectId()});
}

TEST(Rule6Test, ADeletedOrgRejectsEveryCommandAndKeepsItsHistory) {
  ASSERT_EQ(EveryCommand().size(), std::variant_size_v<Command>);
  const Scenario live = LiveOrg();
  Scenario deleted = LiveOrg();
  deleted.Run("owner", DeleteOrganization{});
  const std::vector<Event> history = deleted.history();
  for (const Command& c : EveryCommand()) {
    SCOPED_TRACE(std::string(CommandName(c)));
    // The actor is whoever could do it on the live org (the invitee accepts, ed leaves).
    const char* actor = std::holds_alternative<AcceptInvitation>(c)    ? "carol"
                        : std::holds_alternative<LeaveOrganization>(c) ? "ed"
                                                                       : "owner";
    if (!std::holds_alternative<CreateOrganization>(c)) live.When(actor, c).ThenAccepted();
    deleted.When(actor, c).ThenRejected(ErrorCode::kOrgDeleted);
    deleted.When("stranger", c).ThenRejected(ErrorCode::kOrgDeleted);
  }
  for (auto ac :
       {ActivityCommand(RecordLogin{"1.2.3.4", "ua"}), ActivityCommand(RecordActivity{})}) {
    auto d = DecideActivity(deleted.state(), ActivityState(), User("ed"), ac, kT0);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().code, ErrorCode::kOrgDeleted);
  }
  // History stays: nothing was appended, and the members are still there to be audited.
  EXPECT_EQ(deleted.history(), history);
  EXPECT_EQ(deleted.state().members.size(), 3u);
  EXPECT_EQ(deleted.state().status, OrgStatus::kDeleted);
  EXPECT_FALSE(deleted.Check("owner", P::kMembersView).allowed);
  EXPECT_FALSE(deleted.Check("ed", P::kProjectsView, "p1").allowed);
}

}  // namespace
}  // namespace roster::domain
