// SPEC.md section 3, rule 4 (invitations) and the invitation edge cases: expiry, tokens, emails,
// double accepts, resend after revoke, existing members, pending invitations, the per-org cap, and
// re-invitation after removal.
#include <gtest/gtest.h>

#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using std::chrono::hours;
using std::chrono::microseconds;

InviteMember Invite(std::string email, std::string role = "Editor", std::string hash = "h1") {
  return InviteMember{
      .email = std::move(email), .role = std::move(role), .token_hash = std::move(hash)};
}

AcceptInvitation Accept(std::string id, std::string hash, std::string email) {
  return AcceptInvitation{InvitationId(id), std::move(hash), std::move(email), ""};
}

// commerce org with a Manager; bob@example.com was invited as Editor at kT0 with token "h1".
Scenario Pending() {
  return Given(OrgCreated("commerce"), Joined("m2", "mgr", "Manager"),
               Invited("i1", "bob@example.com", "Editor", "mgr", "h1"));
}

// ---- Inviting

TEST(InviteTest, RecordsANormalizedEmailTheCanonicalRoleAndASevenDayExpiry) {
  Given(OrgCreated("commerce"), Joined("m2", "mgr", "Manager"))
      .When("mgr",
            InviteMember{.email = " Bob@Example.COM ",
                         .display_name = "Bob",
                         .role = "editor",
                         .token_hash = "h1"},
            kT0)
      .ThenEvents({InvitationSent{InvitationId("i1"), Mail("bob@example.com"), "Bob", "Editor",
                                  User("mgr"), "h1", kT0, kT0 + Days(7)}});
}

TEST(InviteTest, SpellingsOfOneAddressAreOneInvitee) {
  Pending().When("mgr", Invite("bob@example.com")).ThenRejected(ErrorCode::kInvitePending);
  Pending().When("mgr", Invite("  BOB@EXAMPLE.COM")).ThenRejected(ErrorCode::kInvitePending);
  Pending().When("mgr", Invite("Bob@Example.Com\t")).ThenRejected(ErrorCode::kInvitePending);
}

TEST(InviteTest, InvalidEmailsAreRejected) {
  for (const char* bad : {"", "bob", "bob@", "@example.com", "bob@example", "bob@@example.com",
                          "bob smith@example.com", "bob@example..com"}) {
    Pending().When("mgr", Invite(bad)).ThenRejected(ErrorCode::kInvalidArgument);
  }
}

TEST(InviteTest, AnActiveMembersEmailCannotBeInvited) {
  auto o = Pending().When("mgr", Invite("MGR@example.com"));
  o.ThenRejected(ErrorCode::kAlreadyMember);
  EXPECT_NE(o.rejection().message.find("mgr@example.com"), std::string::npos);
  Pending()
      .When("mgr", Invite("owner@example.com", "Billing"))
      .ThenRejected(ErrorCode::kAlreadyMember);
}

TEST(InviteTest, InvitingWhileOneIsPendingSaysToResend) {
  auto o = Pending().When("mgr", Invite("bob@example.com", "Billing", "h2"), kT0 + hours(1));
  o.ThenRejected(ErrorCode::kInvitePending);
  EXPECT_NE(o.rejection().message.find("resend"), std::string::npos) << o.rejection().message;
}

TEST(InviteTest, AnExpiredButUnsweptInvitationIsRecordedAsExpiredAndReplaced) {
  const Time later = kT0 + Days(8);
  Pending()
      .When("mgr", Invite("bob@example.com", "Billing", "h2"), later)
      .ThenEvents({
          InvitationExpired{InvitationId("i1"), Mail("bob@example.com"), kT0 + Days(7)},
          InvitationSent{InvitationId("i2"), Mail("bob@example.com"), "", "Billing", User("mgr"),
                         "h2", later, later + Days(7)},
      });
}

TEST(InviteTest, RoleAndTokenAreRequired) {
  Pending().When("mgr", Invite("c@example.com", "Janitor")).ThenRejected(ErrorCode::kNotFound);
  Pending()
      .When("mgr", Invite("c@example.com", "Editor", ""))
      .ThenRejected(ErrorCode::kInvalidArgument);
  Pending()
      .When("mgr", InviteMember{.email = "c@example.com",
                                .display_name = "C\x01",
                                .role = "Editor",
                                .token_hash = "h"})
      .ThenRejected(ErrorCode::kInvalidArgument);
}

TEST(InviteTest, TheLifetimeIsAnOrgSetting) {
  auto s = Pending();
  s.Run("owner", ChangeSettings{.invitation_ttl_days = 3});
  s.When("mgr", Invite("c@example.com"), kT0)
      .ThenEvents({InvitationSent{InvitationId("i2"), Mail("c@example.com"), "", "Editor",
                                  User("mgr"), "h1", kT0, kT0 + Days(3)}});
  s.When("owner", ChangeSettings{.invitation_ttl_days = 31})
      .ThenRejected(ErrorCode::kInvalidArgument);
  s.When("owner", ChangeSettings{.invitation_ttl_days = 0})
      .ThenRejected(ErrorCode::kInvalidArgument);
  s.When("owner", ChangeSettings{.invitation_ttl_days = 30}).ThenAccepted();
  s.When("owner", ChangeSettings{.invitation_ttl_days = 3}).ThenNoEvents();
  // Neither setting given (the wire's 0 = unchanged for both): refused, not an empty success.
  s.When("owner", ChangeSettings{}).ThenRejected(ErrorCode::kInvalidArgument);
}

// ---- The per-org cap

Scenario Capped() {  // at most two pending invitations
  auto s = Given(OrgCreated("commerce"), Joined("m2", "mgr", "Manager"));
  s.Run("owner", ChangeSettings{.max_pending_invitations = 2});
  s.Run("mgr", Invite("a@example.com"), kT0);
  s.Run("mgr", Invite("b@example.com"), kT0 + hours(1));
  return s;
}

TEST(InviteLimitTest, PendingInvitationsAreCapped) {
  auto o = Capped().When("mgr", Invite("c@example.com"), kT0 + hours(2));
  o.ThenRejected(ErrorCode::kInviteLimit);
  EXPECT_NE(o.rejection().message.find("2"), std::string::npos) << o.rejection().message;
}

TEST(InviteLimitTest, EndedInvitationsFreeTheirPlace) {
  auto revoked = Capped();
  revoked.Run("mgr", RevokeInvitation{InvitationId("i1")});
  revoked.When("mgr", Invite("c@example.com"), kT0 + hours(2)).ThenEventTypes({"invitation.sent"});
  auto accepted = Capped();
  accepted.Run("a", Accept("i1", "h1", "a@example.com"), kT0 + hours(2));
  accepted.When("mgr", Invite("c@example.com"), kT0 + hours(2)).ThenEventTypes({"invitation.sent"});
}

TEST(InviteLimitTest, ExpiredButUnsweptInvitationsDoNotCount) {
  // i1 expires at kT0 + 7d, i2 an hour later; nobody ran ExpireInvitations.
  Capped()
      .When("mgr", Invite("c@example.com"), kT0 + Days(7) - microseconds(1))
      .ThenRejected(ErrorCode::kInviteLimit);
  Capped().When("mgr", Invite("c@example.com"), kT0 + Days(7)).ThenEventTypes({"invitation.sent"});
  auto s = Capped();
  s.Run("mgr", Invite("c@example.com"), kT0 + Days(7));
  s.When("mgr", Invite("d@example.com"), kT0 + Days(7)).ThenRejected(ErrorCode::kInviteLimit);
  s.When("mgr", Invite("d@example.com"), kT0 + Days(7) + hours(1)).ThenAccepted();
}

TEST(InviteLimitTest, TheDefaultCapIsFifty) {
  auto s = Given(OrgCreated("commerce"));
  for (int i = 0; i < 50; ++i) {
    std::string email = std::to_string(i);  // "u" + to_string(i) trips g++ 12's -Wrestrict
    email.insert(0, 1, 'u').append("@example.com");
    s.Run("owner", Invite(email));
  }
  s.When("owner", Invite("u50@example.com")).ThenRejected(ErrorCode::kInviteLimit);
}

// ---- Accepting

TEST(AcceptTest, JoinsWithANewMembership) {
  Pending()
      .When("bob", AcceptInvitation{InvitationId("i1"), "h1", "Bob@Example.com", "Bobby"},
            kT0 + Days(1))
      .ThenEvents({
          InvitationAccepted{InvitationId("i1"), Mail("bob@example.com"), User("bob"),
                             MembershipId("m3")},
          MemberJoined{MembershipId("m3"), User("bob"), Mail("bob@example.com"), "Bobby", "Editor",
                       InvitationId("i1")},
      });
}

TEST(AcceptTest, AfterExpiryIsRejectedSweptOrNot) {
  Pending()
      .When("bob", Accept("i1", "h1", "bob@example.com"), kT0 + Days(7) - microseconds(1))
      .ThenAccepted();
  Pending()
      .When("bob", Accept("i1", "h1", "bob@example.com"), kT0 + Days(7))
      .ThenRejected(ErrorCode::kInvitationExpired);
  Pending()
      .When("bob", Accept("i1", "h1", "bob@example.com"), kT0 + Days(30))
      .ThenRejected(ErrorCode::kInvitationExpired);
  auto swept = Pending();
  swept.Run("anyone", ExpireInvitations{}, kT0 + Days(8));
  swept.When("bob", Accept("i1", "h1", "bob@example.com"), kT0 + Days(8))
      .ThenRejected(ErrorCode::kInvitationExpired);
  // Even if the clock went backwards, the recorded expiry is final.
  swept.When("bob", Accept("i1", "h1", "bob@example.com"), kT0 + Days(1))
      .ThenRejected(ErrorCode::kInvitationExpired);
}

TEST(AcceptTest, AWrongTokenIsRejectedFirst) {
  Pending()
      .When("bob", Accept("i1", "h2", "bob@example.com"))
      .ThenRejected(ErrorCode::kInvalidToken);
  Pending().When("bob", Accept("i1", "", "bob@example.com")).ThenRejected(ErrorCode::kInvalidToken);
  Pending()
      .When("bob", Accept("i1", "H1", "bob@example.com"))
      .ThenRejected(ErrorCode::kInvalidToken);
  // A wrong token learns nothing: not even that the invitation has expired or was for someone
  // else.
  Pending()
      .When("eve", Accept("i1", "bad", "eve@example.com"), kT0 + Days(9))
      .ThenRejected(ErrorCode::kInvalidToken);
  Pending().When("bob", Accept("i9", "h1", "bob@example.com")).ThenRejected(ErrorCode::kNotFound);
}

TEST(AcceptTest, ADifferentVerifiedEmailIsRejected) {
  Pending()
      .When("eve", Accept("i1", "h1", "eve@example.com"))
      .ThenRejected(ErrorCode::kEmailMismatch);
  Pending()
      .When("bob", Accept("i1", "h1", "bob@example.org"))
      .ThenRejected(ErrorCode::kEmailMismatch);
  Pending()
      .When("bob", Accept("i1", "h1", "not-an-email"))
      .ThenRejected(ErrorCode::kInvalidArgument);
  Pending().When("bob", Accept("i1", "h1", " BOB@example.com ")).ThenAccepted();
}

TEST(AcceptTest, AcceptingTwiceIsAConflict) {
  auto s = Pending();
  s.Run("bob", Accept("i1", "h1", "bob@example.com"));
  s.When("bob", Accept("i1", "h1", "bob@example.com")).ThenRejected(ErrorCode::kConflict);
  s.When("bob2", Accept("i1", "h1", "bob@example.com")).ThenRejected(ErrorCode::kConflict);
}

TEST(AcceptTest, AnExistingMemberCannotAcceptAgain) {
  // mgr is a member; an invitation to another address of theirs cannot make a second membership.
  auto s = Given(Pending().history(), Invited("i2", "mgr@home.example", "Editor", "owner", "h2"));
  s.When("mgr", Accept("i2", "h2", "mgr@home.example")).ThenRejected(ErrorCode::kAlreadyMember);
}

TEST(AcceptTest, ARevokedInvitationCannotBeAccepted) {
  auto s = Pending();
  s.Run("mgr", RevokeInvitation{InvitationId("i1")});
  s.When("bob", Accept("i1", "h1", "bob@example.com")).ThenRejected(ErrorCode::kConflict);
}

TEST(AcceptTest, TheInviteeNeedsNoMembershipButAnIdentity) {
  Pending()
      .When("", Accept("i1", "h1", "bob@example.com"))
      .ThenRejected(ErrorCode::kInvalidArgument);
}

// ---- Resending and revoking

TEST(ResendTest, IssuesANewTokenAndResetsTheExpiry) {
  const Time day6 = kT0 + Days(6);
  Pending()
      .When("mgr", ResendInvitation{InvitationId("i1"), "h2"}, day6)
      .ThenEvents({InvitationResent{InvitationId("i1"), Mail("bob@example.com"), "h2", day6,
                                    day6 + Days(7), 1}});
  auto s = Pending();
  s.Run("mgr", ResendInvitation{InvitationId("i1"), "h2"}, day6);
  // The old token is dead; the new one works after the original expiry.
  s.When("bob", Accept("i1", "h1", "bob@example.com"), day6).ThenRejected(ErrorCode::kInvalidToken);
  s.When("bob", Accept("i1", "h2", "bob@example.com"), kT0 + Days(10)).ThenAccepted();
  s.When("bob", Accept("i1", "h2", "bob@example.com"), day6 + Days(7))
      .ThenRejected(ErrorCode::kInvitationExpired);
  // Resends are counted.
  s.When("mgr", ResendInvitation{InvitationId("i1"), "h3"}, day6)
      .ThenEvents({InvitationResent{InvitationId("i1"), Mail("bob@example.com"), "h3", day6,
                                    day6 + Days(7), 2}});
  EXPECT_EQ(s.state().invitations.at(InvitationId("i1")).resend_count, 1u);
}

TEST(ResendTest, ResendAfterRevokeOrAcceptIsAConflict) {
  auto revoked = Pending();
  revoked.Run("mgr", RevokeInvitation{InvitationId("i1")});
  revoked.When("mgr", ResendInvitation{InvitationId("i1"), "h2"})
      .ThenRejected(ErrorCode::kConflict);
  auto accepted = Pending();
  accepted.Run("bob", Accept("i1", "h1", "bob@example.com"));
  accepted.When("mgr", ResendInvitation{InvitationId("i1"), "h2"})
      .ThenRejected(ErrorCode::kConflict);
}

TEST(ResendTest, AnExpiredInvitationCannotBeResent) {
  Pending()
      .When("mgr", ResendInvitation{InvitationId("i1"), "h2"}, kT0 + Days(7))
      .ThenRejected(ErrorCode::kInvitationExpired);
  Pending()
      .When("mgr", ResendInvitation{InvitationId("i1"), ""})
      .ThenRejected(ErrorCode::kInvalidArgument);
  Pending()
      .When("mgr", ResendInvitation{InvitationId("i9"), "h2"})
      .ThenRejected(ErrorCode::kNotFound);
}

TEST(RevokeTest, EndsTheInvitationOnce) {
  Pending()
      .When("mgr", RevokeInvitation{InvitationId("i1")})
      .ThenEvents({InvitationRevoked{InvitationId("i1"), Mail("bob@example.com"), "Editor"}});
  auto s = Pending();
  s.Run("mgr", RevokeInvitation{InvitationId("i1")});
  s.When("mgr", RevokeInvitation{InvitationId("i1")}).ThenRejected(ErrorCode::kConflict);
  // The address can be invited again, as a new invitation.
  s.When("mgr", Invite("bob@example.com", "Billing", "h5"))
      .ThenEvents({InvitationSent{InvitationId("i2"), Mail("bob@example.com"), "", "Billing",
                                  User("mgr"), "h5", kT0, kT0 + Days(7)}});
}

// ---- Expiry sweep

TEST(ExpireTest, RecordsEachOverdueInvitationExactlyOnce) {
  auto s =
      Given(OrgCreated("commerce"), Invited("i1", "a@example.com", "Editor", "owner", "h", kT0),
            Invited("i2", "b@example.com", "Editor", "owner", "h", kT0 + hours(2)),
            Invited("i3", "c@example.com", "Editor", "owner", "h", kT0 + Days(3)),
            Invited("i4", "d@example.com", "Editor", "owner", "h", kT0 + hours(1)),
            Invited("i5", "e@example.com", "Editor", "owner", "h", kT0));
  s.Run("owner", RevokeInvitation{InvitationId("i5")});
  const Time sweep = kT0 + Days(7) + hours(2);  // exactly i2's expiry
  s.When("scheduler", ExpireInvitations{}, sweep)
      .ThenEvents({
          InvitationExpired{InvitationId("i1"), Mail("a@example.com"), kT0 + Days(7)},
          InvitationExpired{InvitationId("i4"), Mail("d@example.com"), kT0 + Days(7) + hours(1)},
          InvitationExpired{InvitationId("i2"), Mail("b@example.com"), kT0 + Days(7) + hours(2)},
      });
  s.Run("scheduler", ExpireInvitations{}, sweep);
  s.When("scheduler", ExpireInvitations{}, sweep).ThenNoEvents();
  s.When("scheduler", ExpireInvitations{}, sweep + hours(1)).ThenNoEvents();
  EXPECT_EQ(s.state().invitations.at(InvitationId("i1")).status, InvitationStatus::kExpired);
  EXPECT_EQ(s.state().invitations.at(InvitationId("i3")).status, InvitationStatus::kPending);
  EXPECT_EQ(s.state().invitations.at(InvitationId("i5")).status, InvitationStatus::kRevoked);
  s.When("scheduler", ExpireInvitations{}, kT0 + Days(10))
      .ThenEvents({InvitationExpired{InvitationId("i3"), Mail("c@example.com"), kT0 + Days(10)}});
}

TEST(ExpireTest, NothingToDoBeforeExpiry) {
  Pending().When("scheduler", ExpireInvitations{}, kT0 + Days(7) - microseconds(1)).ThenNoEvents();
}

// ---- Re-invitation after removal

TEST(ReinviteTest, GivesANewMembershipWhileTheOldOneKeepsItsHistory) {
  auto s = Pending();
  s.Run("bob", Accept("i1", "h1", "bob@example.com"));
  ASSERT_EQ(s.state().FindMember(User("bob"))->membership_id, MembershipId("m3"));
  s.Run("bob", RegisterResource{ResourceId("r1"), "dashboard", "Sales", UserId(), ProjectId()});
  s.Run("mgr", RemoveMember{User("bob")});
  s.When("bob", Accept("i1", "h1", "bob@example.com")).ThenRejected(ErrorCode::kConflict);
  s.Run("mgr", Invite("bob@example.com", "Billing", "h2"));
  s.When("bob", Accept("i2", "h2", "bob@example.com"))
      .ThenEvents({
          InvitationAccepted{InvitationId("i2"), Mail("bob@example.com"), User("bob"),
                             MembershipId("m4")},
          MemberJoined{MembershipId("m4"), User("bob"), Mail("bob@example.com"), "", "Billing",
                       InvitationId("i2")},
      });
  s.Run("bob", Accept("i2", "h2", "bob@example.com"));
  const Member& bob = *s.state().FindMember(User("bob"));
  EXPECT_EQ(bob.membership_id, MembershipId("m4"));
  EXPECT_EQ(bob.role, "Billing");
  // The first membership's events still say m3.
  std::vector<std::string> bob_memberships;
  for (const Event& e : s.history()) {
    if (auto* j = std::get_if<MemberJoined>(&e); j && j->user_id == User("bob")) {
      bob_memberships.push_back("joined " + j->membership_id.value);
    }
    if (auto* r = std::get_if<MemberRemoved>(&e); r && r->user_id == User("bob")) {
      bob_memberships.push_back("removed " + r->membership_id.value);
    }
  }
  EXPECT_EQ(bob_memberships, (std::vector<std::string>{"joined m3", "removed m3", "joined m4"}));
  // Nothing of the old membership comes back with the new one.
  EXPECT_EQ(s.state().resources.at(ResourceId("r1")).owner, User("owner"));
}

TEST(ReinviteTest, AfterLeavingToo) {
  auto s = Given(OrgCreated("workspace"), Joined("m2", "mia", "Member"));
  s.Run("mia", LeaveOrganization{});
  s.Run("owner", Invite("mia@example.com", "Member"));
  s.Run("mia", Accept("i1", "h1", "mia@example.com"));
  EXPECT_EQ(s.state().FindMember(User("mia"))->membership_id, MembershipId("m3"));
}

TEST(InvitePermissionTest, RevokingAndResendingNeedMembersInvite) {
  auto s = Given(Pending().history(), Joined("m3", "ed", "Editor"));
  s.When("ed", RevokeInvitation{InvitationId("i1")}).ThenRejected(ErrorCode::kPermissionDenied);
  s.When("ed", ResendInvitation{InvitationId("i1"), "h2"})
      .ThenRejected(ErrorCode::kPermissionDenied);
  s.When("ed", Invite("x@example.com")).ThenRejected(ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace roster::domain
