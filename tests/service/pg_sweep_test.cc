// The invitation expiry sweep with several nodes on one log on PostgreSQL: one node at a time
// holds the sweep (a PostgreSQL advisory lock), another takes over once the holder is gone,
// and sweeps that do run on two nodes at once still record each expiry once.
#include <gtest/gtest.h>

#include <thread>

#include "eventstore/postgres/testing/pg_backend.h"
#include "tests/service/node_fixture.h"

namespace roster::tests {
namespace {

using namespace domain;
namespace pg_testing = eventstore::postgres::testing;

class PgSweepTest : public ::testing::Test {
 protected:
  std::unique_ptr<api::service::Node> OpenNode(const std::string& name) {
    api::service::NodeOptions options;
    options.log_url = pg_testing::SharedServer().conninfo();
    options.pg.schema = schema_;
    options.store.sync = false;
    options.run_sweeper = false;  // the tests turn the sweeper's handle themselves
    auto node = api::service::Node::Open(dir_.path() / name, clock_, logger_, options);
    EXPECT_TRUE(node.has_value()) << node.error().message;
    if (!node) return nullptr;
    (*node)->engine().WaitForRebuilds();
    return std::move(*node);
  }

  uint64_t Exec(api::service::Node& node, const std::string& org, const std::string& actor,
                Command command) {
    auto outcome =
        node.commands().Execute(OrgId(org), std::move(command),
                                api::service::CommandContext{UserId(actor), "", "", "t", {}});
    EXPECT_TRUE(outcome.has_value() && outcome->accepted())
        << (outcome ? "rejected" : outcome.error().message);
    return outcome ? outcome->position : 0;
  }

  // `count` invitations in each of `orgs` new organizations, made on `node`; the last position.
  uint64_t Invite(api::service::Node& node, const std::string& prefix, int orgs, int count) {
    uint64_t last = 0;
    for (int o = 0; o < orgs; ++o) {
      const std::string org = prefix + std::to_string(o);
      Exec(node, org, "owner",
           CreateOrganization{OrgId(org), org, "api", UserId("owner"), "o@x.test", "", {}, {}});
      for (int i = 0; i < count; ++i) {
        last = Exec(node, org, "owner",
                    InviteMember{"u" + std::to_string(i) + "@x.test", "", "Viewer", ""});
      }
    }
    return last;
  }

  // The node's read models have everything up to `position` (another node's, through NOTIFY).
  void CaughtUp(api::service::Node& node, uint64_t position) {
    auto reached = node.log().WaitForPosition(position, std::chrono::seconds(30));
    ASSERT_TRUE(reached.has_value() && *reached >= position);
    ASSERT_TRUE(node.engine().CatchUp(std::chrono::seconds(30)).has_value());
  }

  size_t ExpiredInLog(api::service::Node& node) {
    size_t expired = 0;
    auto records = node.log().ReadAll(1, 100000);
    EXPECT_TRUE(records.has_value());
    if (records) {
      for (const auto& r : *records) expired += r.type == "invitation.expired";
    }
    return expired;
  }

  eventstore::testing::TempDir dir_{"roster-pg-sweep"};
  std::string schema_ = pg_testing::FreshSchema();
  ManualClock clock_{Jan2026()};
  std::shared_ptr<spdlog::logger> logger_ = QuietLogger();
};

TEST_F(PgSweepTest, OneNodeAtATimeHoldsTheSweepAndAnotherTakesOverWhenItGoes) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  const uint64_t last = Invite(*a, "first", 2, 3);
  clock_.Advance(Days(8));
  CaughtUp(*a, last);
  CaughtUp(*b, last);

  auto swept_a = a->sweeper()->SweepIfHeld();
  ASSERT_TRUE(swept_a.has_value()) << swept_a.error().message;
  ASSERT_TRUE(swept_a->has_value()) << "the first node to ask holds the sweep";
  EXPECT_EQ(**swept_a, 6u);
  auto swept_b = b->sweeper()->SweepIfHeld();
  ASSERT_TRUE(swept_b.has_value()) << swept_b.error().message;
  EXPECT_FALSE(swept_b->has_value()) << "another node holds it";
  // Still held by A on its next turn.
  auto again_a = a->sweeper()->SweepIfHeld();
  ASSERT_TRUE(again_a.has_value() && again_a->has_value());
  EXPECT_EQ(**again_a, 0u);

  // A goes away (its session ends, the server releases the lock): B sweeps from now on.
  a.reset();
  const uint64_t later = Invite(*b, "second", 1, 4);
  clock_.Advance(Days(8));
  CaughtUp(*b, later);
  auto took_over = b->sweeper()->SweepIfHeld();
  ASSERT_TRUE(took_over.has_value()) << took_over.error().message;
  ASSERT_TRUE(took_over->has_value()) << "B takes the sweep over";
  EXPECT_EQ(**took_over, 4u);
  EXPECT_EQ(ExpiredInLog(*b), 10u);
}

// The lock only saves work: two nodes sweeping at once (as two holders could, for a moment,
// when one's session died unnoticed) still record each expiry once, since each organization's
// aggregate decides, and a stale one is caught by the expected version.
TEST_F(PgSweepTest, SweepsOnTwoNodesAtOnceRecordEachExpiryOnce) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  const uint64_t last = Invite(*a, "org", 6, 5);
  // B caches every organization's aggregate at the version before the sweep.
  for (int o = 0; o < 6; ++o) ASSERT_TRUE(b->commands().State(OrgId("org" + std::to_string(o))));
  clock_.Advance(Days(8));
  CaughtUp(*a, last);
  CaughtUp(*b, last);
  api::service::Result<size_t> on_a = 0, on_b = 0;
  std::thread ta([&] { on_a = a->sweeper()->SweepOnce(); });
  std::thread tb([&] { on_b = b->sweeper()->SweepOnce(); });
  ta.join();
  tb.join();
  ASSERT_TRUE(on_a.has_value()) << on_a.error().message;
  ASSERT_TRUE(on_b.has_value()) << on_b.error().message;
  EXPECT_EQ(*on_a + *on_b, 30u);
  EXPECT_EQ(ExpiredInLog(*a), 30u);
}

}  // namespace
}  // namespace roster::tests
