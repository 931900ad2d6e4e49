// The read paths: the whole log, one stream, heads, the last position, waiting for a position.
// Part of the event log's test suite: runs against every backend.
#include <gtest/gtest.h>

#include <thread>

#include "eventstore/testing/log_backend.h"
#include "eventstore/testing/store_helpers.h"
#include "tests/support/waiting.h"

namespace roster::eventstore {
namespace {

using namespace std::chrono_literals;
using testing::Event;
using testing::Request;

class ReadTest : public testing::LogTest {
 protected:
  void SetUp() override {
    LogTest::SetUp();
    store_ = log_.get();
    // 100 records: stream "s" gets every third one, "o" the rest.
    for (int i = 0; i < 100; ++i) {
      const std::string stream = i % 3 == 0 ? "s" : "o";
      ASSERT_TRUE(store_->Append(
          Request(stream, ExpectedVersion::Any(), {Event("t", "payload-" + std::to_string(i))})));
    }
  }
  EventLog* store_ = nullptr;
};

TEST_P(ReadTest, ReadAllReturnsDenseBatchesInOrder) {
  std::vector<Record> all;
  for (Position from = 1;;) {
    auto batch = store_->ReadAll(from, 30);
    ASSERT_TRUE(batch) << batch.error().message;
    if (batch->empty()) break;
    EXPECT_LE(batch->size(), 30u);
    from = batch->back().position + 1;
    all.insert(all.end(), batch->begin(), batch->end());
  }
  ASSERT_EQ(all.size(), 100u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].position, i + 1);
    EXPECT_EQ(all[i].payload, "payload-" + std::to_string(i));
  }
  EXPECT_EQ(*store_->ReadAll(0, 1000), all);  // 0 means from the start
  EXPECT_TRUE(store_->ReadAll(101, 10)->empty());
  EXPECT_TRUE(store_->ReadAll(5, 0)->empty());
  EXPECT_EQ(store_->ReadAll(100, 10)->size(), 1u);
}

TEST_P(ReadTest, VisitAllSeesWhatReadAllReturns) {
  for (auto [from, count] : {std::pair<Position, size_t>{1, 1000}, {0, 7}, {42, 30}, {95, 10}}) {
    std::vector<Record> visited;
    auto seen = store_->VisitAll(from, count, [&](const RecordView& view) {
      visited.push_back(testing::ToRecord(view));
      return true;
    });
    ASSERT_TRUE(seen) << seen.error().message;
    EXPECT_EQ(*seen, visited.size());
    EXPECT_EQ(visited, *store_->ReadAll(from, count)) << "from " << from << ", " << count;
  }
  auto never = [](const RecordView&) {
    ADD_FAILURE() << "nothing to visit";
    return true;
  };
  EXPECT_EQ(*store_->VisitAll(101, 10, never), 0u);
  EXPECT_EQ(*store_->VisitAll(5, 0, never), 0u);
  // The visitor stops the scan.
  std::vector<Position> seen;
  auto stopped = store_->VisitAll(10, 50, [&](const RecordView& view) {
    seen.push_back(view.position);
    return seen.size() < 3;
  });
  ASSERT_TRUE(stopped);
  EXPECT_EQ(*stopped, 3u);
  EXPECT_EQ(seen, (std::vector<Position>{10, 11, 12}));
}

TEST_P(ReadTest, RecordsCarryTheirMetadataAndChainTogether) {
  AppendRequest r = Request("meta", ExpectedVersion::Any(), {Event("x.happened", "p", 3)}, "cmd-9");
  r.metadata = EventMetadata{"alice", "cmd-9", "corr-7", "api-client", 4102444800000000};
  ASSERT_TRUE(store_->Append(r));
  auto all = *store_->ReadAll(1, 1000);
  const Record& last = all.back();
  EXPECT_EQ(last.position, 101u);
  EXPECT_EQ(last.stream, "meta");
  EXPECT_EQ(last.type, "x.happened");
  EXPECT_EQ(last.revision, 3);
  EXPECT_EQ(last.metadata, r.metadata);
  EXPECT_EQ(all.front().prev_hash, Hash{});
  for (size_t i = 1; i < all.size(); ++i) EXPECT_EQ(all[i].prev_hash, all[i - 1].hash);
}

TEST_P(ReadTest, ReadStreamReadsForwardFromAVersion) {
  auto from3 = store_->ReadStream("s", 3, 4);
  ASSERT_TRUE(from3);
  ASSERT_EQ(from3->size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ((*from3)[i].stream, "s");
    EXPECT_EQ((*from3)[i].stream_version, 3 + i);
    EXPECT_EQ((*from3)[i].position, static_cast<Position>((3 + i) * 3 + 1));
  }
  EXPECT_EQ(store_->ReadStream("s", 30, 100)->size(), 4u);  // versions 30..33
  EXPECT_EQ(store_->ReadStream("s", -5, 2)->front().stream_version, 0);
  EXPECT_TRUE(store_->ReadStream("s", 34, 10)->empty());
  EXPECT_TRUE(store_->ReadStream("unknown", 0, 10)->empty());
  EXPECT_TRUE(store_->ReadStream("s", 0, 0)->empty());
  EXPECT_EQ(store_->ReadStream("o", 0, 1000)->size(), 66u);
}

TEST_P(ReadTest, HeadsAndTheLastPosition) {
  EXPECT_EQ(*store_->StreamHead("s"), 33);
  EXPECT_EQ(*store_->StreamHead("o"), 65);
  EXPECT_EQ(*store_->StreamHead("nope"), kNoStreamVersion);
  EXPECT_EQ(store_->LastPosition(), 100u);
}

TEST_P(ReadTest, WaitForPositionReturnsAtOnceTimesOutOrWakesOnAppend) {
  EXPECT_EQ(*store_->WaitForPosition(50, 0ms), 100u);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(*store_->WaitForPosition(101, 50ms), 100u);  // timed out: the last position
  EXPECT_GE(std::chrono::steady_clock::now() - start, 45ms);

  // Woken by the append, the wait ends with the new position long before its timeout.
  Result<Position> woken;
  std::chrono::steady_clock::duration took{};
  tests::BlockingCall waiter([&] {
    const auto waited = std::chrono::steady_clock::now();
    woken = store_->WaitForPosition(101, tests::kGenerousTimeout);
    took = std::chrono::steady_clock::now() - waited;
  });
  ASSERT_TRUE(waiter.WaitUntilBlocked());
  ASSERT_TRUE(store_->Append(Request("s", ExpectedVersion::Any(), {Event("t")})));
  waiter.Join();
  EXPECT_EQ(*woken, 101u);
  EXPECT_LT(took, tests::kGenerousTimeout) << "not woken by the append";
}

TEST_P(ReadTest, CloseWakesWaitersAndFailsLaterCalls) {
  Result<Position> waited;
  tests::BlockingCall waiter(
      [&] { waited = store_->WaitForPosition(1000, tests::kGenerousTimeout); });
  ASSERT_TRUE(waiter.WaitUntilBlocked());
  backend_->Close(*store_);
  waiter.Join();
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().code, ErrorCode::kClosed);
  EXPECT_EQ(store_->ReadAll(1, 1).error().code, ErrorCode::kClosed);
  EXPECT_EQ(store_->Append(Request("s", ExpectedVersion::Any(), {Event("t")})).error().code,
            ErrorCode::kClosed);
  backend_->Close(*store_);  // idempotent
}

ROSTER_INSTANTIATE_LOG_SUITE(ReadTest);

}  // namespace
}  // namespace roster::eventstore
