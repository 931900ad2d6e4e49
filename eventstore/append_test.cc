// Appends: expected versions, atomic multi-event appends, idempotency, group commit. Part of the
// event log's test suite: runs against every backend (see eventstore/testing/log_backend.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <latch>
#include <map>
#include <set>
#include <thread>

#include "eventstore/testing/log_backend.h"
#include "eventstore/testing/store_helpers.h"
#include "tests/support/waiting.h"

namespace roster::eventstore {
namespace {

using namespace std::chrono_literals;
using testing::Event;
using testing::LogTest;
using testing::Request;

class AppendTest : public LogTest {};
class AppendRaceTest : public LogTest {};
class AppendTimeTest : public LogTest {};

TEST_P(AppendTest, AssignsDensePositionsAndPerStreamVersions) {
  auto& store = log_;
  auto a0 = store->Append(Request("a", ExpectedVersion::Any(), {Event("t")}));
  auto b0 = store->Append(Request("b", ExpectedVersion::Any(), {Event("t"), Event("t")}));
  auto a1 = store->Append(Request("a", ExpectedVersion::Any(), {Event("t")}));
  ASSERT_TRUE(a0 && b0 && a1);
  EXPECT_EQ(*a0, (AppendResult{1, 1, 0, 0, false}));
  EXPECT_EQ(*b0, (AppendResult{2, 3, 0, 1, false}));
  EXPECT_EQ(*a1, (AppendResult{4, 4, 1, 1, false}));
  EXPECT_EQ(store->LastPosition(), 4u);
}

TEST_P(AppendTest, ExpectedVersionIsCheckedAndTheConflictReportsTheCurrentVersion) {
  auto& store = log_;
  ASSERT_TRUE(store->Append(Request("s", ExpectedVersion::NoStream(), {Event("t")})));
  auto again = store->Append(Request("s", ExpectedVersion::NoStream(), {Event("t")}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kWrongExpectedVersion);
  EXPECT_EQ(again.error().current_version, 0);

  ASSERT_TRUE(store->Append(Request("s", ExpectedVersion::Exactly(0), {Event("t")})));
  auto stale = store->Append(Request("s", ExpectedVersion::Exactly(0), {Event("t")}));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kWrongExpectedVersion);
  EXPECT_EQ(stale.error().current_version, 1);
  auto ahead = store->Append(Request("s", ExpectedVersion::Exactly(5), {Event("t")}));
  ASSERT_FALSE(ahead);
  EXPECT_EQ(ahead.error().current_version, 1);
  auto missing = store->Append(Request("new", ExpectedVersion::Exactly(0), {Event("t")}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().current_version, kNoStreamVersion);

  EXPECT_TRUE(store->Append(Request("s", ExpectedVersion::Any(), {Event("t")})));
  EXPECT_EQ(*store->StreamHead("s"), 2);
  EXPECT_EQ(store->LastPosition(), 3u);
  EXPECT_EQ(stats().rejected, 4u);
}

TEST_P(AppendTest, AMultiEventAppendLandsWholeAndContiguousOrNotAtAll) {
  auto& store = log_;
  std::vector<NewEvent> events;
  for (int i = 0; i < 5; ++i) events.push_back(Event(testing::Numbered("t", i), "p"));
  auto ok = store->Append(Request("s", ExpectedVersion::NoStream(), events));
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, (AppendResult{1, 5, 0, 4, false}));
  auto records = *store->ReadStream("s", 0, 100);
  ASSERT_EQ(records.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(records[i].position, static_cast<Position>(i + 1));
    EXPECT_EQ(records[i].stream_version, i);
    EXPECT_EQ(records[i].type, testing::Numbered("t", i));
  }
  // A rejected multi-event append writes none of its events.
  auto rejected = store->Append(Request("s", ExpectedVersion::NoStream(), events));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(store->LastPosition(), 5u);
  EXPECT_EQ(*store->StreamHead("s"), 4);
}

TEST_P(AppendTest, ConcurrentMultiEventAppendsNeverInterleave) {
  auto& store = log_;
  constexpr int kThreads = 8, kAppends = 40, kEvents = 7;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        std::vector<NewEvent> events;
        for (int e = 0; e < kEvents; ++e) events.push_back(Event("t", std::to_string(e)));
        auto r = Request("shared", ExpectedVersion::Any(), events,
                         "c-" + std::to_string(t) + "-" + std::to_string(i));
        ASSERT_TRUE(store->Append(std::move(r)));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto all = *store->ReadAll(1, 1'000'000);
  ASSERT_EQ(all.size(), size_t{kThreads * kAppends * kEvents});
  for (size_t i = 0; i < all.size(); i += kEvents) {
    for (int e = 0; e < kEvents; ++e) {
      EXPECT_EQ(all[i + e].metadata.command_id, all[i].metadata.command_id);
      EXPECT_EQ(all[i + e].payload, std::to_string(e));
      EXPECT_EQ(all[i + e].stream_version, static_cast<StreamVersion>(i + e));
    }
  }
}

TEST_P(AppendTest, RejectsMalformedRequests) {
  auto& store = log_;
  const auto code = [&](AppendRequest r) {
    auto result = store->Append(std::move(r));
    return result ? std::string("ok") : ErrorCodeName(result.error().code);
  };
  EXPECT_EQ(code(Request("", ExpectedVersion::Any(), {Event("t")})), "INVALID_ARGUMENT");
  EXPECT_EQ(code(Request("s", ExpectedVersion::Any(), {})), "INVALID_ARGUMENT");
  EXPECT_EQ(code(Request("s", ExpectedVersion::Any(), {Event("")})), "INVALID_ARGUMENT");
  EXPECT_EQ(code(Request("s", ExpectedVersion::Exactly(-7), {Event("t")})), "INVALID_ARGUMENT");
  EXPECT_EQ(code(Request(std::string(5000, 's'), ExpectedVersion::Any(), {Event("t")})),
            "INVALID_ARGUMENT");
  EXPECT_EQ(code(Request("s", ExpectedVersion::Any(), {Event(std::string(300, 't'))})),
            "INVALID_ARGUMENT");
  EXPECT_EQ(code(Request("s", ExpectedVersion::Any(), {Event("t", std::string(5u << 20, 'p'))})),
            "INVALID_ARGUMENT");
  EXPECT_EQ(code(Request("s", ExpectedVersion::Any(), std::vector<NewEvent>(10'001, Event("t")))),
            "INVALID_ARGUMENT");
  auto long_command = Request("s", ExpectedVersion::Any(), {Event("t")}, std::string(2000, 'c'));
  EXPECT_EQ(code(std::move(long_command)), "INVALID_ARGUMENT");
  EXPECT_EQ(store->LastPosition(), 0u);
}

TEST_P(AppendTest, StreamIdsMayHoldAnyBytes) {
  auto& store = log_;
  const std::string a = "a", a_nul("a\0", 2), binary("\xff\x00\x01", 3);
  for (const auto& stream : {a, a_nul, binary, a}) {
    ASSERT_TRUE(store->Append(Request(stream, ExpectedVersion::Any(), {Event("t")})));
  }
  EXPECT_EQ(*store->StreamHead(a), 1);
  EXPECT_EQ(*store->StreamHead(a_nul), 0);
  EXPECT_EQ(*store->StreamHead(binary), 0);
  EXPECT_EQ(store->ReadStream(a_nul, 0, 10)->at(0).stream, a_nul);
}

TEST_P(AppendTest, ARetriedCommandIdReturnsTheFirstOutcomeAndWritesNothing) {
  auto& store = log_;
  auto first =
      store->Append(Request("s", ExpectedVersion::NoStream(), {Event("t"), Event("t")}, "cmd-42"));
  ASSERT_TRUE(first);
  ASSERT_TRUE(store->Append(Request("s", ExpectedVersion::Any(), {Event("t")})));
  // Same id, even with an expected version that no longer holds: the first outcome.
  auto retry =
      store->Append(Request("s", ExpectedVersion::NoStream(), {Event("t"), Event("t")}, "cmd-42"));
  ASSERT_TRUE(retry) << retry.error().message;
  AppendResult expected = *first;
  expected.duplicate = true;
  EXPECT_EQ(*retry, expected);
  EXPECT_EQ(store->LastPosition(), 3u);
  EXPECT_EQ(stats().duplicates, 1u);
}

TEST_P(AppendTest, FindCommandAnswersWhatARetryWouldGetAcrossAReopen) {
  auto appended =
      log_->Append(Request("s", ExpectedVersion::NoStream(), {Event("t"), Event("t")}, "cmd-7"));
  ASSERT_TRUE(appended);
  const AppendResult first = *appended;
  auto unknown = log_->FindCommand("cmd-unknown");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());
  Reopen();
  auto found = log_->FindCommand("cmd-7");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->stream, "s");
  EXPECT_EQ((*found)->result, first);
}

TEST_P(AppendTest, ACommandIdReusedForAnotherStreamIsRefused) {
  auto& store = log_;
  ASSERT_TRUE(store->Append(Request("s1", ExpectedVersion::Any(), {Event("t")}, "cmd")));
  auto other = store->Append(Request("s2", ExpectedVersion::Any(), {Event("t")}, "cmd"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kCommandIdReused);
  EXPECT_EQ(store->LastPosition(), 1u);
}

// Holds the writer after a commit (commit listeners run on the writer thread) so that
// requests made meanwhile queue up and are decided together in the next group: the test knows
// the writer is held, rather than sleeping while a slow commit is hoped to hold it.
class GroupedAppendTest : public LogTest {
 protected:
  void SetUp() override {
    LogTest::SetUp();
    store_ = log_.get();
    store_->AddCommitListener([this](Position) { writer_gate_.Pass(); });
  }
  // The log goes here, before the gate its listener passes (the gate is destroyed first).
  void TearDown() override {
    writer_gate_.Open();
    log_.reset();
  }
  // Starts an append and returns its thread once the writer is held right after committing it.
  std::thread OccupyWriter() {
    writer_gate_.Arm();
    std::thread blocker([this] {
      ASSERT_TRUE(store_->Append(Request("blocker", ExpectedVersion::Any(), {Event("t")})));
    });
    EXPECT_TRUE(writer_gate_.WaitHeld()) << "the blocker was never committed";
    return blocker;
  }

  tests::Gate writer_gate_;
  EventLog* store_ = nullptr;
};

TEST_P(GroupedAppendTest, ConcurrentDuplicatesInOneGroupWriteOnce) {
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
  // A thread that counted down may still be on its way into the queue when the writer goes on
  // and land in a later group: the outcomes below hold either way (how few commits it takes is
  // checked on RocksDB, whose syncs a test can slow: rocks_group_commit_test.cc).
  writer_gate_.Release();
  for (auto& thread : threads) thread.join();
  blocker.join();

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
}

TEST_P(GroupedAppendTest, ARejectedRequestInAGroupDoesNotAffectTheOthers) {
  ASSERT_TRUE(store_->Append(Request("s2", ExpectedVersion::Any(), {Event("t")})));
  std::thread blocker = OccupyWriter();
  Result<AppendResult> good1, bad, good2;
  std::latch entered(3);
  std::thread t1([&] {
    entered.count_down();
    good1 = store_->Append(Request("s1", ExpectedVersion::NoStream(), {Event("t")}));
  });
  std::thread t2([&] {
    entered.count_down();
    bad = store_->Append(Request("s2", ExpectedVersion::NoStream(), {Event("t")}));
  });
  std::thread t3([&] {
    entered.count_down();
    good2 = store_->Append(Request("s3", ExpectedVersion::NoStream(), {Event("t")}));
  });
  entered.wait();
  writer_gate_.Release();
  t1.join();
  t2.join();
  t3.join();
  blocker.join();
  ASSERT_TRUE(good1) << good1.error().message;
  ASSERT_TRUE(good2) << good2.error().message;
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().current_version, 0);
  EXPECT_EQ(store_->LastPosition(), 4u);
  EXPECT_TRUE(store_->Verify(0, 0)->ok);
}

TEST_P(GroupedAppendTest, ConcurrentAppendsShareCommits) {
  constexpr int kThreads = 32, kAppends = 10;
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
  const auto counted = stats();
  EXPECT_EQ(counted.appends, uint64_t{kThreads * kAppends});
  EXPECT_LT(counted.commits, counted.appends) << "group commit should fold appends together";
}

// AppendMany (a bulk load, as copying a log) lands its requests in order, as one Append after
// another would, each with its own outcome, and shares commits between them.
TEST_P(GroupedAppendTest, AppendManyKeepsOrderRefusesOnlyTheBadOneAndSharesCommits) {
  ASSERT_TRUE(store_->Append(Request("taken", ExpectedVersion::Any(), {Event("t")})));
  const auto before = stats();
  constexpr size_t kRequests = 300, kBad = 100, kTwoEvents = 200;
  std::vector<AppendRequest> requests;
  for (size_t i = 0; i < kRequests; ++i) {
    if (i == kBad) {
      requests.push_back(Request("taken", ExpectedVersion::NoStream(), {Event("t")}));
    } else if (i == kTwoEvents) {
      requests.push_back(Request("pair", ExpectedVersion::NoStream(), {Event("a"), Event("b")}));
    } else {
      requests.push_back(Request(testing::Numbered("s", static_cast<int>(i)),
                                 ExpectedVersion::NoStream(), {Event("t")},
                                 "bulk-" + std::to_string(i)));
    }
  }
  const auto outcomes = store_->AppendMany(std::move(requests));
  ASSERT_EQ(outcomes.size(), kRequests);
  Position expected = 2;
  for (size_t i = 0; i < kRequests; ++i) {
    if (i == kBad) {
      ASSERT_FALSE(outcomes[i]);
      EXPECT_EQ(outcomes[i].error().code, ErrorCode::kWrongExpectedVersion);
      continue;
    }
    ASSERT_TRUE(outcomes[i]) << i << ": " << outcomes[i].error().message;
    EXPECT_EQ(outcomes[i]->first_position, expected) << i;
    expected += i == kTwoEvents ? 2 : 1;
    EXPECT_EQ(outcomes[i]->last_position, expected - 1) << i;
  }
  EXPECT_EQ(store_->LastPosition(), expected - 1);
  const auto after = stats();
  EXPECT_EQ(after.appends - before.appends, kRequests - 1);
  EXPECT_LT(after.commits - before.commits, (kRequests - 1) / 4)
      << "the appends should share commits";
  EXPECT_TRUE(store_->Verify(0, 0)->ok);
  // Their command ids are remembered as if appended one by one.
  auto retry = store_->Append(
      Request(testing::Numbered("s", 7), ExpectedVersion::NoStream(), {Event("t")}, "bulk-7"));
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_position, 9u);
}

TEST_P(GroupedAppendTest, CloseAnswersQueuedAppendsAndMayComeFromSeveralThreads) {
  std::thread blocker = OccupyWriter();
  constexpr int kThreads = 8;
  std::atomic<int> succeeded{0}, closed{0};
  std::latch entered(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      entered.count_down();
      auto r = store_->Append(
          Request(testing::Numbered("q", t), ExpectedVersion::NoStream(), {Event("t")}));
      if (r) {
        ++succeeded;
      } else if (r.error().code == ErrorCode::kClosed) {
        ++closed;
      }
    });
  }
  entered.wait();
  // Held again in the commit of the appends queued behind the blocker: those are answered
  // normally whatever Close() does next.
  writer_gate_.Arm();
  writer_gate_.Release();
  ASSERT_TRUE(writer_gate_.WaitHeld());
  // Both closers have stopped the store to new appends once they wait for the held writer.
  tests::BlockingCall closer1([&] { backend_->Close(*store_); });
  tests::BlockingCall closer2([&] { backend_->Close(*store_); });
  EXPECT_TRUE(closer1.WaitUntilBlocked());
  EXPECT_TRUE(closer2.WaitUntilBlocked());
  writer_gate_.Release();
  for (auto& thread : threads) thread.join();
  closer1.Join();
  closer2.Join();
  blocker.join();
  // Appends queued before Close() are answered normally; one that comes after gets kClosed.
  // Either way nothing is left hanging.
  EXPECT_EQ(succeeded.load() + closed.load(), kThreads);
  EXPECT_GT(succeeded.load(), 0);
  EXPECT_EQ(store_->LastPosition(), 1u + succeeded.load());
  EXPECT_EQ(store_->Append(Request("late", ExpectedVersion::Any(), {Event("t")})).error().code,
            ErrorCode::kClosed);
}

// Many threads append to one stream with the same expected version: exactly one wins each
// version, every other gets the conflict with the version the winner made.
TEST_P(AppendRaceTest, ExactlyOneWinnerPerExpectedVersion) {
  auto& store = log_;
  constexpr int kThreads = 8, kRounds = 60;
  std::barrier sync_point(kThreads);
  std::vector<std::vector<int>> wins(kRounds, std::vector<int>());
  std::mutex mu;
  std::atomic<int> bad_conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        sync_point.arrive_and_wait();
        const StreamVersion expected = round - 1;
        auto r = store->Append(
            Request("race", ExpectedVersion::Exactly(expected), {Event("t", std::to_string(t))}));
        if (r) {
          std::lock_guard lock(mu);
          wins[round].push_back(t);
        } else if (r.error().code != ErrorCode::kWrongExpectedVersion ||
                   r.error().current_version != expected + 1) {
          ++bad_conflicts;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(bad_conflicts.load(), 0);
  for (int round = 0; round < kRounds; ++round) {
    EXPECT_EQ(wins[round].size(), 1u) << "round " << round;
  }
  EXPECT_EQ(*store->StreamHead("race"), kRounds - 1);
  EXPECT_EQ(store->LastPosition(), static_cast<Position>(kRounds));
  EXPECT_EQ(stats().rejected, uint64_t{(kThreads - 1) * kRounds});
}

// Free-running optimistic writers: read the head, append at it, retry on conflict. Every
// success must be a distinct version and the stream must end dense.
TEST_P(AppendRaceTest, OptimisticWritersNeverLoseOrDuplicateAVersion) {
  auto& store = log_;
  constexpr int kThreads = 6, kWinsEach = 40;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<StreamVersion> versions;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int won = 0; won < kWinsEach;) {
        const StreamVersion head = *store->StreamHead("opt");
        auto r = store->Append(Request("opt", ExpectedVersion::Exactly(head), {Event("t")}));
        if (!r) {
          ASSERT_EQ(r.error().code, ErrorCode::kWrongExpectedVersion);
          ASSERT_GT(*r.error().current_version, head);
          continue;
        }
        ASSERT_EQ(r->first_version, head + 1);
        std::lock_guard lock(mu);
        ASSERT_TRUE(versions.insert(r->first_version).second);
        ++won;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(versions.size(), size_t{kThreads * kWinsEach});
  EXPECT_EQ(*versions.rbegin(), kThreads * kWinsEach - 1);
}

// Appends decided concurrently reach the writer in any order; the log's times must still never
// decrease, so that a time range of the log is a position range (audit exports rely on it).
TEST_P(AppendTimeTest, RecordTimesNeverDecreaseAlongTheLog) {
  auto append = [&](int64_t time_us, const std::string& type) {
    AppendRequest r;
    r.stream = "s";
    r.events.push_back(NewEvent{type, 1, "p"});
    r.events.push_back(NewEvent{type + ".longer.type", 1, "q"});
    r.metadata.actor = "a";
    r.metadata.time_us = time_us;
    ASSERT_TRUE(log_->Append(std::move(r)).has_value());
  };
  append(1000, "x");
  append(500, "y");  // decided earlier, arrived later
  append(2000, "zz");
  auto records = log_->ReadAll(1, 10);
  ASSERT_TRUE(records.has_value());
  ASSERT_EQ(records->size(), 6u);
  std::vector<int64_t> times;
  for (const Record& r : *records) times.push_back(r.metadata.time_us);
  EXPECT_EQ(times, (std::vector<int64_t>{1000, 1000, 1000, 1000, 2000, 2000}));
  auto verified = log_->Verify(1, 0);
  ASSERT_TRUE(verified.has_value());
  EXPECT_TRUE(verified->ok) << verified->problem;
  // And after a reopen the writer remembers the last time.
  Reopen();
  append(10, "w");
  records = log_->ReadAll(7, 2);
  ASSERT_TRUE(records.has_value());
  EXPECT_EQ(records->at(0).metadata.time_us, 2000);
}

ROSTER_INSTANTIATE_LOG_SUITE(AppendTest);
ROSTER_INSTANTIATE_LOG_SUITE(GroupedAppendTest);
ROSTER_INSTANTIATE_LOG_SUITE(AppendRaceTest);
ROSTER_INSTANTIATE_LOG_SUITE(AppendTimeTest);

}  // namespace
}  // namespace roster::eventstore
