// One scenario per seed page (../shared/seeds), walking what the page describes with the preset
// named after it (SPEC.md section 2). Each step is a command decided and applied in order, the
// way the command service would run them.
#include <gtest/gtest.h>

#include <set>

#include "domain/activity.h"
#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using std::chrono::hours;
using P = Permission;

// The invitation step of every page: someone invites, the invitee accepts with the emailed token.
void InviteAndAccept(Scenario& s, std::string_view inviter, std::string_view user, std::string role,
                     Time now = kT0) {
  const std::string email = EmailOf(user);
  const std::string token_hash = "hash-of-token-for-" + std::string(user);
  auto sent =
      s.Run(inviter, InviteMember{.email = email, .role = role, .token_hash = token_hash}, now);
  ASSERT_EQ(sent.size(), 1u);
  const auto& invited = std::get<InvitationSent>(sent.front());
  s.Run(user, AcceptInvitation{invited.invitation_id, token_hash, email, ""}, now + hours(1));
}

Scenario Create(std::string preset, std::string owner, std::string org = "org-1") {
  Scenario s = Given();
  s.Run("service-principal", CreateOrganization{.org_id = OrgId(org),
                                                .name = "Org " + org,
                                                .preset = std::move(preset),
                                                .owner = User(owner),
                                                .owner_email = EmailOf(owner)});
  return s;
}

// Seed 000 (commerce): "Owners and Managers can change any member's role", a Manager "Cannot
// delete the org", "An organization must always have at least one Owner. You cannot change the
// last Owner's role or remove them", "Removed members immediately lose access", and one account
// can belong to several organizations with a different role in each.
TEST(SeedScenarioTest, Seed000CommerceManagerAndTheLastOwner) {
  Scenario s = Create("commerce", "olga");
  InviteAndAccept(s, "olga", "mia", "Manager");
  // The Manager invites and changes roles.
  InviteAndAccept(s, "mia", "ed", "Editor");
  InviteAndAccept(s, "mia", "bill", "Billing");
  s.When("mia", ChangeRole{User("ed"), "Billing"})
      .ThenEvents({MemberRoleChanged{s.state().FindMember(User("ed"))->membership_id, User("ed"),
                                     "Editor", "Billing"}});
  s.Run("mia", ChangeRole{User("ed"), "Manager"});
  s.Run("mia", ChangeRole{User("ed"), "Editor"});
  // ... but cannot delete the org or make an Owner.
  s.When("mia", DeleteOrganization{}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("mia", ChangeRole{User("ed"), "Owner"}).ThenRejected(ErrorCode::kEscalation);
  s.When("mia", InviteMember{.email = "new@example.com", .role = "Owner", .token_hash = "h"})
      .ThenRejected(ErrorCode::kEscalation);
  // Editors and Billing see what the page says they see.
  EXPECT_TRUE(s.Check("ed", P::kResourcesManage).allowed);
  EXPECT_FALSE(s.Check("ed", P::kBillingView).allowed);
  EXPECT_FALSE(s.Check("ed", P::kApiKeysManage).allowed);
  EXPECT_TRUE(s.Check("bill", P::kBillingManage).allowed);
  EXPECT_FALSE(s.Check("bill", P::kResourcesManage).allowed);
  EXPECT_TRUE(s.Check("mia", P::kApiKeysManage).allowed);
  // The last Owner cannot be removed, demoted, or leave.
  s.When("mia", RemoveMember{User("olga")}).ThenRejected(ErrorCode::kEscalation);
  s.When("olga", RemoveMember{User("olga")}).ThenRejected(ErrorCode::kLastOwner);
  s.When("olga", ChangeRole{User("olga"), "Manager"}).ThenRejected(ErrorCode::kLastOwner);
  s.When("olga", LeaveOrganization{}).ThenRejected(ErrorCode::kLastOwner);
  // Removed members immediately lose access.
  s.Run("mia", RemoveMember{User("bill")});
  EXPECT_FALSE(s.Check("bill", P::kBillingManage).allowed);
  // With a second Owner the first may step down.
  s.Run("olga", ChangeRole{User("mia"), "Owner"});
  s.Run("mia", ChangeRole{User("olga"), "Manager"});
  EXPECT_EQ(s.state().owner_count(), 1u);
  EXPECT_TRUE(s.Check("mia", P::kOrgDelete).allowed);
  // Multiple organizations: mia is an Editor in a second org of the same product.
  Scenario other = Create("commerce", "oscar", "org-2");
  InviteAndAccept(other, "oscar", "mia", "Editor");
  EXPECT_EQ(s.state().FindMember(User("mia"))->role, "Owner");
  EXPECT_EQ(other.state().FindMember(User("mia"))->role, "Editor");
  EXPECT_FALSE(other.Check("mia", P::kMembersInvite).allowed);
}

// Seed 001 (workspace): "Org membership is the prerequisite for accessing any project", "Org
// members don't automatically have access to any projects", project Owners/Editors invite
// people to projects, "Removing them also removes them from every project in the org", "Their
// direct work ... is preserved with their name attached", re-invited people "create a new
// membership", invitations expire after 7 days with Resend and Revoke, and "For client access,
// skip org membership. Invite clients directly to specific projects as Viewers".
TEST(SeedScenarioTest, Seed001WorkspaceProjectsAreSeparate) {
  Scenario s = Create("workspace", "olga");
  InviteAndAccept(s, "olga", "mia", "Member");
  InviteAndAccept(s, "olga", "tom", "Member");
  s.Run("olga", CreateProject{ProjectId("brand-a"), "Brand A"});
  s.Run("olga", CreateProject{ProjectId("brand-b"), "Brand B"});
  // An org Member sees no project until added to it.
  EXPECT_FALSE(s.Check("mia", P::kProjectsView, "brand-a").allowed);
  EXPECT_FALSE(s.Check("mia", P::kProjectsView, "brand-b").allowed);
  s.Run("olga", AddProjectMember{ProjectId("brand-a"), User("mia"), "Editor"});
  EXPECT_TRUE(s.Check("mia", P::kProjectsView, "brand-a").allowed);
  EXPECT_FALSE(s.Check("mia", P::kProjectsView, "brand-b").allowed);
  // A project Editor invites a teammate to the project, but not as project Owner.
  s.Run("mia", AddProjectMember{ProjectId("brand-a"), User("tom"), "Viewer"});
  s.When("mia", AddProjectMember{ProjectId("brand-a"), User("olga2"), "Owner"})
      .ThenRejected(ErrorCode::kEscalation);
  // A client gets project-only access as a Viewer.
  s.Run("olga", AddProjectMember{ProjectId("brand-b"), User("client"), "Viewer"});
  EXPECT_TRUE(s.Check("client", P::kProjectsView, "brand-b").allowed);
  EXPECT_FALSE(s.Check("client", P::kProjectsView, "brand-a").allowed);
  EXPECT_FALSE(s.Check("client", P::kMembersView).allowed);
  EXPECT_EQ(s.state().FindMember(User("client")), nullptr);
  // mia's dashboard is preserved: removal reassigns it to an owner (SPEC rule 5), never deletes.
  s.Run("mia", RegisterResource{ResourceId("dash-1"), "dashboard", "Weekly", UserId(),
                                ProjectId("brand-a")});
  // Removing mia from the org removes her from every project.
  const MembershipId first = s.state().FindMember(User("mia"))->membership_id;
  s.When("olga", RemoveMember{User("mia")})
      .ThenEventTypes({"member.removed", "project.member_removed", "resource.reassigned"});
  s.Run("olga", RemoveMember{User("mia")});
  EXPECT_FALSE(s.Check("mia", P::kProjectsView, "brand-a").allowed);
  EXPECT_EQ(s.state().resources.at(ResourceId("dash-1")).owner, User("olga"));
  EXPECT_TRUE(s.Check("tom", P::kProjectsView, "brand-a").allowed);
  EXPECT_TRUE(s.Check("client", P::kProjectsView, "brand-b").allowed);
  // Pending invitations: resend, revoke, and a 7 day expiry.
  auto sent =
      s.Run("olga", InviteMember{.email = "zoe@example.com", .role = "Member", .token_hash = "z1"});
  const auto& zoe = std::get<InvitationSent>(sent.front());
  EXPECT_EQ(zoe.expires_at - zoe.sent_at, Days(7));
  s.Run("olga", ResendInvitation{zoe.invitation_id, "z2"}, kT0 + Days(6));
  s.Run("olga", RevokeInvitation{zoe.invitation_id}, kT0 + Days(6));
  s.When("zoe", AcceptInvitation{zoe.invitation_id, "z2", "zoe@example.com", ""}, kT0 + Days(6))
      .ThenRejected(ErrorCode::kConflict);
  // Re-inviting mia creates a new membership; her project access is not restored.
  InviteAndAccept(s, "olga", "mia", "Member", kT0 + Days(6));
  EXPECT_NE(s.state().FindMember(User("mia"))->membership_id, first);
  EXPECT_FALSE(s.Check("mia", P::kProjectsView, "brand-a").allowed);
  // "Promoting a Member to Owner gives them billing access."
  EXPECT_FALSE(s.Check("tom", P::kBillingManage).allowed);
  s.Run("olga", ChangeRole{User("tom"), "Owner"});
  EXPECT_TRUE(s.Check("tom", P::kBillingManage).allowed);
}

// Seed 002 (platform): five roles; an Admin manages the team; "Resources owned by the removed
// member will be reassigned to the organization owner"; "The organization owner cannot be
// removed. To transfer ownership, the current owner must assign ownership to another member
// first."
TEST(SeedScenarioTest, Seed002PlatformReassignmentAndOwnership) {
  Scenario s = Create("platform", "olga");
  InviteAndAccept(s, "olga", "ada", "Admin");
  InviteAndAccept(s, "ada", "dev", "Developer");
  InviteAndAccept(s, "ada", "viv", "Viewer");
  s.Run("olga", CreateProject{ProjectId("support"), "Support bots"});
  s.Run("dev",
        RegisterResource{ResourceId("agent-1"), "agent", "Triage", UserId(), ProjectId("support")});
  s.Run("dev",
        RegisterResource{ResourceId("kb-1"), "knowledge_base", "FAQ", UserId(), ProjectId()});
  EXPECT_TRUE(s.Check("viv", P::kResourcesView, "support").allowed);
  EXPECT_FALSE(s.Check("viv", P::kResourcesManage, "support").allowed);
  s.When("viv", RegisterResource{ResourceId("x"), "agent", "X", UserId(), ProjectId()})
      .ThenRejected(ErrorCode::kPermissionDenied);
  // The Admin changes roles (changes take effect immediately) and removes dev.
  s.Run("ada", ChangeRole{User("viv"), "Developer"});
  EXPECT_TRUE(s.Check("viv", P::kResourcesManage, "support").allowed);
  s.When("ada", RemoveMember{User("dev")})
      .ThenEvents({
          MemberRemoved{s.state().FindMember(User("dev"))->membership_id, User("dev"),
                        Mail("dev@example.com"), "Developer"},
          ResourceReassigned{ResourceId("agent-1"), User("dev"), User("olga"), "owner_removed"},
          ResourceReassigned{ResourceId("kb-1"), User("dev"), User("olga"), "owner_removed"},
      });
  s.Run("ada", RemoveMember{User("dev")});
  EXPECT_EQ(s.state().resources.at(ResourceId("agent-1")).owner, User("olga"));
  EXPECT_FALSE(s.Check("dev", P::kResourcesView, "support").allowed);
  // The owner cannot be removed, by the Admin or by herself, and the Admin cannot take over.
  s.When("ada", RemoveMember{User("olga")}).ThenRejected(ErrorCode::kEscalation);
  s.When("olga", RemoveMember{User("olga")}).ThenRejected(ErrorCode::kLastOwner);
  s.When("ada", TransferOwnership{User("ada"), ""}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("ada", DeleteOrganization{}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("ada", ChangeRole{User("viv"), "Billing"}).ThenRejected(ErrorCode::kEscalation);
  // Transfer of ownership: olga steps down to Admin, ada becomes the Owner.
  s.When("olga", TransferOwnership{User("ada"), ""})
      .ThenEvents({OwnershipTransferred{User("olga"), User("ada"), "Admin", "Admin"}});
  s.Run("olga", TransferOwnership{User("ada"), ""});
  EXPECT_TRUE(s.state().IsOwner(User("ada")));
  EXPECT_EQ(s.state().FindMember(User("olga"))->role, "Admin");
  // Now the previous owner can be removed, and her resources go to the new owner.
  s.Run("ada", RemoveMember{User("olga")});
  EXPECT_EQ(s.state().resources.at(ResourceId("agent-1")).owner, User("ada"));
  s.When("ada", LeaveOrganization{}).ThenRejected(ErrorCode::kLastOwner);
}

// Seed 003 (analytics): Admin, User, Guest; "Guest: Full platform access but cannot view other
// organization members"; Admins change roles, remove users and see last-active timestamps.
TEST(SeedScenarioTest, Seed003AnalyticsGuestsCannotListMembers) {
  Scenario s = Create("analytics", "ada");
  InviteAndAccept(s, "ada", "uma", "User");
  InviteAndAccept(s, "ada", "gus", "Guest");
  EXPECT_TRUE(s.Check("ada", P::kMembersView).allowed);
  EXPECT_TRUE(s.Check("uma", P::kMembersView).allowed);
  EXPECT_FALSE(s.Check("gus", P::kMembersView).allowed);
  // Full platform access for both.
  s.Run("gus", CreateProject{ProjectId("q1"), "Queries"});
  s.Run("uma", CreateApiKey{ApiKeyId("key-u"), "Notebook", ProjectId()});
  EXPECT_TRUE(s.Check("gus", P::kResourcesManage, "q1").allowed);
  // Neither can manage users.
  s.When("uma", InviteMember{.email = "x@example.com", .role = "Guest", .token_hash = "h"})
      .ThenRejected(ErrorCode::kPermissionDenied);
  s.When("uma", ChangeRole{User("gus"), "User"}).ThenRejected(ErrorCode::kPermissionDenied);
  // The Admin changes a role and removes a user.
  s.Run("ada", ChangeRole{User("gus"), "User"});
  EXPECT_TRUE(s.Check("gus", P::kMembersView).allowed);
  // Last active timestamps.
  ActivityState activity;
  for (const char* who : {"uma", "gus"}) {
    auto d = DecideActivity(s.state(), activity, User(who), RecordActivity{}, kT0 + hours(2));
    ASSERT_TRUE(d.has_value());
    for (const Event& e : *d) ApplyActivity(activity, e);
  }
  EXPECT_EQ(activity.last_seen.at(User("gus")), kT0 + hours(2));
  s.Run("ada", RemoveMember{User("uma")});
  EXPECT_FALSE(s.Check("uma", P::kMembersView).allowed);
  EXPECT_FALSE(DecideActivity(s.state(), activity, User("uma"), RecordActivity{}, kT0 + hours(3))
                   .has_value());
}

// Seed 004 (api): four roles "automatically inherited by every project", "Invitations expire
// after 7 days. You can cancel pending invitations and resend if needed", "When you remove
// someone, their API keys remain active. Rotate keys if the removed member had access to them",
// project-only access for client stakeholders, and an Activity Log of "invitations sent,
// invitations accepted, role changes, and member removals".
TEST(SeedScenarioTest, Seed004ApiInheritanceExpiryAndKeys) {
  Scenario s = Create("api", "adm");
  InviteAndAccept(s, "adm", "dev", "Developer");
  InviteAndAccept(s, "adm", "bill", "Billing Manager");
  InviteAndAccept(s, "adm", "viv", "Viewer");
  s.Run("dev", CreateProject{ProjectId("prod"), "Production"});
  s.Run("adm", CreateProject{ProjectId("staging"), "Staging"});
  for (const char* p : {"prod", "staging"}) {
    EXPECT_EQ(s.Check("dev", P::kApiKeysManage, p).source, AccessSource::kInherited);
    EXPECT_TRUE(s.Check("dev", P::kApiKeysManage, p).allowed) << p;
    EXPECT_TRUE(s.Check("bill", P::kBillingManage, p).allowed) << p;
    EXPECT_FALSE(s.Check("bill", P::kApiKeysView, p).allowed) << p << ": no API access";
    EXPECT_TRUE(s.Check("viv", P::kProjectsView, p).allowed) << p;
    EXPECT_FALSE(s.Check("viv", P::kResourcesManage, p).allowed) << p;
  }
  // Invitations expire after 7 days; cancel and resend.
  auto sent =
      s.Run("adm", InviteMember{.email = "late@example.com", .role = "Viewer", .token_hash = "t1"});
  const InvitationId late = std::get<InvitationSent>(sent.front()).invitation_id;
  s.When("late", AcceptInvitation{late, "t1", "late@example.com", ""}, kT0 + Days(7))
      .ThenRejected(ErrorCode::kInvitationExpired);
  s.When("adm", ExpireInvitations{}, kT0 + Days(7)).ThenEventTypes({"invitation.expired"});
  auto resend =
      s.Run("adm", InviteMember{.email = "late@example.com", .role = "Viewer", .token_hash = "t2"},
            kT0 + Days(8));
  ASSERT_EQ(resend.size(), 2u) << "the overdue one is recorded as expired first";
  const InvitationId again = std::get<InvitationSent>(resend.back()).invitation_id;
  s.Run("adm", RevokeInvitation{again}, kT0 + Days(8));
  // A removed member's API keys are flagged for rotation and stay active.
  s.Run("dev", CreateApiKey{ApiKeyId("key-org"), "Deploy", ProjectId()});
  s.Run("dev", CreateApiKey{ApiKeyId("key-prod"), "Prod CI", ProjectId("prod")});
  s.When("adm", RemoveMember{User("dev")})
      .ThenEventTypes(
          {"member.removed", "apikey.rotation_recommended", "apikey.rotation_recommended"});
  s.Run("adm", RemoveMember{User("dev")});
  for (const char* k : {"key-org", "key-prod"}) {
    EXPECT_TRUE(s.state().api_keys.at(ApiKeyId(k)).rotation_recommended) << k;
    EXPECT_FALSE(s.state().api_keys.at(ApiKeyId(k)).revoked) << k;
  }
  EXPECT_FALSE(s.Check("dev", P::kApiKeysManage, "prod").allowed);
  s.Run("adm", RevokeApiKey{ApiKeyId("key-prod")});
  // Project-only access for a client stakeholder.
  s.Run("adm", AddProjectMember{ProjectId("prod"), User("client"), "Viewer"});
  EXPECT_TRUE(s.Check("client", P::kProjectsView, "prod").allowed);
  EXPECT_FALSE(s.Check("client", P::kProjectsView, "staging").allowed);
  // Role change, then the Activity Log has every kind of entry the page lists.
  s.Run("adm", ChangeRole{User("viv"), "Developer"});
  std::set<std::string_view> logged;
  for (const Event& e : s.history()) logged.insert(EventType(e));
  for (std::string_view t : {"invitation.sent", "invitation.accepted", "member.role_changed",
                             "member.removed", "invitation.revoked", "invitation.expired"}) {
    EXPECT_TRUE(logged.contains(t)) << t;
  }
}

}  // namespace
}  // namespace roster::domain
