#include "eventstore/internal/commit_linger.h"

#include <gtest/gtest.h>

namespace roster::eventstore::internal {
namespace {

using namespace std::chrono_literals;

TEST(CommitLingerTest, ALoneCallerIsTheWholeTarget) {
  CommitLinger linger;
  linger.OnCommit(/*answered=*/1, /*queued=*/0, 400us);
  EXPECT_EQ(linger.target(), 1u);  // the writer wakes as soon as it is back: no added latency
}

TEST(CommitLingerTest, TheTargetIsEveryActiveCaller) {
  CommitLinger linger;
  linger.OnCommit(32, 31, 400us);
  EXPECT_EQ(linger.target(), 63u);
}

TEST(CommitLingerTest, TheBudgetIsHalfTheWriteTimeAndCapped) {
  CommitLinger linger;
  linger.OnCommit(8, 0, 400us);
  EXPECT_EQ(linger.budget(), 200us);
  CommitLinger slow_disk;
  slow_disk.OnCommit(8, 0, 50ms);
  EXPECT_EQ(slow_disk.budget(), CommitLinger::kMaxBudget);
  // A group that wrote nothing (all duplicates or conflicts) does not reset the estimate.
  linger.OnCommit(8, 0, 0us);
  EXPECT_EQ(linger.budget(), 200us);
}

TEST(CommitLingerTest, TimeoutsShrinkTheBudgetAndProbesRestoreIt) {
  CommitLinger linger;
  uint64_t commits = 0;
  const auto commit = [&] {
    linger.OnCommit(8, 0, 400us);
    ++commits;
  };
  commit();
  for (int i = 0; i < 10; ++i) linger.OnWait(false);  // callers with long think times
  EXPECT_EQ(linger.budget(), 0us);
  while (commits % CommitLinger::kProbeEvery != CommitLinger::kProbeEvery - 1) commit();
  EXPECT_EQ(linger.budget(), 0us);
  commit();  // the probe
  EXPECT_EQ(linger.budget(), 200us);
}

TEST(CommitLingerTest, ReachingTheTargetGrowsTheBudgetBackToTheCap) {
  CommitLinger linger;
  linger.OnCommit(8, 0, 400us);
  linger.OnWait(false);
  linger.OnWait(false);
  EXPECT_EQ(linger.budget(), 50us);
  linger.OnWait(true);
  EXPECT_EQ(linger.budget(), 100us);
  linger.OnWait(true);
  linger.OnWait(true);
  EXPECT_EQ(linger.budget(), 200us);
}

}  // namespace
}  // namespace roster::eventstore::internal
