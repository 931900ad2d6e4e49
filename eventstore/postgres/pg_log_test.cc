// What only the PostgreSQL log has to show: several PgEventLog instances (as on several nodes)
// sharing one log, commits of one waking readers of another through NOTIFY, a server that goes
// away and comes back, tampering found by Verify, refusing schemas that are not a log, and a
// log copied from RocksDB to PostgreSQL and back (CopyLog).
// The EventLog contract itself is the suite shared with RocksDB (append_test.cc and others).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "eventstore/log_copy.h"
#include "eventstore/postgres/internal/pg_conn.h"
#include "eventstore/postgres/pg_event_log.h"
#include "eventstore/postgres/testing/pg_backend.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"
#include "tests/support/pg_server.h"
#include "tests/support/waiting.h"

namespace roster::eventstore::postgres {
namespace {

using namespace std::chrono_literals;
using eventstore::testing::Event;
using eventstore::testing::Numbered;
using eventstore::testing::Request;
using testing::FreshSchema;
using testing::OpenOrDie;
using testing::SharedServer;

// Runs SQL on the shared server, for tests that reach past the log (tampering, foreign tables).
void Sql(const std::string& sql) {
  auto conn = internal::Connect(SharedServer().conninfo(), std::chrono::seconds(5));
  ASSERT_TRUE(conn) << conn.error().message;
  auto done = internal::ExecText(conn->get(), sql.c_str(), "test SQL");
  ASSERT_TRUE(done) << done.error().message;
}

// Two instances on one log, as two rosterd nodes would have.
class TwoNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = OpenOrDie(schema_);
    b_ = OpenOrDie(schema_);
  }
  const std::string schema_ = FreshSchema();
  std::unique_ptr<PgEventLog> a_, b_;
};

TEST_F(TwoNodesTest, ConcurrentAppendsThroughBothStayGapFreeInCommitOrderAndChained) {
  constexpr int kThreadsPerNode = 4, kAppends = 40;
  std::mutex mu;
  std::set<Position> positions;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerNode; ++t) {
    PgEventLog& node = t % 2 == 0 ? *a_ : *b_;
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        // A stream of its own, and one every thread shares with Any: both nodes write both.
        const std::string stream = i % 2 == 0 ? Numbered("own-", t) : "shared";
        auto r = node.Append(Request(stream, ExpectedVersion::Any(), {Event("t"), Event("t")},
                                     Numbered("cmd-", t * 1000 + i)));
        ASSERT_TRUE(r) << r.error().message;
        std::lock_guard lock(mu);
        for (Position p = r->first_position; p <= r->last_position; ++p) {
          ASSERT_TRUE(positions.insert(p).second) << "position " << p << " given twice";
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const Position total = 2 * kThreadsPerNode * kAppends * 2;
  ASSERT_EQ(positions.size(), total);
  EXPECT_EQ(*positions.rbegin(), total);  // dense: 1..total, none skipped
  auto all = a_->ReadAll(1, total + 10);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), total);
  StreamVersion shared = -1;
  for (const Record& record : *all) {
    if (record.stream == "shared") {
      EXPECT_EQ(record.stream_version, ++shared);
    }
  }
  auto report = b_->Verify(0, 0);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->checked, total);
  // Each node learns of the other's commits through NOTIFY.
  EXPECT_TRUE(tests::Eventually([&] { return a_->LastPosition() == total; }));
  EXPECT_TRUE(tests::Eventually([&] { return b_->LastPosition() == total; }));
}

TEST_F(TwoNodesTest, ASubscriberAndAWaiterOnOneNodeWakeOnTheOthersCommit) {
  auto sub = *b_->Subscribe(0);
  Result<std::vector<Record>> batch;
  Result<Position> waited;
  tests::BlockingCall reader([&] { batch = sub->Next(10, tests::kGenerousTimeout); });
  tests::BlockingCall waiter([&] { waited = b_->WaitForPosition(2, tests::kGenerousTimeout); });
  // Both sleep (on the feed's condition variable): nothing polls the database meanwhile.
  ASSERT_TRUE(reader.WaitUntilBlocked());
  ASSERT_TRUE(waiter.WaitUntilBlocked());
  std::atomic<Position> heard{0};
  b_->AddCommitListener([&](Position p) { heard = p; });
  ASSERT_TRUE(a_->Append(Request("s", ExpectedVersion::Any(), {Event("x"), Event("y")})));
  reader.Join();
  waiter.Join();
  ASSERT_TRUE(batch) << batch.error().message;
  ASSERT_FALSE(batch->empty()) << "B was not woken by A's commit";
  EXPECT_EQ(batch->front().type, "x");
  ASSERT_TRUE(waited);
  EXPECT_EQ(*waited, 2u);
  // Listeners run after the waiters are woken: the reader may get here first.
  EXPECT_TRUE(tests::Eventually([&] { return heard.load() == 2u; }));
  EXPECT_EQ(b_->stats().commits, 0u);  // B wrote nothing: it heard
}

TEST_F(TwoNodesTest, AnExpectedVersionThatLostTheRaceToTheOtherNodeIsRejected) {
  ASSERT_TRUE(b_->Append(Request("org", ExpectedVersion::NoStream(), {Event("t")})));
  // B has decided "org" at version 0 and caches that; A moves it on.
  ASSERT_TRUE(a_->Append(Request("org", ExpectedVersion::Exactly(0), {Event("t")})));
  auto stale = b_->Append(Request("org", ExpectedVersion::Exactly(0), {Event("t")}));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kWrongExpectedVersion);
  EXPECT_EQ(stale.error().current_version, 1);
  auto fresh = b_->Append(Request("org", ExpectedVersion::Exactly(1), {Event("t")}));
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->first_position, 3u);
}

TEST_F(TwoNodesTest, ACommandRetriedOnTheOtherNodeGetsTheFirstOutcome) {
  auto first = a_->Append(Request("org", ExpectedVersion::NoStream(), {Event("t")}, "cmd-1"));
  ASSERT_TRUE(first);
  auto retry = b_->Append(Request("org", ExpectedVersion::NoStream(), {Event("t")}, "cmd-1"));
  ASSERT_TRUE(retry) << retry.error().message;
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->first_position, first->first_position);
  auto found = b_->FindCommand("cmd-1");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->result, *first);
  // B answered from A's commit, so it knows of it, NOTIFY or not.
  EXPECT_EQ(b_->LastPosition(), 1u);
}

// Tampering through SQL: Verify names the exact position, as on RocksDB.
class PgVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = OpenOrDie(schema_);
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE(log_->Append(Request(Numbered("s", i % 4), ExpectedVersion::Any(),
                                       {Event("t", "payload " + std::to_string(i))})));
    }
  }
  void ExpectBadAt(Position position, const std::string& words) {
    auto report = log_->Verify(0, 0);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_FALSE(report->ok);
    EXPECT_EQ(report->first_bad, position) << report->problem;
    EXPECT_EQ(report->checked, position - 1);
    EXPECT_NE(report->problem.find(words), std::string::npos) << report->problem;
  }
  const std::string schema_ = FreshSchema();
  std::unique_ptr<PgEventLog> log_;
};

TEST_F(PgVerifyTest, AnAlteredPayloadByteIsAHashMismatch) {
  // The payload sits just before the two hashes at the end of the record.
  Sql("UPDATE " + schema_ +
      ".events SET record = set_byte(record, length(record) - 65, "
      "get_byte(record, length(record) - 65) # 1) WHERE position = 17");
  ExpectBadAt(17, "hash mismatch");
  EXPECT_TRUE(log_->Verify(1, 16)->ok);
}

TEST_F(PgVerifyTest, ADeletedRowIsNamedMissingAndReadsRefuseTheHole) {
  Sql("DELETE FROM " + schema_ + ".events WHERE position = 17");
  ExpectBadAt(17, "missing");
  auto read = log_->ReadAll(1, 40);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kCorruption);
}

TEST_F(PgVerifyTest, AnIndexColumnThatDisagreesWithItsRecordIsNamed) {
  Sql("UPDATE " + schema_ + ".events SET stream_version = 99 WHERE position = 17");
  ExpectBadAt(17, "disagree");
}

TEST(PgOpenTest, RefusesSchemasThatAreNotALog) {
  const std::string foreign = FreshSchema();
  Sql("CREATE SCHEMA " + foreign + "; CREATE TABLE " + foreign + ".invoices (id int)");
  PgLogOptions options;
  options.schema = foreign;
  auto opened = OpenPgEventLog(SharedServer().conninfo(), options);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kNotARosterStore) << opened.error().message;

  const std::string newer = FreshSchema();
  { OpenOrDie(newer); }
  Sql("UPDATE " + newer + ".meta SET value = '2' WHERE key = 'format_version'");
  options.schema = newer;
  opened = OpenPgEventLog(SharedServer().conninfo(), options);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kNewerFormat) << opened.error().message;

  options.schema = FreshSchema();
  options.create_if_missing = false;
  opened = OpenPgEventLog(SharedServer().conninfo(), options);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kNotARosterStore);

  options.schema = "Robert'); DROP TABLE students;--";
  opened = OpenPgEventLog(SharedServer().conninfo(), options);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
}

// A server of its own, since it is stopped under the log.
TEST(PgServerLossTest, AppendsFailFastWithUnavailableAndRecoverWhenTheServerIsBack) {
  auto server = tests::PgTestServer::Start();
  ASSERT_TRUE(server) << server.error();
  PgLogOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  auto a = OpenPgEventLog((*server)->conninfo(), options);
  auto b = OpenPgEventLog((*server)->conninfo(), options);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE((*a)->Append(Request("s", ExpectedVersion::Any(), {Event("t")}, "cmd-1")));

  // B's notifier is listening (it heard A) before the server goes: what follows is a reconnect.
  ASSERT_TRUE(tests::Eventually([&] { return (*b)->LastPosition() == 1; }));
  ASSERT_EQ((*b)->stats().notifier_connects, 1u);

  ASSERT_TRUE((*server)->Stop("immediate"));  // as if it crashed
  const auto start = std::chrono::steady_clock::now();
  auto lost = (*a)->Append(Request("s", ExpectedVersion::Any(), {Event("t")}, "cmd-2"));
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable) << lost.error().message;
  auto again = (*a)->Append(Request("s", ExpectedVersion::Any(), {Event("t")}, "cmd-2"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kUnavailable) << again.error().message;
  auto read = (*a)->ReadAll(1, 10);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kUnavailable) << read.error().message;
  // Refused connections fail at once; the connect timeout bounds the rest.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);

  ASSERT_TRUE((*server)->Restart());
  // The writer connects again for the next append, and B's notifier reconnects on its own.
  auto back = (*a)->Append(Request("s", ExpectedVersion::Any(), {Event("t")}, "cmd-2"));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_FALSE(back->duplicate);
  EXPECT_EQ(back->first_position, 2u);
  EXPECT_TRUE(tests::Eventually([&] { return (*b)->LastPosition() == 2; }));
  // B's writer connection broke while idle: its first append after the restart reconnects
  // rather than fail.
  auto from_b = (*b)->Append(Request("s", ExpectedVersion::Exactly(1), {Event("t")}));
  ASSERT_TRUE(from_b) << from_b.error().message;
  EXPECT_EQ(from_b->first_position, 3u);
  EXPECT_GE((*b)->stats().notifier_connects, 2u);
  auto found = (*b)->FindCommand("cmd-2");
  ASSERT_TRUE(found && found->has_value()) << (found ? "not found" : found.error().message);
  EXPECT_EQ((*found)->result, *back);
}

}  // namespace
}  // namespace roster::eventstore::postgres

namespace roster::eventstore::postgres {
namespace {

// Every record of `a` equals the record at the same position of `b`, and they have as many.
void ExpectSameRecords(EventLog& a, EventLog& b) {
  ASSERT_EQ(a.LastPosition(), b.LastPosition());
  for (Position next = 1; next <= a.LastPosition(); next += 1000) {
    auto left = a.ReadAll(next, 1000);
    auto right = b.ReadAll(next, 1000);
    ASSERT_TRUE(left && right);
    ASSERT_EQ(*left, *right) << "from position " << next;
  }
}

TEST(CopyLogTest, ALogCopiedFromRocksDbToPostgresAndBackIsTheSameLog) {
  eventstore::testing::TempDir dir;
  auto rocks = eventstore::testing::OpenOrDie(dir.Sub("source"));
  // More records than one read batch (4096), with multi-event appends under command ids and
  // lone records without, and one append of five events across the first batch's end.
  int i = 0;
  const auto append = [&](size_t events, std::string command_id) {
    auto r =
        Request(Numbered("org-", i % 7), ExpectedVersion::Any(),
                std::vector<NewEvent>(events, Event("t", Numbered("p", i))), std::move(command_id));
    r.metadata.time_us += i % 2 == 0 ? i : -i;  // the writer keeps times non-decreasing
    ++i;
    ASSERT_TRUE(rocks->Append(std::move(r)));
  };
  const auto mixed = [&] { append(i % 3 == 0 ? 1 : 3, i % 5 == 0 ? "" : Numbered("cmd-", i)); };
  while (rocks->LastPosition() < 4093) mixed();
  append(5, "cmd-across");
  for (int more = 0; more < 100; ++more) mixed();
  auto boundary = rocks->ReadAll(4096, 2);
  ASSERT_TRUE(boundary);
  ASSERT_EQ(boundary->at(1).metadata.command_id, "cmd-across");
  ASSERT_EQ(boundary->at(0).metadata.command_id, "cmd-across");

  auto pg = OpenOrDie(FreshSchema());
  std::vector<Position> progress;
  auto there = CopyLog(*rocks, *pg, [&](Position done, Position) { progress.push_back(done); });
  ASSERT_TRUE(there) << there.error().message;
  EXPECT_TRUE(there->verified.ok) << there->verified.problem;
  EXPECT_EQ(there->records, rocks->LastPosition());
  EXPECT_EQ(progress.back(), rocks->LastPosition());
  ExpectSameRecords(*rocks, *pg);
  // A command's retry on the copy gets the first outcome, as on the source.
  auto retried = pg->Append(Request("org-1", ExpectedVersion::Any(), {Event("t")}, "cmd-1"));
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_TRUE(retried->duplicate);
  EXPECT_EQ((*pg->FindCommand("cmd-1"))->result, (*rocks->FindCommand("cmd-1"))->result);

  auto back = eventstore::testing::OpenOrDie(dir.Sub("back"));
  auto returned = CopyLog(*pg, *back);
  ASSERT_TRUE(returned) << returned.error().message;
  EXPECT_TRUE(returned->verified.ok) << returned->verified.problem;
  EXPECT_EQ(returned->appends, there->appends);
  ExpectSameRecords(*rocks, *back);
  EXPECT_EQ(returned->verified.last_hash, rocks->Verify(0, 0)->last_hash);

  // Never into a log that holds records.
  auto again = CopyLog(*rocks, *pg);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace roster::eventstore::postgres
