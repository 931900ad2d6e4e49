// A rebuild on a failing disk: the rebuild writes its rows into SST files (bulk-<n>.sst) and
// ingests them; here writing one fails, is torn, or its sync fails, at the rebuild's first
// bulk load (an index model's intermediate checkpoint) or its last (the final rows, just
// before the swap). The rebuild is reported failed and ends (nothing says it is still
// running); an on-demand rebuild leaves the old generations serving what they served; a first
// build leaves its models unavailable with an error naming the failure. So does a Rebuild()
// that cannot write its building/ entries, or whose swap (one meta write) is torn. A restart on
// a healed disk completes the rebuild, equal to a rebuild from scratch.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/faults/node_fault_fixture.h"

namespace roster::tests {
namespace {

using eventstore::Position;

class RebuildFaultTest : public NodeFaultFixture, public ::testing::WithParamInterface<Fault> {
 protected:
  RebuildFaultTest() { view_faults_.OnlyFilesNamed("bulk-"); }

  // Writes or syncs of bulk files a rebuild of every projection makes, counted on a healthy
  // one: the log is not appended to meanwhile, so the next rebuild makes as many.
  uint64_t BulkIoOfARebuild() {
    const uint64_t before =
        GetParam() == Fault::kSyncFails ? view_faults_.syncs() : view_faults_.writes();
    EXPECT_TRUE(node_->engine().Rebuild({}).has_value());
    node_->engine().WaitForRebuilds();
    EXPECT_EQ(node_->engine().failure(), "");
    const uint64_t after =
        GetParam() == Fault::kSyncFails ? view_faults_.syncs() : view_faults_.writes();
    return after - before;
  }

  void Populate() {
    tools::workload::Workload load(node_->commands(), {.org_prefix = "rb", .orgs = 6, .seed = 21});
    ASSERT_TRUE(load.Setup().has_value());
    Drive(load, 600);
    ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  }

  // The rebuild has ended, reported as failed, and nothing claims it is still running.
  void ExpectRebuildFailed() {
    const std::string failure = node_->engine().failure();
    EXPECT_NE(failure.find("writing a rebuild"), std::string::npos) << failure;
    for (const auto& status : node_->engine().Describe()) {
      EXPECT_FALSE(status.building) << status.name;
    }
  }

  void OnDemandRebuildFailsAt(uint64_t nth_bulk_io) {
    const auto served = DumpAll(*node_);
    std::vector<uint64_t> generations;
    for (const auto& status : node_->engine().Describe()) generations.push_back(status.generation);

    Arm(view_faults_, GetParam(), nth_bulk_io);
    ASSERT_TRUE(node_->engine().Rebuild({}).has_value());
    node_->engine().WaitForRebuilds();
    ExpectRebuildFailed();
    // The old generations still serve, unchanged.
    const auto after = node_->engine().Describe();
    for (size_t i = 0; i < after.size(); ++i) {
      EXPECT_TRUE(after[i].ready) << after[i].name;
      EXPECT_EQ(after[i].generation, generations[i]) << after[i].name;
    }
    ExpectSameModels(DumpAll(*node_), served);
    const domain::OrgId org("rb-0");
    auto members = node_->queries().ListMembers(org, {}, false, 0, 10, 0);
    ASSERT_TRUE(members.has_value()) << members.error().message;
    EXPECT_FALSE(members->members.empty());

    // The restart resumes the interrupted rebuild into the same new generation.
    RestartHealed();
    EXPECT_EQ(node_->engine().failure(), "");
    const auto resumed = node_->engine().Describe();
    for (size_t i = 0; i < resumed.size(); ++i) {
      EXPECT_TRUE(resumed[i].ready) << resumed[i].name;
      EXPECT_FALSE(resumed[i].building) << resumed[i].name;
      EXPECT_EQ(resumed[i].generation, generations[i] + 1) << resumed[i].name;
    }
    ExpectSameModels(DumpAll(*node_), served);
    ExpectEqualsRebuildFromScratch();
  }
};

TEST_P(RebuildFaultTest, AnOnDemandRebuildFailingAtItsFirstBulkLoadLeavesTheOldTablesServing) {
  Open();
  Populate();
  OnDemandRebuildFailsAt(1);
}

TEST_P(RebuildFaultTest, AnOnDemandRebuildFailingAtItsLastBulkLoadLeavesTheOldTablesServing) {
  Open();
  Populate();
  const uint64_t bulk_io = BulkIoOfARebuild();
  ASSERT_GT(bulk_io, 5u) << "expected several bulk loads";
  OnDemandRebuildFailsAt(bulk_io);
}

TEST_P(RebuildFaultTest, AFirstBuildThatFailsLeavesItsModelsUnavailableUntilARestart) {
  Open();
  Populate();
  const auto incremental = DumpAll(*node_);
  // The read models are lost (or were never built for this log): the next start builds them.
  Close();
  std::filesystem::remove_all(dir_.path() / "views");
  Arm(view_faults_, GetParam(), 1);
  Open();
  ExpectRebuildFailed();
  const domain::OrgId org("rb-0");
  for (const Position token : {Position{0}, node_->log().LastPosition()}) {
    auto members = node_->queries().ListMembers(org, {}, false, 0, 10, token);
    ASSERT_FALSE(members.has_value());
    EXPECT_EQ(members.error().code, "UNAVAILABLE");
    EXPECT_NE(members.error().message.find("writing a rebuild"), std::string::npos)
        << members.error().message;
  }
  for (const auto& status : node_->engine().Describe()) EXPECT_FALSE(status.ready) << status.name;

  RestartHealed();
  EXPECT_EQ(node_->engine().failure(), "");
  ExpectSameModels(DumpAll(*node_), incremental);
  ExpectEqualsRebuildFromScratch();
}

// The views database's WAL fails while Rebuild() records, projection by projection, which
// generations it is about to build: the request fails and nothing is left claiming to build.
class RebuildStartFaultTest : public NodeFaultFixture {
 protected:
  RebuildStartFaultTest() { view_faults_.OnlyFilesNamed(".log"); }
};

TEST_F(RebuildStartFaultTest, ARebuildThatCannotBeginLeavesNothingBuilding) {
  Open();
  tools::workload::Workload load(node_->commands(), {.org_prefix = "rs", .orgs = 3, .seed = 5});
  ASSERT_TRUE(load.Setup().has_value());
  Drive(load, 100);
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  const auto served = DumpAll(*node_);

  // The first projection's building/ entry is written, the second's is not.
  view_faults_.FailFromWriteAfter(2);
  auto started = node_->engine().Rebuild({});
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message.find("injected"), std::string::npos) << started.error().message;
  for (const auto& status : node_->engine().Describe()) {
    EXPECT_FALSE(status.building) << status.name;
    EXPECT_TRUE(status.ready) << status.name;
  }

  // The restart finishes what was begun, and every model is whole.
  RestartHealed();
  EXPECT_EQ(node_->engine().failure(), "");
  ExpectSameModels(DumpAll(*node_), served);
  ExpectEqualsRebuildFromScratch();
}

TEST_F(RebuildStartFaultTest, ARebuildWhoseSwapIsTornKeepsTheOldGenerationsUntilARestart) {
  Open();
  tools::workload::Workload load(node_->commands(), {.org_prefix = "rw", .orgs = 3, .seed = 6});
  ASSERT_TRUE(load.Setup().has_value());
  Drive(load, 100);
  ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
  const auto served = DumpAll(*node_);
  // A healthy rebuild writes the views' WAL only for its building/ entries and, last, the
  // swap; with no command arriving meanwhile, the next rebuild writes as many.
  const uint64_t before = view_faults_.writes();
  ASSERT_TRUE(node_->engine().Rebuild({}).has_value());
  node_->engine().WaitForRebuilds();
  const uint64_t swap = view_faults_.writes() - before;
  ASSERT_EQ(node_->engine().failure(), "");

  view_faults_.FailFromWriteAfter(swap, FaultInjection::Write::kTorn);
  ASSERT_TRUE(node_->engine().Rebuild({}).has_value());
  node_->engine().WaitForRebuilds();
  const std::string failure = node_->engine().failure();
  EXPECT_NE(failure.find("switching to rebuilt projections"), std::string::npos) << failure;
  for (const auto& status : node_->engine().Describe()) {
    EXPECT_FALSE(status.building) << status.name;
    EXPECT_EQ(status.generation, 2u) << status.name;
  }
  ExpectSameModels(DumpAll(*node_), served);

  // The new generation's rows were ingested before the swap failed: the restart resumes from
  // them and swaps.
  RestartHealed();
  EXPECT_EQ(node_->engine().failure(), "");
  for (const auto& status : node_->engine().Describe()) {
    EXPECT_EQ(status.generation, 3u) << status.name;
  }
  ExpectSameModels(DumpAll(*node_), served);
  ExpectEqualsRebuildFromScratch();
}

INSTANTIATE_TEST_SUITE_P(Faults, RebuildFaultTest,
                         ::testing::Values(Fault::kWriteFails, Fault::kTornWrite,
                                           Fault::kSyncFails),
                         FaultName);

}  // namespace
}  // namespace roster::tests
