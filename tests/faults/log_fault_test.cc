// The event log on a failing disk: a write of the WAL that fails, one that reaches only half
// its bytes (torn), or a sync that fails, while several threads append. Every append either
// succeeds and survives every later reopen, or fails with an error; nothing of a failed append
// is visible while the store runs; after a restart on a healthy disk each failed append is
// wholly there or wholly absent, the hash chain verifies, and appends are accepted again,
// including the failed ones resent with their command ids, which take effect once.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/fault_env.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"
#include "tests/faults/fault_kind.h"

namespace roster::eventstore {
namespace {

using testing::Event;
using testing::FaultInjection;
using testing::Numbered;
using testing::Request;
using testing::TempDir;

using tests::Fault;
using tests::FaultName;

// One append as a caller saw it.
struct Sent {
  AppendRequest request;
  Result<AppendResult> result;
};

class LogFaultTest : public ::testing::TestWithParam<Fault> {
 protected:
  void SetUp() override {
    // Only the WAL (*.log; RocksDB's info log is LOG) is faulted and counted, so "the n-th
    // write" is the n-th group commit whatever else RocksDB writes meanwhile.
    faults_.OnlyFilesNamed(".log");
    Open();
  }
  void Open() {
    StoreOptions options;
    options.env = faults_.env();
    auto store = OpenRocksEventStore(tmp_.path(), options);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_ = std::move(*store);
  }
  // The disk breaks `after` WAL writes (or syncs) from now.
  void Arm(uint64_t after) {
    switch (GetParam()) {
      case Fault::kWriteFails:
        faults_.FailFromWriteAfter(after);
        break;
      case Fault::kTornWrite:
        faults_.FailFromWriteAfter(after, FaultInjection::Write::kTorn);
        break;
      case Fault::kSyncFails:
        faults_.FailFromSyncAfter(after);
        break;
    }
  }
  // A process restart on a healed disk: the store is closed while the disk is still broken.
  void RestartHealed() {
    store_.reset();
    faults_.Heal();
    Open();
  }

  static AppendRequest NthAppend(int thread, int i, StreamVersion head) {
    const std::string id = "t" + std::to_string(thread) + "-" + std::to_string(i);
    return Request(
        Numbered("s", thread),
        head == kNoStreamVersion ? ExpectedVersion::NoStream() : ExpectedVersion::Exactly(head),
        {Event("a", id + "-a"), Event("b", id + "-b")}, "cmd-" + id);
  }

  // Each of the records `result` names holds the request's events, in order.
  void ExpectStored(const AppendRequest& request, const AppendResult& result) {
    auto records = store_->ReadAll(result.first_position, request.events.size());
    ASSERT_TRUE(records.has_value());
    ASSERT_EQ(records->size(), request.events.size()) << request.metadata.command_id;
    for (size_t i = 0; i < records->size(); ++i) {
      const Record& r = (*records)[i];
      EXPECT_EQ(r.position, result.first_position + i);
      EXPECT_EQ(r.stream, request.stream);
      EXPECT_EQ(r.stream_version, result.first_version + static_cast<StreamVersion>(i));
      EXPECT_EQ(r.type, request.events[i].type);
      EXPECT_EQ(r.payload, request.events[i].payload);
      EXPECT_EQ(r.metadata.command_id, request.metadata.command_id);
    }
  }

  TempDir tmp_{"roster-log-fault"};
  FaultInjection faults_;
  std::unique_ptr<RocksEventStore> store_;
};

TEST_P(LogFaultTest, EveryAppendSucceedsDurablyOrFailsAndTheStoreRecovers) {
  constexpr int kThreads = 4;
  constexpr int kMaxAppends = 400;
  Arm(12);
  std::vector<std::vector<Sent>> sent(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      StreamVersion head = kNoStreamVersion;
      for (int i = 0; i < kMaxAppends; ++i) {
        Sent s{NthAppend(t, i, head), {}};
        s.result = store_->Append(s.request);
        const bool ok = s.result.has_value();
        if (ok) head = s.result->last_version;
        sent[t].push_back(std::move(s));
        if (!ok) return;  // the store has failed: every later append would too
      }
    });
  }
  for (auto& thread : threads) thread.join();

  Position last_acked = 0;
  size_t acked = 0;
  std::vector<const Sent*> failed;
  for (const auto& list : sent) {
    for (const Sent& s : list) {
      if (s.result) {
        ++acked;
        last_acked = std::max(last_acked, s.result->last_position);
      } else {
        failed.push_back(&s);
        // Never reported as a success, and says why.
        EXPECT_TRUE(s.result.error().code == ErrorCode::kIoError ||
                    s.result.error().code == ErrorCode::kStoreFailed)
            << s.result.error().message;
        EXPECT_NE(s.result.error().message.find("injected"), std::string::npos)
            << s.result.error().message;
      }
    }
  }
  ASSERT_EQ(failed.size(), static_cast<size_t>(kThreads)) << "the disk never failed";
  EXPECT_GT(acked, 0u);

  // While the store runs, nothing of the failed appends is visible.
  EXPECT_EQ(store_->LastPosition(), last_acked);
  auto visible = store_->ReadAll(1, 100000);
  ASSERT_TRUE(visible.has_value());
  EXPECT_EQ(visible->size(), last_acked);
  for (const Sent* s : failed) {
    EXPECT_FALSE(*store_->FindCommand(s->request.metadata.command_id))
        << s->request.metadata.command_id;
  }
  auto running = store_->Verify(0, 0);
  ASSERT_TRUE(running.has_value());
  EXPECT_TRUE(running->ok);

  RestartHealed();
  const Position reopened_last = store_->LastPosition();
  if (GetParam() == Fault::kSyncFails) {
    // The group's bytes may have reached the WAL before its sync failed.
    EXPECT_GE(reopened_last, last_acked);
  } else {
    // A write that failed, or was torn, left no whole record behind.
    EXPECT_EQ(reopened_last, last_acked);
  }
  auto report = store_->Verify(0, 0);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->first_bad << ": " << report->problem;
  for (const auto& list : sent) {
    for (const Sent& s : list) {
      if (s.result) ExpectStored(s.request, *s.result);
    }
  }
  // Positions are dense and every record belongs to an append, whole.
  auto all = store_->ReadAll(1, 100000);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), reopened_last);
  std::map<std::string, int> records_per_command;
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].position, i + 1);
    ++records_per_command[(*all)[i].metadata.command_id];
  }
  for (const auto& [command_id, count] : records_per_command) EXPECT_EQ(count, 2) << command_id;

  // The failed appends resent with their command ids take effect once: a duplicate where the
  // first attempt's group survived, a fresh append where it did not.
  for (const Sent* s : failed) {
    auto present = store_->FindCommand(s->request.metadata.command_id);
    ASSERT_TRUE(present.has_value());
    auto retried = store_->Append(s->request);
    ASSERT_TRUE(retried.has_value()) << retried.error().message;
    EXPECT_EQ(retried->duplicate, present->has_value());
    ExpectStored(s->request, *retried);
  }
  auto after = store_->Append(Request("after", ExpectedVersion::NoStream(), {Event("t")}, "x"));
  ASSERT_TRUE(after.has_value()) << after.error().message;

  // A second restart keeps everything acknowledged since the first: the damaged tail of the
  // old WAL must not cut recovery short.
  const Position before_second = store_->LastPosition();
  RestartHealed();
  EXPECT_EQ(store_->LastPosition(), before_second);
  EXPECT_TRUE(store_->Verify(0, 0)->ok);
  for (const Sent* s : failed) {
    auto found = store_->FindCommand(s->request.metadata.command_id);
    ASSERT_TRUE(found.has_value() && found->has_value()) << s->request.metadata.command_id;
    ExpectStored(s->request, (*found)->result);
  }
  EXPECT_EQ(*store_->StreamHead("after"), 0);
}

INSTANTIATE_TEST_SUITE_P(Faults, LogFaultTest,
                         ::testing::Values(Fault::kWriteFails, Fault::kTornWrite,
                                           Fault::kSyncFails),
                         FaultName);

}  // namespace
}  // namespace roster::eventstore
