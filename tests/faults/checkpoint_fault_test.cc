// A projection checkpoint on a failing disk: the views database's write of a live batch (every
// projection's rows and checkpoints in one atomic batch) fails, is torn, or follows a failed
// flush. The engine reports the failure and stops advancing; queries that wait for a position
// answer UNAVAILABLE while the others answer; the log keeps taking commands. After a restart on
// a healed disk every projection resumes from its last whole checkpoint and equals a rebuild
// from scratch.
#include <gtest/gtest.h>

#include "tests/faults/node_fault_fixture.h"

namespace roster::tests {
namespace {

using eventstore::Position;

class CheckpointFaultTest : public NodeFaultFixture, public ::testing::WithParamInterface<Fault> {
 protected:
  CheckpointFaultTest() {
    // The views database's WAL, which a live batch is written to. A sync fault hits the files
    // a flush writes instead (the live loop does not sync), and the live batch after it.
    if (GetParam() != Fault::kSyncFails) view_faults_.OnlyFilesNamed(".log");
  }
};

TEST_P(CheckpointFaultTest, TheEngineStopsAtACheckpointAndARestartResumesFromIt) {
  Open();
  tools::workload::Workload load(node_->commands(), {.org_prefix = "cp", .orgs = 6, .seed = 11});
  ASSERT_TRUE(load.Setup().has_value());
  Drive(load, 200);
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());

  Arm(view_faults_, GetParam(), 1);
  if (GetParam() == Fault::kSyncFails) {
    // As a background flush would: RocksDB then refuses every later write.
    EXPECT_FALSE(node_->views().Flush({}).has_value());
  }
  // The log is healthy: commands keep being accepted, and the live loop's next write fails.
  Drive(load, 100);
  ASSERT_TRUE(WaitUntil([&] { return !node_->engine().failure().empty(); }))
      << "the engine never noticed its write failing";
  const std::string failure = node_->engine().failure();
  EXPECT_NE(failure.find("writing projections"), std::string::npos) << failure;

  // It stays at the checkpoint it last wrote, short of the log.
  const Position last = node_->log().LastPosition();
  const auto stopped = node_->engine().Describe();
  Drive(load, 20);
  ASSERT_LT(last, node_->log().LastPosition());
  for (const auto& status : node_->engine().Describe()) {
    EXPECT_TRUE(status.ready) << status.name;
    EXPECT_LT(status.position, last) << status.name;
    for (const auto& before : stopped) {
      if (before.name == status.name) {
        EXPECT_EQ(status.position, before.position) << status.name;
      }
    }
  }
  // A query that waits for a position the engine will not reach is refused at once, saying why;
  // one without a consistency token answers from what the models hold.
  const domain::OrgId org(load.org_ids().front());
  auto waiting = node_->queries().ListMembers(org, {}, false, 0, 10, last);
  ASSERT_FALSE(waiting.has_value());
  EXPECT_EQ(waiting.error().code, "UNAVAILABLE");
  EXPECT_NE(waiting.error().message.find("writing projections"), std::string::npos)
      << waiting.error().message;
  auto now = node_->queries().ListMembers(org, {}, false, 0, 10, 0);
  ASSERT_TRUE(now.has_value()) << now.error().message;
  EXPECT_FALSE(now->members.empty());

  RestartHealed();
  EXPECT_EQ(node_->engine().failure(), "");
  ExpectEqualsRebuildFromScratch();
  // And the restarted engine follows new commands.
  tools::workload::Workload more(node_->commands(), {.org_prefix = "cq", .orgs = 2, .seed = 12});
  ASSERT_TRUE(more.Setup().has_value());
  Drive(more, 50);
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  for (const auto& status : node_->engine().Describe()) {
    EXPECT_EQ(status.position, node_->log().LastPosition()) << status.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, CheckpointFaultTest,
                         ::testing::Values(Fault::kWriteFails, Fault::kTornWrite,
                                           Fault::kSyncFails),
                         FaultName);

}  // namespace
}  // namespace roster::tests
