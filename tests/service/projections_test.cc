// Projections fed through the command service: a rebuild from scratch equals the incremental
// result, a restart loads what was persisted, and read models answer what the commands did.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "projections/access_projection.h"
#include "projections/invitations_projection.h"
#include "projections/members_projection.h"
#include "tests/service/node_fixture.h"
#include "tools/workload/workload.h"

namespace roster::tests {
namespace {

using namespace domain;
using eventstore::Position;

class ProjectionsTest : public NodeFixture {
 protected:
  void ExpectRebuildEqualsIncremental();
};

// What the in-memory models answer about every organization of the workload and every user
// they ever listed, as text: a rebuild may keep its query-only indexes differently (it derives
// some at the end), so comparing rows alone would not catch a query that answers otherwise.
std::vector<std::string> ModelAnswers(api::service::Node& node, size_t orgs, int64_t now_us) {
  using projections::AccessProjection;
  using projections::InvitationsProjection;
  using projections::MembersProjection;
  auto members = node.engine().Active<MembersProjection>("members");
  auto invitations = node.engine().Active<InvitationsProjection>("invitations");
  auto access = node.engine().Active<AccessProjection>("access");
  std::vector<std::string> out;
  if (!members || !invitations || !access) return out;
  auto member = [](const projections::MemberView& m) {
    return std::to_string(m.joined_position) + " " + m.user_id + " " + m.role + " " +
           std::string(projections::MembershipStatusName(m.status)) + " " +
           std::to_string(m.last_login_us) + " " + std::to_string(m.last_active_us);
  };
  std::set<std::string> users;
  for (size_t i = 0; i < orgs; ++i) {
    const std::string org = "rb-" + std::to_string(i);
    for (bool former : {false, true}) {
      for (Position cursor = 0;;) {
        auto page = members->ListMembers(org, former, cursor, 7);
        for (const auto& m : page.members) {
          out.push_back(org + (former ? " all " : " active ") + member(m));
          users.insert(m.user_id);
        }
        if (page.next_cursor == 0) break;
        cursor = page.next_cursor;
      }
    }
    for (const auto& status :
         {std::optional<InvitationStatus>(), std::optional(InvitationStatus::kPending),
          std::optional(InvitationStatus::kExpired)}) {
      auto page = invitations->List(org, status, now_us, 0, 100000);
      for (const auto& v : page.invitations) {
        out.push_back(org + " invitation " + std::to_string(v.sent_position) + " " +
                      v.invitation_id + " " + std::string(InvitationStatusName(v.status)));
      }
    }
  }
  for (int64_t days : {-30, 0, 2, 5, 10, 30}) {
    std::string line = "overdue " + std::to_string(days) + ":";
    for (const auto& org : invitations->OrgsWithOverdueInvitations(now_us + days * 86'400'000'000))
      line += " " + org;
    out.push_back(line);
  }
  for (const std::string& user : users) {
    for (const auto& uo : members->OrganizationsOf(user)) {
      out.push_back(user + " in " + uo.org.org_id + ": " + member(uo.membership));
    }
    std::string ever = user + " ever:";
    for (const auto& org : access->OrgsEverOf(user)) ever += " " + org;
    out.push_back(ever);
    for (size_t i = 0; i < orgs; ++i) {
      const std::string org = "rb-" + std::to_string(i);
      for (Permission p : {Permission::kMembersInvite, Permission::kProjectsView}) {
        auto r = access->Check(org, user, p, std::nullopt);
        out.push_back(user + " " + org + " " + std::to_string(r.allowed) + " " + r.role + " " +
                      r.reason);
      }
    }
  }
  return out;
}

// Thousands of random commands through the command service, then the rows and answers of
// every model compared with a rebuild from scratch and with a restart.
void ProjectionsTest::ExpectRebuildEqualsIncremental() {
  Open();
  tools::workload::Workload load(node_->commands(),
                                 {.org_prefix = "rb", .orgs = 25, .seed = 20261123});
  ASSERT_TRUE(load.Setup().has_value());
  size_t accepted = 0, rejected = 0;
  for (int i = 0; i < 4000; ++i) {
    auto step = load.Step();
    ASSERT_TRUE(step.has_value()) << step.error().message;
    (step->accepted ? accepted : rejected)++;
    if (i % 500 == 499) {
      clock_.Advance(Days(3));  // let invitations expire and the sweeper record it
      auto swept = node_->sweeper()->SweepOnce();
      ASSERT_TRUE(swept.has_value()) << swept.error().code << ": " << swept.error().message;
    }
  }
  EXPECT_GT(accepted, 2500u);
  EXPECT_GT(rejected, 100u);
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  const auto incremental = DumpAll(*node_);
  ASSERT_EQ(incremental.size(), 5u);
  for (const auto& [name, rows] : incremental) EXPECT_FALSE(rows.empty()) << name;
  const int64_t now = ToMicros(clock_.Now());
  const auto answers = ModelAnswers(*node_, 25, now);
  EXPECT_GT(answers.size(), 1000u);

  ASSERT_TRUE(node_->engine().Rebuild({}).has_value());
  node_->engine().WaitForRebuilds();
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  EXPECT_EQ(DumpAll(*node_), incremental);
  EXPECT_EQ(ModelAnswers(*node_, 25, now), answers);
  for (const auto& s : node_->engine().Describe()) EXPECT_EQ(s.generation, 2u) << s.name;

  Reopen();  // loads the persisted rows back
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  EXPECT_EQ(DumpAll(*node_), incremental);
  EXPECT_EQ(ModelAnswers(*node_, 25, now), answers);
}

TEST_F(ProjectionsTest, RebuildFromScratchEqualsIncrementalAfterThousandsOfRandomCommands) {
  ExpectRebuildEqualsIncremental();
}

// The same with caches of about one organization (an active one): every model keeps evicting
// organizations and reading them back from its rows, live, after the rebuild and after the restart,
// and must answer exactly as a rebuild does.
TEST_F(ProjectionsTest, ModelsThatEvictOrganizationsAnswerWhatARebuildAnswers) {
  model_cache_bytes_ = 4 << 10;
  ExpectRebuildEqualsIncremental();
  for (const auto& s : node_->engine().Describe()) {
    if (!s.cache) continue;
    EXPECT_LT(s.cache->orgs, 25u) << s.name << ": nothing was evicted";
    EXPECT_GT(s.cache->misses, 25u) << s.name << ": organizations were not read back";
    EXPECT_LE(s.cache->bytes, s.cache->budget) << s.name;
  }
}

// A cached organization holds its active state: members who left long ago weigh nothing in
// memory, and are still listed, as they ended and with the activity they had, from the rows.
TEST_F(ProjectionsTest, MembersHoldActiveMembershipsInMemoryAndListFormerOnesFromTheirRows) {
  Open();
  auto create = [&](const std::string& org) {
    Exec(org, "olive",
         CreateOrganization{
             OrgId(org), org, "workspace", UserId("olive"), "olive@acme.test", "Olive", {}, {}});
  };
  auto join = [&](const std::string& org, const std::string& user) {
    auto invited = Exec(org, "olive", InviteMember{user + "@acme.test", user, "Member", ""});
    const auto& sent = std::get<InvitationSent>(invited.events.back());
    Exec(org, user, AcceptInvitation{sent.invitation_id, sent.token_hash, user + "@acme.test", ""});
  };
  constexpr int kMembers = 150;
  create("churn");
  for (int i = 0; i < kMembers; ++i) {
    const std::string user = "u" + std::to_string(i);
    join("churn", user);
    if (i % 10 == 0) {
      auto login = node_->commands().ExecuteActivity(
          OrgId("churn"), RecordLogin{"10.0.0.1", "test"},
          api::service::CommandContext{UserId(user), "", "", "test", {}});
      ASSERT_TRUE(login.has_value());
    }
    clock_.Advance(std::chrono::minutes(1));
    Exec("churn", "olive", RemoveMember{UserId(user)});
  }
  join("churn", "u0");  // a former member back: a new membership, the same activity row
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  auto members = node_->engine().Active<projections::MembersProjection>("members");
  ASSERT_TRUE(members);
  const size_t churn_bytes = members->cache_stats()->bytes;

  create("steady");
  for (int i = 0; i < kMembers; ++i) join("steady", "s" + std::to_string(i));
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  const size_t steady_bytes = members->cache_stats()->bytes - churn_bytes;
  // 2 active members against 151: memory follows the active members, not the memberships.
  EXPECT_LT(churn_bytes * 4, steady_bytes) << churn_bytes << " vs " << steady_bytes;

  auto listed = [&] {
    std::vector<std::string> out;
    for (Position cursor = 0;;) {
      auto page = node_->queries().ListMembers(OrgId("churn"), {}, true, cursor, 16, 0);
      EXPECT_TRUE(page.has_value());
      if (!page) return out;
      for (const auto& m : page->members) {
        out.push_back(m.user_id + " " + std::string(projections::MembershipStatusName(m.status)) +
                      " " + std::to_string(m.ended_at_us > m.joined_at_us) + " " +
                      std::to_string(m.last_login_us > 0));
      }
      if (page->next_cursor == 0) return out;
      cursor = page->next_cursor;
    }
  };
  const std::vector<std::string> former = listed();
  ASSERT_EQ(former.size(), kMembers + 2u);
  EXPECT_EQ(former[0], "olive active 0 0");
  EXPECT_EQ(former[1], "u0 removed 1 1");  // the login it had, from the activity row
  EXPECT_EQ(former[2], "u1 removed 1 0");
  EXPECT_EQ(former.back(), "u0 active 0 1");  // the same user's activity, now in memory
  Reopen();
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  EXPECT_EQ(listed(), former);
}

// The same for invitations: those that ended leave memory once written, and are still listed
// and found, as they ended, from their rows.
TEST_F(ProjectionsTest, InvitationsHoldPendingOnesInMemoryAndListEndedOnesFromTheirRows) {
  Open();
  auto invite_all = [&](const std::string& org, bool revoke) {
    Exec(org, "olive",
         CreateOrganization{
             OrgId(org), org, "workspace", UserId("olive"), "olive@acme.test", "Olive", {}, {}});
    for (int i = 0; i < 40; ++i) {
      auto invited = Exec(org, "olive",
                          InviteMember{"p" + std::to_string(i) + "@acme.test", "", "Member", ""});
      if (!revoke) continue;
      const auto& sent = std::get<InvitationSent>(invited.events.back());
      Exec(org, "olive", RevokeInvitation{sent.invitation_id});
    }
  };
  invite_all("answered", true);
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  auto invitations = node_->engine().Active<projections::InvitationsProjection>("invitations");
  ASSERT_TRUE(invitations);
  const size_t answered_bytes = invitations->cache_stats()->bytes;
  invite_all("asked", false);
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  const size_t asked_bytes = invitations->cache_stats()->bytes - answered_bytes;
  EXPECT_LT(answered_bytes * 2, asked_bytes) << answered_bytes << " vs " << asked_bytes;

  const int64_t now = ToMicros(clock_.Now());
  auto listed = [&](std::optional<InvitationStatus> status) {
    std::vector<std::string> out;
    for (Position cursor = 0;;) {
      auto page = invitations->List("answered", status, now, cursor, 16);
      for (const auto& v : page.invitations) {
        out.push_back(v.email + " " + std::string(InvitationStatusName(v.status)));
        auto found = invitations->Find("answered", v.invitation_id, now);
        EXPECT_TRUE(found && *found == v) << v.invitation_id;
      }
      if (page.next_cursor == 0) return out;
      cursor = page.next_cursor;
    }
  };
  const auto all = listed(std::nullopt);
  ASSERT_EQ(all.size(), 40u);
  EXPECT_EQ(all[0], "p0@acme.test revoked");
  EXPECT_EQ(all[39], "p39@acme.test revoked");
  EXPECT_EQ(listed(InvitationStatus::kRevoked), all);
  EXPECT_TRUE(listed(InvitationStatus::kPending).empty());
}

TEST_F(ProjectionsTest, ReadModelsAnswerWhatTheCommandsDid) {
  Open();
  Exec(
      "acme", "olive",
      CreateOrganization{
          OrgId("acme"), "Acme", "workspace", UserId("olive"), "olive@acme.test", "Olive", {}, {}});
  auto invited = Exec("acme", "olive", InviteMember{"ana@acme.test", "Ana", "Member", ""});
  const auto& sent = std::get<InvitationSent>(invited.events.back());
  Exec("acme", "ana", AcceptInvitation{sent.invitation_id, sent.token_hash, "ana@acme.test", ""});
  Exec("acme", "olive", CreateProject{ProjectId("web"), "Website"});
  Exec("acme", "olive", AddProjectMember{ProjectId("web"), UserId("client"), "Viewer"});
  auto last = Exec("acme", "olive", InviteMember{"bo@acme.test", "", "Member", ""});

  auto& q = node_->queries();
  auto members = q.ListMembers(OrgId("acme"), {}, false, 0, 10, last.position);
  ASSERT_TRUE(members.has_value());
  ASSERT_EQ(members->members.size(), 2u);
  EXPECT_EQ(members->members[1].user_id, "ana");
  EXPECT_EQ(members->members[1].role, "Member");

  auto orgs = q.OrganizationsOf(UserId("ana"), 0);
  ASSERT_TRUE(orgs.has_value());
  ASSERT_EQ(orgs->size(), 1u);
  EXPECT_EQ((*orgs)[0].org.name, "Acme");

  auto pending = q.Invitations(OrgId("acme"), InvitationStatus::kPending, 0, 10, 0);
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->invitations.size(), 1u);
  EXPECT_EQ(pending->invitations[0].email, "bo@acme.test");

  auto access = q.ProjectAccess(OrgId("acme"), ProjectId("web"), 0);
  ASSERT_TRUE(access.has_value());
  ASSERT_EQ(access->size(), 2u);  // olive inherits Owner, the client is a direct Viewer
  EXPECT_EQ((*access)[0].user_id, "client");
  EXPECT_EQ((*access)[0].access.source, AccessSource::kDirect);
  EXPECT_EQ((*access)[1].user_id, "olive");
  EXPECT_EQ((*access)[1].access.source, AccessSource::kInherited);

  auto check = q.Check(OrgId("acme"), UserId("client"), "resources.view", ProjectId("web"), 0);
  ASSERT_TRUE(check.has_value());
  EXPECT_TRUE(check->allowed);
  EXPECT_NE(check->reason.find("direct project role Viewer"), std::string::npos) << check->reason;
  auto denied = q.Check(OrgId("acme"), UserId("ana"), "resources.view", ProjectId("web"), 0);
  ASSERT_TRUE(denied.has_value());
  EXPECT_FALSE(denied->allowed);

  projections::ActivityFilter filter;
  filter.org = "acme";
  auto activity = q.Activity(filter, 100, 0);
  ASSERT_TRUE(activity.has_value());
  ASSERT_EQ(activity->entries.size(),
            8u);  // created, joined, sent, accepted, joined, project, added, sent
  EXPECT_EQ(activity->entries[0].action, "organization.created");
  filter.subject = "ana";
  auto about_ana = q.Activity(filter, 100, 0);
  ASSERT_TRUE(about_ana.has_value());
  ASSERT_EQ(about_ana->entries.size(), 1u);
  EXPECT_EQ(about_ana->entries[0].action, "member.joined");
  EXPECT_EQ(about_ana->entries[0].actor, "ana");

  // A transfer concerns both owners: filtering by either finds it.
  auto transfer = Exec("acme", "olive", TransferOwnership{UserId("ana"), ""});
  for (const std::string who : {"ana", "olive"}) {
    filter.subject = who;
    auto about = q.Activity(filter, 100, transfer.position);
    ASSERT_TRUE(about.has_value());
    ASSERT_FALSE(about->entries.empty()) << who;
    EXPECT_EQ(about->entries.back().action, "ownership.transferred") << who;
    EXPECT_EQ(about->entries.back().subject, "ana");
    EXPECT_EQ(about->entries.back().also_subject, "olive");
  }
  filter.subject = "bo@acme.test";
  auto about_bo = q.Activity(filter, 100, transfer.position);
  ASSERT_TRUE(about_bo.has_value());
  ASSERT_EQ(about_bo->entries.size(), 1u);
  EXPECT_EQ(about_bo->entries[0].action, "invitation.sent");

  // Deleting a project ends its direct members' access, and the log says so under their ids.
  auto deleted = Exec("acme", "ana", DeleteProject{ProjectId("web")});
  filter.subject = "client";
  auto about_client = q.Activity(filter, 100, deleted.position);
  ASSERT_TRUE(about_client.has_value());
  ASSERT_EQ(about_client->entries.size(), 2u);
  EXPECT_EQ(about_client->entries[0].action, "project.member_added");
  EXPECT_EQ(about_client->entries[1].action, "project.member_removed");
  EXPECT_EQ(about_client->entries[1].project, "web");
  EXPECT_EQ(about_client->entries[1].before, "Viewer");
  EXPECT_EQ(about_client->entries[1].after, "removed (project_deleted)");
  EXPECT_EQ(about_client->entries[1].actor, "ana");
  auto gone = q.ProjectAccess(OrgId("acme"), ProjectId("web"), deleted.position);
  EXPECT_FALSE(gone.has_value() && !gone->empty());
}

TEST_F(ProjectionsTest, ExpirySweepRecordsEachExpiredInvitationExactlyOnceAcrossRestarts) {
  Open();
  for (const std::string org : {"a", "b"}) {
    Exec(org, "o-" + org,
         CreateOrganization{
             OrgId(org), org, "api", UserId("o-" + org), "o@" + org + ".test", "", {}, {}});
  }
  for (int i = 0; i < 5; ++i) {
    Exec("a", "o-a", InviteMember{"x" + std::to_string(i) + "@a.test", "", "Viewer", ""});
  }
  for (int i = 0; i < 3; ++i) {
    Exec("b", "o-b", InviteMember{"y" + std::to_string(i) + "@b.test", "", "Developer", ""});
  }
  clock_.Advance(Days(6));
  Exec("b", "o-b", InviteMember{"late@b.test", "", "Developer", ""});  // expires a day later
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(10)).has_value());
  ASSERT_EQ(*node_->sweeper()->SweepOnce(), 0u) << "nothing is due yet";
  clock_.Advance(Days(1) + std::chrono::seconds(1));
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(10)).has_value());
  EXPECT_EQ(*node_->sweeper()->SweepOnce(), 8u);
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(10)).has_value());
  EXPECT_EQ(*node_->sweeper()->SweepOnce(), 0u);
  Reopen();
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(10)).has_value());
  EXPECT_EQ(*node_->sweeper()->SweepOnce(), 0u);
  clock_.Advance(Days(6));  // the late invitation was sent on day 6: it expires on day 13
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(10)).has_value());
  EXPECT_EQ(*node_->sweeper()->SweepOnce(), 1u);

  size_t expired = 0;
  auto records = node_->log().ReadAll(1, 10000);
  ASSERT_TRUE(records.has_value());
  for (const auto& r : *records) expired += r.type == "invitation.expired";
  EXPECT_EQ(expired, 9u);
  auto pending = node_->queries().Invitations(OrgId("b"), InvitationStatus::kExpired, 0, 10, 0);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->invitations.size(), 4u);
}

}  // namespace
}  // namespace roster::tests
