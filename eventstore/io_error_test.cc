// The I/O-error path: a RocksDB write fails (here: the file system answers "no space left" via
// testing::FaultInjection), the group's appends fail with kIoError, the store stops accepting
// writes with kStoreFailed, and reads keep working.
#include <gtest/gtest.h>

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

class IoErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.env = faults_.env();
    store_ = OpenOrDie(tmp_.path(), options);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(store_->Append(Request("s", ExpectedVersion::Any(), {Event("t")})));
    }
  }
  TempDir tmp_;
  testing::FaultInjection faults_;
  std::unique_ptr<RocksEventStore> store_;
};

TEST_F(IoErrorTest, AFailedWriteFailsTheAppendAndStopsTheStore) {
  faults_.FailWrites(true);
  auto failed = store_->Append(Request("s", ExpectedVersion::Any(), {Event("t")}));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kIoError);
  EXPECT_NE(failed.error().message.find("injected"), std::string::npos) << failed.error().message;

  // Even once the disk is fine again, the store refuses writes: its state is unknown.
  faults_.FailWrites(false);
  auto later = store_->Append(Request("t", ExpectedVersion::Any(), {Event("t")}));
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().code, ErrorCode::kStoreFailed);
  EXPECT_NE(later.error().message.find(failed.error().message), std::string::npos)
      << later.error().message;

  // Reads keep working and see only what was acknowledged.
  EXPECT_EQ(store_->LastPosition(), 3u);
  EXPECT_EQ(store_->ReadAll(1, 10)->size(), 3u);
  EXPECT_EQ(*store_->StreamHead("s"), 2);
  EXPECT_TRUE(store_->Verify(0, 0)->ok);
}

TEST_F(IoErrorTest, EveryAppendOfTheFailedGroupFailsAndReopeningRecovers) {
  // The next sync (the blocker's) succeeds, and the writer is held after it (commit listeners
  // run on the writer thread) until every thread below has started appending; the sync after,
  // which commits everything queued behind the blocker, fails.
  tests::Gate writer_gate;
  const uint64_t listener = store_->AddCommitListener([&](Position) { writer_gate.Pass(); });
  faults_.FailFromSyncAfter(2);
  writer_gate.Arm();
  std::thread blocker([&] {
    ASSERT_TRUE(store_->Append(Request("blocker", ExpectedVersion::Any(), {Event("t")})));
  });
  ASSERT_TRUE(writer_gate.WaitHeld());
  constexpr int kThreads = 6;
  std::vector<Result<AppendResult>> results(kThreads);
  std::vector<std::unique_ptr<tests::BlockingCall>> appends;
  for (int t = 0; t < kThreads; ++t) {
    appends.push_back(std::make_unique<tests::BlockingCall>([&, t] {
      results[t] = store_->Append(
          Request(testing::Numbered("g", t), ExpectedVersion::Any(), {Event("t"), Event("t")}));
    }));
  }
  // Each thread asleep inside Append has queued its request behind the held writer.
  for (auto& append : appends) ASSERT_TRUE(append->WaitUntilBlocked());
  writer_gate.Release();
  for (auto& append : appends) append->Join();
  blocker.join();
  store_->RemoveCommitListener(listener);
  // All of them queued into the failing group and got kIoError.
  int io_errors = 0;
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kIoError) << r.error().message;
    io_errors += r.error().code == ErrorCode::kIoError;
  }
  EXPECT_EQ(io_errors, kThreads);
  EXPECT_EQ(store_->LastPosition(), 4u);
  EXPECT_EQ(store_->Append(Request("s", ExpectedVersion::Any(), {Event("t")})).error().code,
            ErrorCode::kStoreFailed);

  // After a restart on a healthy disk the store opens, its chain verifies, and the failed
  // group is either wholly there (its bytes reached the WAL before the sync failed) or absent.
  store_.reset();
  faults_.FailWrites(false);
  auto reopened = OpenOrDie(tmp_.path());
  const Position last = reopened->LastPosition();
  EXPECT_TRUE(last == 4 || last == 4 + 2 * static_cast<Position>(io_errors)) << last;
  EXPECT_TRUE(reopened->Verify(0, 0)->ok);
  EXPECT_TRUE(reopened->Append(Request("s", ExpectedVersion::Exactly(2), {Event("t")})));
}

}  // namespace
}  // namespace roster::eventstore
