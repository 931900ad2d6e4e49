// Group commit on RocksDB, where a test can count and slow the WAL syncs through the fault
// environment: how few syncs and commits concurrent appends take. What every backend must do
// with a group (outcomes, rejections, Close) is in append_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <thread>

#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/fault_env.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"
#include "tests/support/waiting.h"

namespace roster::eventstore {
namespace {

using namespace std::chrono_literals;
using testing::Event;
using testing::OpenOrDie;
using testing::Request;
using testing::TempDir;

// Holds the writer after a commit (commit listeners run on the writer thread) so that
// requests made meanwhile queue up and are decided together in the next group: the test knows
// the writer is held, rather than sleeping while a slow sync is hoped to hold it.
class RocksGroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;  // sync on: the group commit is what these tests are about
    options.env = faults_.env();
    store_ = OpenOrDie(tmp_.path(), options);
    store_->AddCommitListener([this](Position) { writer_gate_.Pass(); });
  }
  void TearDown() override { writer_gate_.Open(); }
  // Starts an append and returns its thread once the writer is held right after committing it.
  std::thread OccupyWriter() {
    writer_gate_.Arm();
    std::thread blocker([this] {
      ASSERT_TRUE(store_->Append(Request("blocker", ExpectedVersion::Any(), {Event("t")})));
    });
    EXPECT_TRUE(writer_gate_.WaitHeld()) << "the blocker was never committed";
    return blocker;
  }

  TempDir tmp_;
  testing::FaultInjection faults_;
  tests::Gate writer_gate_;  // outlives the store, whose listener passes it
  std::unique_ptr<RocksEventStore> store_;
};

TEST_F(RocksGroupCommitTest, ConcurrentDuplicatesInOneGroupWriteOnce) {
  std::thread blocker = OccupyWriter();
  // Twelve retries of one command on stream "s", and one use of the same id on "other", all
  // queued behind the blocker: whichever the writer decides first wins the id; the rest of its
  // stream are duplicates of it, the other stream is refused. Order-independent on purpose.
  constexpr int kThreads = 13;
  std::vector<Result<AppendResult>> results(kThreads);
  std::latch entered(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      entered.count_down();
      results[t] =
          t == 0
              ? store_->Append(Request("other", ExpectedVersion::Any(), {Event("t")}, "same-cmd"))
              : store_->Append(Request("s", ExpectedVersion::NoStream(), {Event("t"), Event("t")},
                                       "same-cmd"));
    });
  }
  entered.wait();
  // A thread that counted down may still be on its way into the queue when the writer goes on:
  // a slow sync for the group lets any such straggler gather into one more group at most.
  faults_.DelaySyncs(300ms);
  writer_gate_.Release();
  for (auto& thread : threads) thread.join();
  blocker.join();
  faults_.DelaySyncs(0ms);

  const auto winner = std::find_if(results.begin(), results.end(),
                                   [](const auto& r) { return r && !r->duplicate; });
  ASSERT_NE(winner, results.end());
  const bool other_won = winner == results.begin();
  const Position written = other_won ? 1 : 2;
  for (int t = 0; t < kThreads; ++t) {
    const bool same_stream_as_winner = (t == 0) == other_won;
    if (same_stream_as_winner) {
      ASSERT_TRUE(results[t]) << results[t].error().message;
      EXPECT_EQ(results[t]->duplicate, &results[t] != &*winner);
      EXPECT_EQ(results[t]->first_position, 2u);
      EXPECT_EQ(results[t]->last_position, 1 + written);
    } else {
      ASSERT_FALSE(results[t]);
      EXPECT_EQ(results[t].error().code, ErrorCode::kCommandIdReused);
    }
  }
  EXPECT_EQ(store_->LastPosition(), 1 + written);
  // The blocker's commit, then one group for everything queued behind it (and stragglers).
  EXPECT_LE(store_->stats().commits, 3u);
}

TEST_F(RocksGroupCommitTest, ConcurrentDurableAppendsShareSyncs) {
  constexpr int kThreads = 32, kAppends = 10;
  const uint64_t syncs_before = faults_.syncs();
  // The first commit holds the writer until every thread has started appending, so their first
  // appends wait together: with group commit they share a sync, without it each takes its own.
  // How much the later rounds fold depends on the machine's timing, so only folding at all is
  // asserted.
  writer_gate_.Arm();
  std::latch entered(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      entered.count_down();
      for (int i = 0; i < kAppends; ++i) {
        ASSERT_TRUE(store_->Append(Request(testing::Numbered("s", t), ExpectedVersion::Any(),
                                           {Event("t", std::string(200, 'p'))})));
      }
    });
  }
  entered.wait();
  ASSERT_TRUE(writer_gate_.WaitHeld());
  writer_gate_.Release();
  for (auto& thread : threads) thread.join();
  const auto stats = store_->stats();
  EXPECT_EQ(stats.appends, uint64_t{kThreads * kAppends});
  EXPECT_LT(stats.commits, stats.appends) << "group commit should fold appends together";
  EXPECT_LT(faults_.syncs() - syncs_before, stats.appends);
}

}  // namespace
}  // namespace roster::eventstore
