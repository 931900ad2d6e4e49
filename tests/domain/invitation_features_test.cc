// Rule 4 (invitations) and rule 7 (project-only access), issue 21: an invitation's own
// lifetime, inviting someone to a project by email, and inviting many emails in one command.
#include <gtest/gtest.h>

#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using P = Permission;

InviteMember Invite(std::string email, std::string role = "Editor", std::string hash = "h1",
                    std::optional<int32_t> ttl_days = std::nullopt) {
  return InviteMember{.email = std::move(email),
                      .role = std::move(role),
                      .token_hash = std::move(hash),
                      .ttl_days = ttl_days};
}

InviteToProject ToProject(std::string email, std::string project, std::string role,
                          std::string hash = "p1", std::optional<int32_t> ttl_days = std::nullopt) {
  return InviteToProject{.email = std::move(email),
                         .display_name = "",
                         .project_id = ProjectId(project),
                         .role = std::move(role),
                         .ttl_days = ttl_days,
                         .token_hash = std::move(hash)};
}

AcceptInvitation Accept(std::string id, std::string hash, std::string email) {
  return AcceptInvitation{InvitationId(id), std::move(hash), std::move(email), ""};
}

// Seed 001: a workspace org owned by olga, a Member mia who is project Editor of "website",
// and a project "internal".
Scenario Workspace() {
  return Given(OrgCreated("workspace", "olga"), Joined("m2", "mia", "Member"),
               ProjectMade("website"), ProjectMade("internal"),
               ProjectMember("website", "mia", "Editor"));
}

// ---- An invitation's own lifetime

TEST(InvitationLifetimeTest, AShorterLifetimeSetsTheExpiry) {
  Given(OrgCreated("commerce"))
      .When("owner", Invite("bob@example.com", "Editor", "h1", 2), kT0)
      .ThenEvents({InvitationSent{InvitationId("i1"), Mail("bob@example.com"), "", "Editor",
                                  User("owner"), "h1", kT0, kT0 + Days(2)}});
}

TEST(InvitationLifetimeTest, TheOrgSettingIsTheDefaultAndTheMaximum) {
  auto org = Given(OrgCreated("commerce"));
  org.When("owner", Invite("bob@example.com", "Editor", "h1", 7)).ThenAccepted();
  for (int32_t bad : {0, -1, 8, 31}) {
    auto o = org.When("owner", Invite("bob@example.com", "Editor", "h1", bad));
    o.ThenRejected(ErrorCode::kInvalidArgument);
    EXPECT_NE(o.rejection().message.find("1 to 7 days"), std::string::npos)
        << o.rejection().message;
  }
  // A larger setting allows a longer lifetime.
  auto longer = Given(OrgCreated("commerce"),
                      OrganizationSettingsChanged{OrgSettings{7, 50}, OrgSettings{30, 50}});
  longer.When("owner", Invite("bob@example.com", "Editor", "h1", 30))
      .ThenEvents({InvitationSent{InvitationId("i1"), Mail("bob@example.com"), "", "Editor",
                                  User("owner"), "h1", kT0, kT0 + Days(30)}});
}

TEST(InvitationLifetimeTest, ResendKeepsTheInvitationsOwnLifetime) {
  Scenario s = Given(OrgCreated("commerce"));
  s.Run("owner", Invite("bob@example.com", "Editor", "h1", 2), kT0);
  // The org's setting changes meanwhile: the invitation keeps the 2 days it was granted.
  s.Apply({OrganizationSettingsChanged{OrgSettings{7, 50}, OrgSettings{20, 50}}});
  const Time later = kT0 + Days(1);
  s.When("owner", ResendInvitation{InvitationId("i1"), "h2"}, later)
      .ThenEvents({InvitationResent{InvitationId("i1"), Mail("bob@example.com"), "h2", later,
                                    later + Days(2), 1}});
}

// ---- Inviting to a project by email

TEST(ProjectInvitationTest, RecordsTheProjectAndItsRoleWithoutAnOrgRole) {
  Workspace()
      .When("olga", ToProject(" Client@Example.COM ", "website", "viewer", "p1", 3))
      .ThenEvents(
          {InvitationSent{InvitationId("i1"), Mail("client@example.com"), "", "", User("olga"),
                          "p1", kT0, kT0 + Days(3), ProjectId("website"), "Viewer"}});
}

TEST(ProjectInvitationTest, NeedsWhatAddingAProjectMemberNeeds) {
  auto s = Workspace();
  // A project Editor may invite to their project, but not as project Owner (no escalation),
  // and not to a project they are not in.
  s.When("mia", ToProject("client@example.com", "website", "Viewer")).ThenAccepted();
  s.When("mia", ToProject("client@example.com", "website", "Owner"))
      .ThenRejected(ErrorCode::kEscalation);
  s.When("mia", ToProject("client@example.com", "internal", "Viewer"))
      .ThenRejected(ErrorCode::kPermissionDenied);
  s.When("stranger", ToProject("client@example.com", "website", "Viewer"))
      .ThenRejected(ErrorCode::kPermissionDenied);
  s.When("olga", ToProject("client@example.com", "nope", "Viewer"))
      .ThenRejected(ErrorCode::kNotFound);
  s.When("olga", ToProject("client@example.com", "website", "Janitor"))
      .ThenRejected(ErrorCode::kNotFound);
  s.When("olga", ToProject("client@", "website", "Viewer"))
      .ThenRejected(ErrorCode::kInvalidArgument);
  s.When("olga", ToProject("client@example.com", "website", "Viewer", "p1", 9))
      .ThenRejected(ErrorCode::kInvalidArgument);
}

TEST(ProjectInvitationTest, OnePendingInvitationPerEmailAndProject) {
  Scenario s = Workspace();
  s.Run("olga", ToProject("client@example.com", "website", "Viewer"));
  auto again = s.When("olga", ToProject("CLIENT@example.com", "website", "Editor", "p2"));
  again.ThenRejected(ErrorCode::kInvitePending);
  EXPECT_NE(again.rejection().message.find("resend"), std::string::npos);
  // Another project, or the organization itself, is another invitation.
  s.When("olga", ToProject("client@example.com", "internal", "Viewer", "p3")).ThenAccepted();
  s.When("olga", Invite("client@example.com", "Member", "h4")).ThenAccepted();
}

TEST(ProjectInvitationTest, CountsTowardThePendingCap) {
  Scenario s = Given(OrgCreated("workspace", "olga"),
                     OrganizationSettingsChanged{OrgSettings{7, 50}, OrgSettings{7, 1}},
                     ProjectMade("website"));
  s.Run("olga", ToProject("a@example.com", "website", "Viewer"));
  s.When("olga", ToProject("b@example.com", "website", "Viewer", "p2"))
      .ThenRejected(ErrorCode::kInviteLimit);
  s.When("olga", Invite("b@example.com", "Member", "p2")).ThenRejected(ErrorCode::kInviteLimit);
}

TEST(ProjectInvitationTest, AcceptingGrantsProjectOnlyAccess) {
  Scenario s = Workspace();
  s.Run("olga", ToProject("client@example.com", "website", "Viewer"));
  s.When("client", Accept("i1", "p1", "Client@example.com"))
      .ThenEvents({InvitationAccepted{InvitationId("i1"), Mail("client@example.com"),
                                      User("client"), MembershipId()},
                   ProjectMemberAdded{ProjectId("website"), User("client"), "Viewer"}});
  s.Run("client", Accept("i1", "p1", "client@example.com"));
  EXPECT_TRUE(s.Check("client", P::kProjectsView, "website").allowed);
  EXPECT_FALSE(s.Check("client", P::kProjectsView, "internal").allowed);
  EXPECT_FALSE(s.Check("client", P::kMembersView).allowed);
  EXPECT_EQ(s.state().FindMember(User("client")), nullptr);
  EXPECT_TRUE(s.state().pending_by_project_email.empty());
  // Accepted once.
  s.When("client", Accept("i1", "p1", "client@example.com")).ThenRejected(ErrorCode::kConflict);
}

TEST(ProjectInvitationTest, AnOrgMemberGetsOnlyTheDirectGrant) {
  Scenario s = Workspace();
  s.Run("olga", ToProject(EmailOf("mia"), "internal", "Viewer"));
  s.When("mia", Accept("i1", "p1", EmailOf("mia")))
      .ThenEvents({InvitationAccepted{InvitationId("i1"), Mail(EmailOf("mia")), User("mia"),
                                      MembershipId()},
                   ProjectMemberAdded{ProjectId("internal"), User("mia"), "Viewer"}});
  // Someone already granted the project directly is not invited to it again.
  s.When("olga", ToProject(EmailOf("mia"), "website", "Viewer", "p2"))
      .ThenRejected(ErrorCode::kConflict);
}

TEST(ProjectInvitationTest, AcceptNeedsTheTokenTheEmailAndALiveProject) {
  Scenario s = Workspace();
  s.Run("olga", ToProject("client@example.com", "website", "Viewer"));
  s.When("client", Accept("i1", "wrong", "client@example.com"))
      .ThenRejected(ErrorCode::kInvalidToken);
  s.When("client", Accept("i1", "p1", "other@example.com")).ThenRejected(ErrorCode::kEmailMismatch);
  s.When("client", Accept("i1", "p1", "client@example.com"), kT0 + Days(7))
      .ThenRejected(ErrorCode::kInvitationExpired);
  s.Run("olga", DeleteProject{ProjectId("website")});
  s.When("client", Accept("i1", "p1", "client@example.com")).ThenRejected(ErrorCode::kNotFound);
}

TEST(ProjectInvitationTest, ResendAndRevokeNeedTheProjectPermission) {
  Scenario s = Workspace();
  s.Run("mia", ToProject("client@example.com", "website", "Viewer"));
  const Time later = kT0 + Days(1);
  // mia (project Editor, org Member without members.invite) manages her project's invitation.
  s.When("mia", ResendInvitation{InvitationId("i1"), "p2"}, later)
      .ThenEvents({InvitationResent{InvitationId("i1"), Mail("client@example.com"), "p2", later,
                                    later + Days(7), 1}});
  s.Run("olga", AddProjectMember{ProjectId("internal"), User("tim"), "Editor"});
  s.When("tim", RevokeInvitation{InvitationId("i1")}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("mia", RevokeInvitation{InvitationId("i1")})
      .ThenEvents({InvitationRevoked{InvitationId("i1"), Mail("client@example.com"), ""}});
}

// No escalation on managing either: a project Editor may not resend or revoke an invitation
// to a project role above their own there.
TEST(ProjectInvitationTest, ResendAndRevokeOfAHigherProjectRoleAreEscalation) {
  Scenario s = Workspace();
  s.Run("olga", ToProject("lead@example.com", "website", "Owner"));
  s.When("mia", ResendInvitation{InvitationId("i1"), "p2"}, kT0 + Days(1))
      .ThenRejected(ErrorCode::kEscalation);
  s.When("mia", RevokeInvitation{InvitationId("i1")}).ThenRejected(ErrorCode::kEscalation);
  s.When("olga", RevokeInvitation{InvitationId("i1")}).ThenAccepted();
}

TEST(ProjectInvitationTest, ExpiresLikeAnOrgInvitation) {
  Scenario s = Workspace();
  s.Run("olga", ToProject("client@example.com", "website", "Viewer", "p1", 1));
  s.When("olga", ExpireInvitations{}, kT0 + Days(1))
      .ThenEvents(
          {InvitationExpired{InvitationId("i1"), Mail("client@example.com"), kT0 + Days(1)}});
  // Inviting again after the expiry records it and sends a new one.
  s.When("olga", ToProject("client@example.com", "website", "Viewer", "p2"), kT0 + Days(2))
      .ThenEventTypes({"invitation.expired", "invitation.sent"});
}

// ---- Many invitations in one command

TEST(BulkInviteTest, DecidesEachEntryAgainstTheStateTheEntriesBeforeItLeft) {
  Scenario s = Given(OrgCreated("commerce"), Joined("m2", "ann", "Editor"),
                     Invited("i1", "pending@example.com", "Editor", "owner", "h0"),
                     OrganizationSettingsChanged{OrgSettings{7, 50}, OrgSettings{7, 3}});
  InviteMembers bulk{{
      Invite("a@example.com", "Editor", "ha"),
      Invite(EmailOf("ann"), "Editor", "hb"),         // ALREADY_MEMBER
      Invite("pending@example.com", "Editor", "hc"),  // INVITE_PENDING
      Invite("A@EXAMPLE.com", "Billing", "hd"),       // duplicate of entry 1
      Invite("not-an-email", "Editor", "he"),         // INVALID_ARGUMENT
      Invite("b@example.com", "Billing", "hf", 3),    // accepted: the cap's third
      Invite("c@example.com", "Editor", "hg"),        // INVITE_LIMIT
      Invite("d@example.com", "Nobody", "hh"),        // NOT_FOUND
  }};
  auto decided = DecideInviteMembers(s.state(), User("owner"), bulk, kT0);
  ASSERT_TRUE(decided.has_value());
  ASSERT_EQ(decided->entries.size(), 8u);
  EXPECT_FALSE(decided->entries[0].has_value());
  EXPECT_EQ(decided->entries[1]->code, ErrorCode::kAlreadyMember);
  EXPECT_EQ(decided->entries[2]->code, ErrorCode::kInvitePending);
  EXPECT_EQ(decided->entries[3]->code, ErrorCode::kInvalidArgument);
  EXPECT_NE(decided->entries[3]->message.find("more than once"), std::string::npos);
  EXPECT_EQ(decided->entries[4]->code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(decided->entries[5].has_value());
  EXPECT_EQ(decided->entries[6]->code, ErrorCode::kInviteLimit);
  EXPECT_EQ(decided->entries[7]->code, ErrorCode::kNotFound);
  const std::vector<Event> expected{
      InvitationSent{InvitationId("i2"), Mail("a@example.com"), "", "Editor", User("owner"), "ha",
                     kT0, kT0 + Days(7)},
      InvitationSent{InvitationId("i3"), Mail("b@example.com"), "", "Billing", User("owner"), "hf",
                     kT0, kT0 + Days(3)},
  };
  EXPECT_EQ(decided->events, expected);
  // Decide answers the same events, so the log and replay need nothing else.
  s.When("owner", bulk, kT0).ThenEvents(expected);
}

TEST(BulkInviteTest, EachEntryFollowsTheRulesOfOneInvitation) {
  auto s = Given(OrgCreated("commerce"), Joined("m2", "mgr", "Manager"));
  auto decided = DecideInviteMembers(s.state(), User("mgr"),
                                     InviteMembers{{Invite("a@example.com", "Owner", "ha"),
                                                    Invite("b@example.com", "Editor", "hb", 8)}},
                                     kT0);
  ASSERT_TRUE(decided.has_value());
  EXPECT_EQ(decided->entries[0]->code, ErrorCode::kEscalation);
  EXPECT_EQ(decided->entries[1]->code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(decided->events.empty());
  s.When("mgr", InviteMembers{{Invite("a@example.com", "Owner", "ha")}}).ThenNoEvents();
}

TEST(BulkInviteTest, TheWholeCommandIsRefusedOnlyForWhatNoEntryChanges) {
  auto s = Given(OrgCreated("commerce"), Joined("m2", "ed", "Editor"));
  s.When("ed", InviteMembers{{Invite("a@example.com")}}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("owner", InviteMembers{}).ThenRejected(ErrorCode::kInvalidArgument);
  InviteMembers too_many;
  for (int i = 0; i < 101; ++i) {
    too_many.entries.push_back(Invite("u" + std::to_string(i) + "@example.com"));
  }
  auto o = s.When("owner", too_many);
  o.ThenRejected(ErrorCode::kInvalidArgument);
  EXPECT_NE(o.rejection().message.find("at most 100"), std::string::npos);
  too_many.entries.pop_back();
  s.When("owner", too_many).ThenAccepted();
}

// Seed 001: "For client access, skip org membership. Invite clients directly to specific
// projects as Viewers". The client has no account before the invitation.
TEST(SeedScenarioTest, Seed001ClientInvitedToAProjectByEmail) {
  Scenario s = Workspace();
  s.Run("olga", ToProject("client@brand.example", "website", "Viewer"));
  s.Run("client-7", Accept("i1", "p1", "client@brand.example"));
  EXPECT_TRUE(s.Check("client-7", P::kProjectsView, "website").allowed);
  EXPECT_FALSE(s.Check("client-7", P::kResourcesManage, "website").allowed);
  EXPECT_FALSE(s.Check("client-7", P::kProjectsView, "internal").allowed);
  EXPECT_EQ(s.state().FindMember(User("client-7")), nullptr);
  // Project-only access ends with the project grant.
  s.Run("olga", RemoveProjectMember{ProjectId("website"), User("client-7")});
  EXPECT_FALSE(s.Check("client-7", P::kProjectsView, "website").allowed);
}

}  // namespace
}  // namespace roster::domain
