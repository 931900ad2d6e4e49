// Subscriptions and commit listeners. Part of the event log's test suite: runs against every
// backend.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "eventstore/testing/log_backend.h"
#include "eventstore/testing/store_helpers.h"
#include "tests/support/waiting.h"

namespace roster::eventstore {
namespace {

using namespace std::chrono_literals;
using testing::Event;
using testing::Request;

class SubscriptionTest : public testing::LogTest {
 protected:
  void SetUp() override {
    LogTest::SetUp();
    store_ = log_.get();
  }
  void AppendN(int n, const std::string& stream) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(store_->Append(Request(stream, ExpectedVersion::Any(), {Event("t")})));
    }
  }
  EventLog* store_ = nullptr;
};

TEST_P(SubscriptionTest, CatchesUpThenDeliversLiveAppendsOnceInOrder) {
  AppendN(100, "before");
  auto sub = *store_->Subscribe(0);
  constexpr int kWriters = 4, kEach = 400, kPerAppend = 3;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        ASSERT_TRUE(store_->Append(Request(testing::Numbered("w", w), ExpectedVersion::Any(),
                                           std::vector<NewEvent>(kPerAppend, Event("t")))));
      }
    });
  }
  const Position total = 100 + kWriters * kEach * kPerAppend;
  std::vector<Record> seen;
  while (seen.size() < total) {
    auto batch = sub->Next(64, tests::kGenerousTimeout);
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_FALSE(batch->empty()) << "no record in time at position " << sub->position();
    EXPECT_LE(batch->size(), 64u);
    seen.insert(seen.end(), batch->begin(), batch->end());
  }
  for (auto& writer : writers) writer.join();
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i].position, i + 1);
  EXPECT_EQ(sub->position(), total);
  EXPECT_EQ(seen, *store_->ReadAll(1, total));
  EXPECT_TRUE(sub->Next(10, 10ms)->empty());
}

TEST_P(SubscriptionTest, StartsAfterTheGivenPosition) {
  AppendN(10, "s");
  auto sub = *store_->Subscribe(7);
  auto batch = *sub->Next(100, 0ms);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.front().position, 8u);
}

TEST_P(SubscriptionTest, NextTimesOutWithNothingNew) {
  auto sub = *store_->Subscribe(0);
  const auto start = std::chrono::steady_clock::now();
  auto batch = sub->Next(10, 40ms);
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 35ms);
}

TEST_P(SubscriptionTest, AnAppendWakesABlockedNext) {
  auto sub = *store_->Subscribe(0);
  Result<std::vector<Record>> batch;
  std::chrono::steady_clock::duration took{};
  tests::BlockingCall reader([&] {
    const auto start = std::chrono::steady_clock::now();
    batch = sub->Next(10, tests::kGenerousTimeout);
    took = std::chrono::steady_clock::now() - start;
  });
  ASSERT_TRUE(reader.WaitUntilBlocked());
  AppendN(1, "s");
  reader.Join();
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_LT(took, tests::kGenerousTimeout) << "not woken by the append";
}

TEST_P(SubscriptionTest, AnUnlimitedTimeoutStillWakesOnAppend) {
  auto sub = *store_->Subscribe(0);
  Result<std::vector<Record>> batch;
  tests::BlockingCall reader([&] { batch = sub->Next(10, std::chrono::milliseconds::max()); });
  ASSERT_TRUE(reader.WaitUntilBlocked());
  AppendN(1, "s");
  reader.Join();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->size(), 1u);
  EXPECT_EQ(*store_->WaitForPosition(1, std::chrono::milliseconds::max()), 1u);
}

TEST_P(SubscriptionTest, CloseWakesABlockedNext) {
  auto sub = *store_->Subscribe(0);
  Result<std::vector<Record>> batch;
  tests::BlockingCall reader([&] { batch = sub->Next(10, tests::kGenerousTimeout); });
  ASSERT_TRUE(reader.WaitUntilBlocked());
  sub->Close();
  reader.Join();
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().code, ErrorCode::kClosed);
  EXPECT_EQ(sub->Next(10, 0ms).error().code, ErrorCode::kClosed);
}

TEST_P(SubscriptionTest, ClosingTheStoreWakesSubscriptions) {
  auto sub = *store_->Subscribe(0);
  Result<std::vector<Record>> batch;
  tests::BlockingCall reader([&] { batch = sub->Next(10, tests::kGenerousTimeout); });
  ASSERT_TRUE(reader.WaitUntilBlocked());
  backend_->Close(*store_);
  reader.Join();
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().code, ErrorCode::kClosed);
}

TEST_P(SubscriptionTest, CommitListenersSeeEveryCommitUntilRemoved) {
  std::atomic<Position> last_seen{0};
  std::atomic<int> calls{0};
  const uint64_t id = store_->AddCommitListener([&](Position p) {
    EXPECT_GT(p, last_seen.load());
    last_seen = p;
    ++calls;
  });
  AppendN(5, "s");
  EXPECT_EQ(last_seen.load(), 5u);
  EXPECT_EQ(calls.load(), 5);
  store_->RemoveCommitListener(id);
  AppendN(1, "s");
  EXPECT_EQ(calls.load(), 5);
}

ROSTER_INSTANTIATE_LOG_SUITE(SubscriptionTest);

}  // namespace
}  // namespace roster::eventstore
