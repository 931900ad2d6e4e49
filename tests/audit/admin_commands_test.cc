// roster-admin's commands on a year of generated history: verify (intact and tampered),
// as-of at times between changes against live snapshots, history against the online query,
// stats, dump, and rebuild (refused while the directory is held, then done).
#include <gtest/gtest.h>

#include "api/service/audit_queries.h"
#include "api/wire/time.h"
#include "eventstore/testing/raw_rocks.h"
#include "tests/audit/year_fixture.h"

namespace roster::tests {
namespace {

using tools::admin::Streams;

class AdminCommandsTest : public YearFixture {};

TEST_F(AdminCommandsTest, VerifyPassesThenNamesTheFirstAlteredPosition) {
  ASSERT_GT(last_, 1000u);
  {
    Captured c;
    EXPECT_EQ(tools::admin::RunVerify(dir_.path(), c.io), 0) << c.err.str();
    EXPECT_NE(c.out.str().find("verify: ok, " + std::to_string(last_) + " records"),
              std::string::npos)
        << c.out.str();
  }
  Close();
  const eventstore::Position bad = last_ / 2;
  {
    eventstore::testing::RawRocks raw(dir_.path() / "log");
    const std::string key = eventstore::testing::RawRocks::LogKey(bad);
    std::string value = *raw.Get("log", key);
    value[value.size() - 70] ^= 1;  // a payload byte, just before prev_hash and hash
    raw.Put("log", key, value);
  }
  Captured c;
  EXPECT_EQ(tools::admin::RunVerify(dir_.path(), c.io), 1);
  EXPECT_NE(c.out.str().find("BROKEN at position " + std::to_string(bad)), std::string::npos)
      << c.out.str();
}

TEST_F(AdminCommandsTest, AsOfBetweenChangesMatchesWhatTheLiveViewShowedThen) {
  ASSERT_GE(snapshots_.size(), 10u);
  eventstore::codec::EventCodec codec;
  for (const auto& [at, snapshot] : snapshots_) {
    for (const auto& [org, members] : snapshot) {
      auto replayed =
          api::service::OrganizationAsOf(node_->log(), codec, domain::OrgId(org), {0, at});
      ASSERT_TRUE(replayed.has_value()) << replayed.error().message;
      std::map<std::string, std::string> got;
      for (const auto& m : replayed->members) got[m.user_id.value] = m.role;
      EXPECT_EQ(got, members) << org << " at " << api::wire::FormatTime(at);
    }
  }
  // The command prints the same members, one line each.
  const auto& [at, snapshot] = *snapshots_.rbegin();
  const auto& [org, members] = *snapshot.begin();
  Close();
  Captured c;
  ASSERT_EQ(tools::admin::RunAsOf(dir_.path(), org, {0, at}, c.io), 0) << c.err.str();
  const std::string text = c.out.str();
  EXPECT_NE(text.find("members (" + std::to_string(members.size()) + "):"), std::string::npos)
      << text;
  for (const auto& [user, role] : members) {
    EXPECT_NE(text.find("  " + user + "  "), std::string::npos) << user;
    EXPECT_NE(text.find("role=" + role), std::string::npos) << role;
  }
  EXPECT_NE(text.find("pending invitations ("), std::string::npos);
  EXPECT_NE(text.find("projects ("), std::string::npos);
  EXPECT_NE(text.find("roles ("), std::string::npos);
}

// The same points named by log position instead of time, and each member's own access then.
TEST_F(AdminCommandsTest, AsOfByPositionAndUserAccessAgreeWithTheSnapshots) {
  eventstore::codec::EventCodec codec;
  size_t checked = 0;
  for (const auto& [at, snapshot] : snapshots_) {
    for (const auto& [org, members] : snapshot) {
      auto by_time =
          api::service::OrganizationAsOf(node_->log(), codec, domain::OrgId(org), {0, at});
      ASSERT_TRUE(by_time.has_value()) << by_time.error().message;
      // The last record replayed for that org; later records of other orgs change nothing.
      auto by_position = api::service::OrganizationAsOf(node_->log(), codec, domain::OrgId(org),
                                                        {by_time->at.position, std::nullopt});
      ASSERT_TRUE(by_position.has_value()) << by_position.error().message;
      std::map<std::string, std::string> got;
      for (const auto& m : by_position->members) got[m.user_id.value] = m.role;
      EXPECT_EQ(got, members) << org << " at position " << by_time->at.position;
      // One position earlier the org's last change before that point is not yet applied.
      if (by_time->at.position > 1) {
        auto before = api::service::OrganizationAsOf(node_->log(), codec, domain::OrgId(org),
                                                     {by_time->at.position - 1, std::nullopt});
        if (before) {
          EXPECT_LT(before->at.position, by_time->at.position);
        }
      }
      for (const auto& [user, role] : members) {
        EXPECT_EQ(projections::AccessOf(by_time->at.state, domain::UserId(user)).role, role)
            << user << " in " << org;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 20u);
}

TEST_F(AdminCommandsTest, HistoryEqualsTheOnlineQuery) {
  // The owner of the first organization has a history in it from day one.
  const std::string org = workload_->org_ids().front();
  auto members =
      node_->queries().ListMembers(domain::OrgId(org), api::service::Viewer{}, true, 0, 1000, 0);
  ASSERT_TRUE(members.has_value());
  size_t checked = 0;
  for (const auto& m : members->members) {
    auto online = node_->queries().UserHistory(domain::UserId(m.user_id), {});
    ASSERT_TRUE(online.has_value());
    ASSERT_FALSE(online->empty());
    if (checked++ > 3) continue;
    Captured c;
    // The node holds the directory; history opens the log read-only beside it.
    ASSERT_EQ(tools::admin::RunHistory(dir_.path(), m.user_id, {}, c.io), 0) << c.err.str();
    const std::string text = c.out.str();
    EXPECT_NE(text.find("(" + std::to_string(online->size()) + " changes)"), std::string::npos)
        << text;
    size_t at = 0;
    for (const auto& h : *online) {  // in the same order
      at = text.find("#" + std::to_string(h.position) + "  ", at);
      ASSERT_NE(at, std::string::npos) << h.position;
    }
  }
  EXPECT_GT(checked, 2u);
}

TEST_F(AdminCommandsTest, StatsAndDump) {
  Captured c;
  ASSERT_EQ(tools::admin::RunStats(dir_.path(), c.io), 0) << c.err.str();
  const std::string text = c.out.str();
  EXPECT_NE(text.find("records: " + std::to_string(last_) + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("organizations: 4 "), std::string::npos) << text;
  EXPECT_NE(text.find("members: version 1, position " + std::to_string(last_) + ", lag 0"),
            std::string::npos)
      << text;
  Captured d;
  ASSERT_EQ(tools::admin::RunDump(dir_.path(), 10, 3, d.io), 0);
  const std::string dump = d.out.str();
  EXPECT_EQ(dump.find("#10 2026-01-01T"), 0u) << dump;
  EXPECT_NE(dump.find("\n#11 "), std::string::npos);
  EXPECT_NE(dump.find("\n#12 "), std::string::npos);
  EXPECT_EQ(dump.find("\n#13 "), std::string::npos);
}

TEST_F(AdminCommandsTest, RebuildIsRefusedWhileHeldThenRebuildsTheSameRows) {
  {
    Captured c;
    EXPECT_EQ(tools::admin::RunRebuild(dir_.path(), {}, c.io), 2);
    EXPECT_NE(c.err.str().find("in use"), std::string::npos) << c.err.str();
  }
  const auto before = DumpAll(*node_);
  Close();
  Captured c;
  ASSERT_EQ(tools::admin::RunRebuild(dir_.path(), {}, c.io), 0) << c.err.str();
  EXPECT_NE(c.out.str().find("events/s"), std::string::npos) << c.out.str();
  EXPECT_NE(c.out.str().find("members (version 1, generation 2"), std::string::npos) << c.out.str();
  Open();
  EXPECT_EQ(DumpAll(*node_), before);
}

}  // namespace
}  // namespace roster::tests
