// MembersProjection: given events, then the membership view and the organization switcher, and
// rows that load back into the same answers.
#include "projections/members_projection.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "domain/testing/given.h"
#include "projections/testing/feed.h"

namespace roster::projections {
namespace {

using namespace domain;
using domain::testing::EmailOf;
using domain::testing::Joined;
using domain::testing::kT0;
using domain::testing::Mail;
using domain::testing::OrgCreated;
using domain::testing::User;
using testing::Feed;
using testing::Flushed;
using testing::Loaded;
using testing::Rows;

const Time kT1 = kT0 + Days(1);
const Time kT2 = kT0 + Days(2);
const Time kT3 = kT0 + Days(3);

MemberRoleChanged RoleChanged(std::string_view membership, std::string_view user,
                              std::string_view from, std::string_view to) {
  return {MembershipId(membership), User(user), std::string(from), std::string(to)};
}
MemberRemoved Removed(std::string_view membership, std::string_view user, std::string_view role) {
  return {MembershipId(membership), User(user), Mail(EmailOf(user)), std::string(role)};
}
MemberLeft Left(std::string_view membership, std::string_view user, std::string_view role) {
  return {MembershipId(membership), User(user), Mail(EmailOf(user)), std::string(role)};
}

// "user role", and the status of a former membership.
std::vector<std::string> Listed(const MembersProjection& members, bool include_former,
                                const std::string& org = "org-1") {
  std::vector<std::string> out;
  for (const MemberView& m : members.ListMembers(org, include_former, 0, 100).members) {
    out.push_back(m.user_id + " " + m.role);
    if (m.status != MembershipStatus::kActive) {
      out.back() += " " + std::string(MembershipStatusName(m.status));
    }
  }
  return out;
}

std::string Text(const MemberView& m) {
  return std::to_string(m.joined_position) + " " + m.membership_id + " " + m.user_id + " " +
         m.email + " '" + m.display_name + "' " + m.role + " " +
         std::string(MembershipStatusName(m.status)) + " " + std::to_string(m.joined_at_us) + "-" +
         std::to_string(m.ended_at_us) + " login " + std::to_string(m.last_login_us) + " active " +
         std::to_string(m.last_active_us);
}

// Every query's answer about the organizations and users of History, as text.
std::vector<std::string> Answers(const MembersProjection& members) {
  std::vector<std::string> out;
  for (const std::string org : {"org-1", "org-2"}) {
    if (auto s = members.Org(org)) {
      out.push_back(org + ": " + s->name + " " + s->preset + " " + s->owner_role + " " +
                    std::to_string(s->deleted) + " " + std::to_string(s->created_at_us) + " " +
                    std::to_string(s->deleted_at_us));
    }
    for (bool former : {false, true}) {
      for (const MemberView& m : members.ListMembers(org, former, 0, 100).members) {
        out.push_back(org + (former ? " all: " : " active: ") + Text(m));
      }
    }
    for (const std::string user : {"owner", "ana", "bo", "cy"}) {
      if (auto m = members.ActiveMember(org, user)) out.push_back(org + " member: " + Text(*m));
    }
  }
  for (const std::string user : {"owner", "ana", "bo", "cy"}) {
    for (const UserOrganization& uo : members.OrganizationsOf(user)) {
      out.push_back(user + " in " + uo.org.org_id + ": " + Text(uo.membership));
    }
  }
  return out;
}

// Every event type the model reads, in two organizations; `step` runs after each part.
void History(
    Feed& feed, const std::function<void()>& step = [] {}) {
  feed.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"), Joined("m3", "bo", "Member"));
  step();
  feed.At(kT1).Given(MemberLoggedIn{User("ana"), kT1, "10.0.0.1", "curl"},
                     MemberActive{User("bo"), kT1}, RoleChanged("m2", "ana", "Member", "Owner"),
                     OrganizationRenamed{"Org org-1", "Acme"});
  step();
  feed.At(kT2).Given(OwnershipTransferred{User("owner"), User("ana"), "Member", "Owner"},
                     Removed("m3", "bo", "Member"), Joined("m4", "bo", "Member"));
  step();
  feed.In("org-2").Given(OrgCreated("commerce", "cy", "org-2"), Joined("m2", "ana", "Editor"));
  feed.At(kT3).Given(Left("m2", "ana", "Editor"), Joined("m3", "owner", "Billing"),
                     OrganizationDeleted{"Org org-2"});
  step();
}

TEST(MembersProjectionTest, OrganizationCreatedGivesItsSummaryAndTheCreatorAsOwner) {
  MembersProjection members;
  Feed(members).Given(OrgCreated("workspace"));
  auto org = members.Org("org-1");
  ASSERT_TRUE(org.has_value());
  EXPECT_EQ(org->org_id, "org-1");
  EXPECT_EQ(org->name, "Org org-1");
  EXPECT_EQ(org->preset, "workspace");
  EXPECT_EQ(org->owner_role, "Owner");
  EXPECT_FALSE(org->deleted);
  EXPECT_EQ(org->created_at_us, ToMicros(kT0));
  EXPECT_EQ(Listed(members, false), std::vector<std::string>{"owner Owner"});
  EXPECT_FALSE(members.Org("org-2").has_value());
}

TEST(MembersProjectionTest, RenameChangesTheNameOnly) {
  MembersProjection members;
  Feed(members).Given(OrgCreated("workspace"), OrganizationRenamed{"Org org-1", "Acme"});
  ASSERT_TRUE(members.Org("org-1").has_value());
  EXPECT_EQ(members.Org("org-1")->name, "Acme");
  EXPECT_EQ(members.Org("org-1")->preset, "workspace");
  ASSERT_EQ(members.OrganizationsOf("owner").size(), 1u);
  EXPECT_EQ(members.OrganizationsOf("owner")[0].org.name, "Acme");
}

TEST(MembersProjectionTest, DeletedOrganizationLeavesTheSwitcherAndKeepsItsSummary) {
  MembersProjection members;
  Feed feed(members);
  feed.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"));
  feed.At(kT2).Given(OrganizationDeleted{"Org org-1"});
  auto org = members.Org("org-1");
  ASSERT_TRUE(org.has_value());
  EXPECT_TRUE(org->deleted);
  EXPECT_EQ(org->deleted_at_us, ToMicros(kT2));
  EXPECT_TRUE(members.OrganizationsOf("owner").empty());
  EXPECT_TRUE(members.OrganizationsOf("ana").empty());
}

TEST(MembersProjectionTest, JoinedMembersAreListedInJoinOrderWithWhatTheJoinRecorded) {
  MembersProjection members;
  Feed feed(members);
  feed.Given(OrgCreated("workspace"));
  feed.At(kT1).Given(Joined("m2", "ana", "Member"));
  feed.At(kT2).Given(Joined("m3", "bo", "Member"));
  EXPECT_EQ(Listed(members, false),
            (std::vector<std::string>{"owner Owner", "ana Member", "bo Member"}));
  auto ana = members.ActiveMember("org-1", "ana");
  ASSERT_TRUE(ana.has_value());
  EXPECT_EQ(Text(*ana), "3 m2 ana ana@example.com '' Member active " +
                            std::to_string(ToMicros(kT1)) + "-0 login 0 active 0");
  EXPECT_EQ(members.ActiveMember("org-1", "bo")->joined_position, 4u);
  auto orgs = members.OrganizationsOf("ana");
  ASSERT_EQ(orgs.size(), 1u);
  EXPECT_EQ(orgs[0].org.org_id, "org-1");
  EXPECT_EQ(orgs[0].membership.membership_id, "m2");
  EXPECT_FALSE(members.ActiveMember("org-1", "cy").has_value());
}

TEST(MembersProjectionTest, RoleChangeUpdatesTheActiveMembership) {
  MembersProjection members;
  Feed(members).Given(OrgCreated("commerce"), Joined("m2", "ana", "Editor"),
                      RoleChanged("m2", "ana", "Editor", "Manager"));
  EXPECT_EQ(members.ActiveMember("org-1", "ana")->role, "Manager");
  EXPECT_EQ(members.OrganizationsOf("ana")[0].membership.role, "Manager");
}

TEST(MembersProjectionTest, OwnershipTransferSwapsTheOwnerRole) {
  MembersProjection members;
  Feed(members).Given(OrgCreated("commerce"), Joined("m2", "ana", "Editor"),
                      OwnershipTransferred{User("owner"), User("ana"), "Manager", "Editor"});
  EXPECT_EQ(Listed(members, false), (std::vector<std::string>{"owner Manager", "ana Owner"}));
}

TEST(MembersProjectionTest, RemovedAndLeftMembersAreListedOnlyWithFormer) {
  MembersProjection members;
  Feed feed(members);
  feed.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"), Joined("m3", "bo", "Member"));
  feed.At(kT1).Given(Removed("m2", "ana", "Member"));
  feed.At(kT2).Given(Left("m3", "bo", "Member"));
  EXPECT_EQ(Listed(members, false), std::vector<std::string>{"owner Owner"});
  EXPECT_EQ(Listed(members, true),
            (std::vector<std::string>{"owner Owner", "ana Member removed", "bo Member left"}));
  const auto all = members.ListMembers("org-1", true, 0, 100).members;
  EXPECT_EQ(all[1].ended_at_us, ToMicros(kT1));
  EXPECT_EQ(all[2].ended_at_us, ToMicros(kT2));
  EXPECT_FALSE(members.ActiveMember("org-1", "ana").has_value());
  EXPECT_FALSE(members.ActiveMember("org-1", "bo").has_value());
  EXPECT_TRUE(members.OrganizationsOf("ana").empty());
  EXPECT_TRUE(members.OrganizationsOf("bo").empty());
}

TEST(MembersProjectionTest, RejoiningAddsAMembershipAndKeepsTheFormerOne) {
  MembersProjection members;
  Feed feed(members);
  feed.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"));
  feed.At(kT1).Given(Removed("m2", "ana", "Member"), Joined("m3", "ana", "Member"),
                     RoleChanged("m3", "ana", "Member", "Owner"));
  EXPECT_EQ(Listed(members, true),
            (std::vector<std::string>{"owner Owner", "ana Member removed", "ana Owner"}));
  EXPECT_EQ(members.ActiveMember("org-1", "ana")->membership_id, "m3");
  ASSERT_EQ(members.OrganizationsOf("ana").size(), 1u);
}

TEST(MembersProjectionTest, ListMembersPagesInJoinOrder) {
  MembersProjection members;
  Feed(members).Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"),
                      Joined("m3", "bo", "Member"), Joined("m4", "cy", "Member"),
                      Removed("m3", "bo", "Member"), Joined("m5", "dee", "Member"));
  auto page = [&](bool former, eventstore::Position cursor) {
    std::vector<std::string> users;
    auto p = members.ListMembers("org-1", former, cursor, 2);
    for (const MemberView& m : p.members) users.push_back(m.user_id);
    return std::pair(users, p.next_cursor);
  };
  auto [first, cursor] = page(false, 0);
  EXPECT_EQ(first, (std::vector<std::string>{"owner", "ana"}));
  EXPECT_EQ(cursor, members.ActiveMember("org-1", "ana")->joined_position);
  auto [second, end] = page(false, cursor);
  EXPECT_EQ(second, (std::vector<std::string>{"cy", "dee"}));
  EXPECT_EQ(end, 0u) << "nothing after the last page";
  auto [with_former, former_cursor] = page(true, cursor);
  EXPECT_EQ(with_former, (std::vector<std::string>{"bo", "cy"}));
  EXPECT_EQ(page(true, former_cursor).first, std::vector<std::string>{"dee"});
}

TEST(MembersProjectionTest, LoginsAndActivityMarkLastLoginAndLastActive) {
  MembersProjection members;
  Feed feed(members);
  feed.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"));
  feed.At(kT2).Given(MemberLoggedIn{User("ana"), kT1, "10.0.0.1", "curl"},
                     MemberActive{User("ana"), kT2},
                     MemberLoggedIn{User("ana"), kT0, "10.0.0.2", "late delivery"});
  auto ana = members.ActiveMember("org-1", "ana");
  EXPECT_EQ(ana->last_login_us, ToMicros(kT1)) << "an older login does not move it back";
  EXPECT_EQ(ana->last_active_us, ToMicros(kT2));
  EXPECT_EQ(members.ActiveMember("org-1", "owner")->last_login_us, 0);
}

TEST(MembersProjectionTest, FormerMembershipKeepsTheActivityItHad) {
  MembersProjection members;
  Feed feed(members);
  feed.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"));
  feed.At(kT1).Given(MemberLoggedIn{User("ana"), kT1, "10.0.0.1", "curl"});
  feed.At(kT2).Given(Removed("m2", "ana", "Member"));
  feed.In("org-2").At(kT3).Given(MemberActive{User("ana"), kT3});
  const auto all = members.ListMembers("org-1", true, 0, 100).members;
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].last_login_us, ToMicros(kT1));
  EXPECT_EQ(all[1].last_active_us, ToMicros(kT1)) << "activity elsewhere does not count here";
}

TEST(MembersProjectionTest, RowsLoadBackIntoTheSameAnswers) {
  testing::ExpectRowsLoadBack<MembersProjection>(History, Answers, 15u);
}

TEST(MembersProjectionTest, RebuildInBulkModeWritesTheSameRowsAndAnswers) {
  testing::ExpectBulkRebuildMatchesLive<MembersProjection>(History, Answers);
}

}  // namespace
}  // namespace roster::projections
