// InvitationsProjection: given events, then invitations as of a time (pending past expiry is
// expired), the organizations the expiry sweep must visit, and rows that load back.
#include "projections/invitations_projection.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "domain/testing/given.h"
#include "projections/testing/feed.h"

namespace roster::projections {
namespace {

using namespace domain;
using domain::testing::Invited;
using domain::testing::kT0;
using domain::testing::Mail;
using domain::testing::OrgCreated;
using domain::testing::User;
using testing::Feed;
using testing::Flushed;
using testing::Loaded;
using testing::Rows;

int64_t Us(Time t) { return ToMicros(t); }
const Time kWeek = kT0 + Days(7);  // when an invitation sent at kT0 expires

InvitationSent Sent(std::string_view id, std::string_view email, Time at = kT0) {
  return Invited(id, email, "Member", "owner", "hash-" + std::string(id), at);
}
InvitationResent Resent(std::string_view id, std::string_view email, Time at, uint32_t count) {
  return {InvitationId(id), Mail(email), "hash-again", at, at + Days(7), count};
}
InvitationRevoked Revoked(std::string_view id, std::string_view email) {
  return {InvitationId(id), Mail(email), "Member"};
}
InvitationAccepted Accepted(std::string_view id, std::string_view email, std::string_view user) {
  return {InvitationId(id), Mail(email), User(user), MembershipId("m9")};
}
InvitationExpired Expired(std::string_view id, std::string_view email, Time at = kWeek) {
  return {InvitationId(id), Mail(email), at};
}

// "id status" of each invitation listed as of `now`, in send order.
std::vector<std::string> Listed(const InvitationsProjection& invitations, Time now,
                                std::optional<InvitationStatus> status = std::nullopt,
                                const std::string& org = "org-1") {
  std::vector<std::string> out;
  for (const InvitationView& v : invitations.List(org, status, Us(now), 0, 100).invitations) {
    out.push_back(v.invitation_id + " " + std::string(InvitationStatusName(v.status)));
  }
  return out;
}

std::string Text(const InvitationView& v) {
  return std::to_string(v.sent_position) + " " + v.invitation_id + " " + v.email + " '" +
         v.display_name + "' " + v.role + " by " + v.inviter + " " +
         std::string(InvitationStatusName(v.status)) + " sent " + std::to_string(v.sent_at_us) +
         " expires " + std::to_string(v.expires_at_us) + " for " + std::to_string(v.valid_for_us) +
         " resent " + std::to_string(v.resend_count) + " accepted by '" + v.accepted_by +
         "' ended " + std::to_string(v.ended_at_us);
}

// Every query's answer about History's organizations at a few times, as text.
std::vector<std::string> Answers(const InvitationsProjection& invitations) {
  std::vector<std::string> out;
  for (Time now : {kT0, kWeek - Days(1), kWeek, kWeek + Days(10)}) {
    const std::string at = std::to_string(Us(now)) + " ";
    for (const std::string org : {"org-1", "org-2"}) {
      for (const InvitationView& v :
           invitations.List(org, std::nullopt, Us(now), 0, 100).invitations)
        out.push_back(at + org + ": " + Text(v));
      if (auto v = invitations.Find(org, "i1", Us(now))) out.push_back(at + "find: " + Text(*v));
    }
    std::string overdue = at + "overdue:";
    for (const std::string& org : invitations.OrgsWithOverdueInvitations(Us(now)))
      overdue += " " + org;
    out.push_back(overdue);
  }
  return out;
}

// Every event type the model reads, in two organizations; `step` runs after each part.
void History(
    Feed& feed, const std::function<void()>& step = [] {}) {
  feed.Given(Sent("i1", "ana@x.test"), Sent("i2", "bo@x.test"), Sent("i3", "cy@x.test"),
             Sent("i4", "dee@x.test"), Sent("i5", "eve@x.test"));
  feed.In("org-2").Given(Sent("i1", "ana@x.test"), Sent("i2", "fay@x.test"));
  step();
  feed.In("org-1")
      .At(kT0 + Days(2))
      .Given(Resent("i2", "bo@x.test", kT0 + Days(2), 1), Revoked("i3", "cy@x.test"));
  step();
  feed.At(kT0 + Days(3)).Given(Accepted("i4", "dee@x.test", "dee"));
  feed.In("org-2").Given(OrganizationDeleted{"Org org-2"});
  step();
  feed.In("org-1").At(kWeek + Days(1)).Given(Expired("i5", "eve@x.test"));
  step();
}

TEST(InvitationsProjectionTest, SentInvitationIsPendingWithWhatTheSendRecorded) {
  InvitationsProjection invitations;
  Feed(invitations).Given(OrgCreated("workspace"), Sent("i1", "ana@x.test"));
  auto listed = invitations.List("org-1", std::nullopt, Us(kT0), 0, 10).invitations;
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(Text(listed[0]), "3 i1 ana@x.test '' Member by owner pending sent " +
                                 std::to_string(Us(kT0)) + " expires " + std::to_string(Us(kWeek)) +
                                 " for " + std::to_string(Us(kWeek) - Us(kT0)) +
                                 " resent 0 accepted by '' ended 0");
  ASSERT_TRUE(invitations.Find("org-1", "i1", Us(kT0)).has_value());
  EXPECT_EQ(*invitations.Find("org-1", "i1", Us(kT0)), listed[0]);
  EXPECT_FALSE(invitations.Find("org-1", "i2", Us(kT0)).has_value());
  EXPECT_FALSE(invitations.Find("org-2", "i1", Us(kT0)).has_value());
}

// A project invitation (InviteToProject) lists its project and project role, with no org role,
// through acceptance, and its rows load back with them.
TEST(InvitationsProjectionTest, AProjectInvitationShowsItsProjectAndRole) {
  InvitationsProjection invitations;
  Feed feed(invitations);
  InvitationSent to_project{
      InvitationId("i1"), Mail("client@x.test"), "Client", "", User("owner"), "hash-1", kT0,
      kT0 + Days(3),      ProjectId("website"),  "Viewer"};
  feed.Given(to_project, Sent("i2", "ana@x.test"));
  auto listed = invitations.List("org-1", std::nullopt, Us(kT0), 0, 10).invitations;
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].project_id, "website");
  EXPECT_EQ(listed[0].project_role, "Viewer");
  EXPECT_EQ(listed[0].role, "");
  EXPECT_EQ(listed[0].valid_for_us, Us(kT0 + Days(3)) - Us(kT0));
  EXPECT_EQ(listed[1].project_id, "");
  EXPECT_EQ(listed[1].project_role, "");
  feed.At(kT0 + Days(1))
      .Given(InvitationAccepted{InvitationId("i1"), Mail("client@x.test"), User("client"),
                                MembershipId()});
  auto accepted = invitations.Find("org-1", "i1", Us(kT0 + Days(1)));
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->status, InvitationStatus::kAccepted);
  EXPECT_EQ(accepted->accepted_by, "client");
  EXPECT_EQ(accepted->project_id, "website");
  auto reloaded = Loaded<InvitationsProjection>(Flushed(invitations));
  EXPECT_EQ(reloaded->Find("org-1", "i1", Us(kT0 + Days(1))), accepted);
}

TEST(InvitationsProjectionTest, PendingPastItsExpiryIsReportedExpired) {
  InvitationsProjection invitations;
  Feed(invitations).Given(Sent("i1", "ana@x.test"));
  const Time just_before = kWeek - std::chrono::microseconds(1);
  EXPECT_EQ(Listed(invitations, just_before), std::vector<std::string>{"i1 pending"});
  EXPECT_EQ(Listed(invitations, kWeek), std::vector<std::string>{"i1 expired"});
  EXPECT_EQ(Listed(invitations, kWeek, InvitationStatus::kExpired),
            std::vector<std::string>{"i1 expired"});
  EXPECT_TRUE(Listed(invitations, kWeek, InvitationStatus::kPending).empty());
  EXPECT_EQ(invitations.Find("org-1", "i1", Us(kWeek))->ended_at_us, Us(kWeek));
  EXPECT_TRUE(invitations.OrgsWithOverdueInvitations(Us(just_before)).empty());
  EXPECT_EQ(invitations.OrgsWithOverdueInvitations(Us(kWeek)), std::vector<std::string>{"org-1"});
}

TEST(InvitationsProjectionTest, ResendMovesTheExpiryAndCountsResends) {
  InvitationsProjection invitations;
  Feed feed(invitations);
  feed.Given(Sent("i1", "ana@x.test"));
  feed.At(kT0 + Days(3)).Given(Resent("i1", "ana@x.test", kT0 + Days(3), 1));
  auto v = invitations.Find("org-1", "i1", Us(kWeek));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->status, InvitationStatus::kPending);
  EXPECT_EQ(v->sent_at_us, Us(kT0 + Days(3)));
  EXPECT_EQ(v->expires_at_us, Us(kT0 + Days(10)));
  EXPECT_EQ(v->valid_for_us, Us(kT0 + Days(10)) - Us(kT0 + Days(3)));
  EXPECT_EQ(v->resend_count, 1u);
  EXPECT_EQ(v->sent_position, 1u) << "still listed where it was first sent";
  EXPECT_TRUE(invitations.OrgsWithOverdueInvitations(Us(kWeek)).empty());
  EXPECT_EQ(invitations.OrgsWithOverdueInvitations(Us(kT0 + Days(10))),
            std::vector<std::string>{"org-1"});
}

TEST(InvitationsProjectionTest, ResendOfAnEndedInvitationChangesNothing) {
  InvitationsProjection invitations;
  Feed(invitations)
      .Given(Sent("i1", "ana@x.test"), Revoked("i1", "ana@x.test"),
             Resent("i1", "ana@x.test", kT0 + Days(1), 1));
  EXPECT_EQ(invitations.Find("org-1", "i1", Us(kT0))->resend_count, 0u);
  EXPECT_EQ(Listed(invitations, kT0), std::vector<std::string>{"i1 revoked"});
  EXPECT_TRUE(invitations.OrgsWithOverdueInvitations(Us(kT0 + Days(30))).empty());
}

TEST(InvitationsProjectionTest, AcceptedInvitationSaysByWhomAndWhenAndNeverExpires) {
  InvitationsProjection invitations;
  Feed feed(invitations);
  feed.Given(Sent("i1", "ana@x.test"));
  feed.At(kT0 + Days(1)).Given(Accepted("i1", "ana@x.test", "ana"));
  auto v = invitations.Find("org-1", "i1", Us(kWeek + Days(1)));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->status, InvitationStatus::kAccepted);
  EXPECT_EQ(v->accepted_by, "ana");
  EXPECT_EQ(v->ended_at_us, Us(kT0 + Days(1)));
  EXPECT_TRUE(invitations.OrgsWithOverdueInvitations(Us(kWeek)).empty());
}

TEST(InvitationsProjectionTest, RevokedInvitationEndsWhenRevoked) {
  InvitationsProjection invitations;
  Feed feed(invitations);
  feed.Given(Sent("i1", "ana@x.test"), Sent("i2", "bo@x.test"));
  feed.At(kT0 + Days(2)).Given(Revoked("i1", "ana@x.test"));
  EXPECT_EQ(Listed(invitations, kWeek), (std::vector<std::string>{"i1 revoked", "i2 expired"}));
  EXPECT_EQ(invitations.Find("org-1", "i1", Us(kWeek))->ended_at_us, Us(kT0 + Days(2)));
  EXPECT_EQ(invitations.Find("org-1", "i1", Us(kWeek))->accepted_by, "");
}

TEST(InvitationsProjectionTest, ExpiredEventEndsItAtItsExpiryAndTheSweepIsDone) {
  InvitationsProjection invitations;
  Feed feed(invitations);
  feed.Given(Sent("i1", "ana@x.test"));
  feed.At(kWeek + Days(1)).Given(Expired("i1", "ana@x.test"));  // the sweep runs a day late
  EXPECT_EQ(Listed(invitations, kT0), std::vector<std::string>{"i1 expired"});
  EXPECT_EQ(invitations.Find("org-1", "i1", Us(kT0))->ended_at_us, Us(kWeek));
  EXPECT_TRUE(invitations.OrgsWithOverdueInvitations(Us(kWeek + Days(1))).empty());
}

TEST(InvitationsProjectionTest, DeletedOrganizationIsNoLongerSwept) {
  InvitationsProjection invitations;
  Feed feed(invitations);
  feed.Given(Sent("i1", "ana@x.test"));
  feed.In("org-2").Given(Sent("i1", "bo@x.test"), OrganizationDeleted{"Org org-2"},
                         Sent("i2", "late@x.test"));
  EXPECT_EQ(invitations.OrgsWithOverdueInvitations(Us(kWeek)), std::vector<std::string>{"org-1"});
  EXPECT_EQ(Listed(invitations, kT0, std::nullopt, "org-2"),
            (std::vector<std::string>{"i1 pending", "i2 pending"}))
      << "its invitations are still listed";
  auto reloaded = Loaded<InvitationsProjection>(Flushed(invitations));
  EXPECT_EQ(reloaded->OrgsWithOverdueInvitations(Us(kWeek)), std::vector<std::string>{"org-1"});
}

TEST(InvitationsProjectionTest, ListPagesInSendOrderWithTheStatusAsOfNow) {
  InvitationsProjection invitations;
  Feed feed(invitations);
  feed.Given(Sent("i1", "a@x.test"), Sent("i2", "b@x.test"), Sent("i3", "c@x.test"),
             Sent("i4", "d@x.test"), Revoked("i2", "b@x.test"));
  feed.At(kT0 + Days(2)).Given(Sent("i5", "e@x.test", kT0 + Days(2)));
  auto page = [&](eventstore::Position cursor) {
    std::vector<std::string> ids;
    auto p = invitations.List("org-1", InvitationStatus::kExpired, Us(kWeek), cursor, 2);
    for (const InvitationView& v : p.invitations) ids.push_back(v.invitation_id);
    return std::pair(ids, p.next_cursor);
  };
  auto [first, cursor] = page(0);
  EXPECT_EQ(first, (std::vector<std::string>{"i1", "i3"}));
  EXPECT_EQ(cursor, 3u);
  auto [second, end] = page(cursor);
  EXPECT_EQ(second, std::vector<std::string>{"i4"}) << "i5 is still pending a week after kT0";
  EXPECT_EQ(end, 0u);
}

TEST(InvitationsProjectionTest, RowsLoadBackIntoTheSameAnswers) {
  testing::ExpectRowsLoadBack<InvitationsProjection>(History, Answers, 30u);
}

TEST(InvitationsProjectionTest, RebuildInBulkModeWritesTheSameRowsAndAnswers) {
  testing::ExpectBulkRebuildMatchesLive<InvitationsProjection>(History, Answers);
}

}  // namespace
}  // namespace roster::projections
