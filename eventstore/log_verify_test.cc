// The hash chain and reopening, on every backend: Verify over an intact chain, a reopened log
// continuing the chain, and the same appends chaining to the same hashes whichever backend
// stores them (so that a log copied between backends verifies unchanged). Tampering with stored
// bytes is backend-specific: verify_test.cc (RocksDB), postgres/pg_log_test.cc.
#include <gtest/gtest.h>

#include "eventstore/testing/log_backend.h"
#include "eventstore/testing/store_helpers.h"

namespace roster::eventstore {
namespace {

using testing::Event;
using testing::Request;

constexpr Position kRecords = 40;

class LogVerifyTest : public testing::LogTest {};

void Fill(EventLog& log) {
  for (Position i = 0; i < kRecords; ++i) {
    ASSERT_TRUE(log.Append(Request(testing::Numbered("s", i % 4), ExpectedVersion::Any(),
                                   {Event("t", "payload " + std::to_string(i))})));
  }
}

TEST_P(LogVerifyTest, AnIntactChainVerifiesWholeOrInPart) {
  Fill(*log_);
  auto& store = log_;
  std::vector<Position> progress;
  auto whole = store->Verify(0, 0, [&](Position p) { progress.push_back(p); });
  ASSERT_TRUE(whole);
  EXPECT_TRUE(whole->ok) << whole->problem;
  EXPECT_EQ(whole->from, 1u);
  EXPECT_EQ(whole->to, kRecords);
  EXPECT_EQ(whole->checked, kRecords);
  EXPECT_EQ(whole->last_hash, store->ReadAll(kRecords, 1)->front().hash);
  EXPECT_EQ(progress.back(), kRecords);

  auto part = store->Verify(10, 20);
  ASSERT_TRUE(part);
  EXPECT_TRUE(part->ok) << part->problem;
  EXPECT_EQ(part->checked, 11u);

  auto beyond = store->Verify(1, kRecords + 5);
  ASSERT_TRUE(beyond);
  EXPECT_FALSE(beyond->ok);
  EXPECT_EQ(beyond->first_bad, kRecords + 1);
}

TEST_P(LogVerifyTest, ReopenKeepsEverythingAndContinuesTheChain) {
  std::vector<Record> before;
  {
    auto& store = log_;
    ASSERT_TRUE(store->Append(
        Request("a", ExpectedVersion::NoStream(), {Event("t1", "x"), Event("t2", "y")}, "cmd-1")));
    ASSERT_TRUE(store->Append(Request("b", ExpectedVersion::Any(), {Event("t3", "z")})));
    before = *store->ReadAll(1, 100);
    backend_->Close(*store);
  }
  Reopen();
  auto& store = log_;
  EXPECT_EQ(store->LastPosition(), 3u);
  EXPECT_EQ(*store->ReadAll(1, 100), before);
  EXPECT_EQ(*store->StreamHead("a"), 1);
  EXPECT_EQ(*store->StreamHead("b"), 0);
  // The idempotency record survived too.
  auto retry = store->Append(Request("a", ExpectedVersion::NoStream(), {Event("t1")}, "cmd-1"));
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_position, 1u);
  // New records chain onto the old ones.
  auto next = store->Append(Request("a", ExpectedVersion::Exactly(1), {Event("t4")}));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->first_position, 4u);
  EXPECT_EQ(next->first_version, 2);
  auto all = *store->ReadAll(1, 100);
  EXPECT_EQ(all[3].prev_hash, before.back().hash);
  auto report = store->Verify(0, 0);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->checked, 4u);
}

// The chain head after a fixed history: computed once (on RocksDB) and written down, so that a
// backend storing, encoding or chaining a field differently fails here.
TEST_P(LogVerifyTest, TheSameAppendsChainToTheSameHashesOnEveryBackend) {
  constexpr const char* kGoldenHead =
      "e7bb0c84dd17e40042cb6fe445348b0b947e62c82131c234a9976d67357779ad";
  for (int i = 0; i < 5; ++i) {
    AppendRequest r = Request(testing::Numbered("org-", i % 2), ExpectedVersion::Any(),
                              {Event("member.added", "payload", 2), Event("role.granted", "p2")},
                              testing::Numbered("cmd-", i));
    r.metadata.time_us = 1'700'000'000'000'000 + i;
    ASSERT_TRUE(log_->Append(std::move(r)));
  }
  auto report = log_->Verify(0, 0);
  ASSERT_TRUE(report);
  ASSERT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->checked, 10u);
  EXPECT_EQ(HashHex(report->last_hash), kGoldenHead);
}

ROSTER_INSTANTIATE_LOG_SUITE(LogVerifyTest);

}  // namespace
}  // namespace roster::eventstore
