// The engine's own behaviour with a tiny projection: resume from checkpoint, rebuild when the
// version changes (beside the old table, swapped in when caught up, old table dropped), a
// rebuild that keeps up while appends continue, and its progress read while it hands over.
#include "projections/projection_engine.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "eventstore/codec/streams.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/temp_dir.h"
#include "projections/internal/dirty_rows.h"
#include "projections/row_codec.h"

namespace roster::projections {
namespace {

// Counts events per organization; its version is chosen by the test.
class CountingProjection final : public Projection {
 public:
  explicit CountingProjection(uint32_t version) : version_(version) {}
  std::string_view name() const override { return "counting"; }
  uint32_t version() const override { return version_; }
  bool LoadRow(std::string_view key, std::string_view value) override {
    KeyReader k(key);
    RowReader r(value);
    counts_[std::string(k.Part())] = r.U64();
    ++loaded_rows;
    return k.done() && r.done();
  }
  void Apply(const EventContext& e) override {
    ++counts_[e.org.value];
    dirty_.Mark(KeyBuilder('c').Part(e.org.value).Take());
    ++applied;
  }
  void Flush(RowSink& sink) override {
    dirty_.Flush(sink, [&](const std::string& key) -> std::optional<std::string> {
      KeyReader k(key);
      return RowWriter().U64(counts_.at(std::string(k.Part()))).Take();
    });
  }
  void EndBulk() override {
    if (on_end_bulk) on_end_bulk();
  }
  uint64_t Count(const std::string& org) const {
    std::shared_lock lock(mutex());
    auto it = counts_.find(org);
    return it == counts_.end() ? 0 : it->second;
  }
  uint64_t applied = 0;
  uint64_t loaded_rows = 0;
  std::function<void()> on_end_bulk;  // runs when a rebuild hands over, before its final rows

 private:
  uint32_t version_;
  std::map<std::string, uint64_t> counts_;
  internal::DirtyRows dirty_;
};

// The log as the engine sees it, with one record appended the first time a read of the whole
// log comes back empty: the rebuild's reader has then reached the end, so that record is left
// for the handoff to apply.
class AppendAtFirstEnd final : public eventstore::EventLog {
 public:
  AppendAtFirstEnd(eventstore::EventLog& log, eventstore::AppendRequest late)
      : log_(log), late_(std::move(late)) {}

  Result<std::vector<eventstore::Record>> ReadAll(eventstore::Position from,
                                                  size_t max_count) override {
    auto records = log_.ReadAll(from, max_count);
    if (records && records->empty() && !appended_.exchange(true)) {
      EXPECT_TRUE(log_.Append(std::move(late_)).has_value());
    }
    return records;
  }
  Result<eventstore::AppendResult> Append(eventstore::AppendRequest request) override {
    return log_.Append(std::move(request));
  }
  Result<std::vector<eventstore::Record>> ReadStream(std::string_view stream,
                                                     eventstore::StreamVersion from_version,
                                                     size_t max_count) override {
    return log_.ReadStream(stream, from_version, max_count);
  }
  Result<size_t> VisitAll(eventstore::Position from, size_t max_count,
                          const eventstore::RecordVisitor& visit) override {
    return log_.VisitAll(from, max_count, visit);
  }
  Result<eventstore::StreamVersion> StreamHead(std::string_view stream) override {
    return log_.StreamHead(stream);
  }
  eventstore::Position LastPosition() const override { return log_.LastPosition(); }
  Result<std::optional<eventstore::CommandOutcomeRecord>> FindCommand(
      std::string_view command_id) override {
    return log_.FindCommand(command_id);
  }
  Result<std::unique_ptr<eventstore::Subscription>> Subscribe(eventstore::Position after) override {
    return log_.Subscribe(after);
  }
  Result<eventstore::Position> WaitForPosition(eventstore::Position position,
                                               std::chrono::milliseconds timeout) override {
    return log_.WaitForPosition(position, timeout);
  }
  uint64_t AddCommitListener(std::function<void(eventstore::Position)> listener) override {
    return log_.AddCommitListener(std::move(listener));
  }
  void RemoveCommitListener(uint64_t id) override { log_.RemoveCommitListener(id); }
  Result<eventstore::VerifyReport> Verify(
      eventstore::Position from, eventstore::Position to,
      std::function<void(eventstore::Position)> progress) override {
    return log_.Verify(from, to, std::move(progress));
  }

 private:
  eventstore::EventLog& log_;
  eventstore::AppendRequest late_;
  std::atomic<bool> appended_{false};
};

class ProjectionEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    eventstore::StoreOptions options;
    options.sync = false;
    log_ = std::move(*eventstore::OpenRocksEventStore(dir_.Sub("log"), options));
    views_ = std::move(*ViewStore::Open(dir_.Sub("views")));
  }

  std::unique_ptr<ProjectionEngine> Start(uint32_t version) {
    auto engine = std::make_unique<ProjectionEngine>(
        *log_, *views_, codec_, std::vector<ProjectionFactory>{[version] {
          return std::make_unique<CountingProjection>(version);
        }},
        EngineOptions{.rebuild_batch = 100, .rebuild_checkpoint_every = 250, .logger = logger_});
    EXPECT_TRUE(engine->Start().has_value());
    return engine;
  }

  eventstore::AppendRequest Request(const std::string& org, int i) {
    eventstore::AppendRequest r;
    r.stream = eventstore::codec::OrgStream(domain::OrgId(org));
    r.events.push_back(
        codec_.Encode(domain::ProjectCreated{domain::ProjectId("p" + std::to_string(i)), "P"}));
    return r;
  }

  void Append(const std::string& org, int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(log_->Append(Request(org, i)).has_value());
  }

  eventstore::testing::TempDir dir_{"roster-engine-test"};
  eventstore::codec::EventCodec codec_;
  std::shared_ptr<spdlog::logger> logger_ =
      std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::unique_ptr<eventstore::RocksEventStore> log_;
  std::unique_ptr<ViewStore> views_;
};

TEST_F(ProjectionEngineTest, ResumesFromItsCheckpointWithoutReapplying) {
  Append("a", 30);
  auto engine = Start(1);
  engine->WaitForRebuilds();
  Append("b", 20);
  ASSERT_TRUE(engine->CatchUp(std::chrono::seconds(10)).has_value());
  engine->Stop();
  engine.reset();

  Append("a", 5);  // appended while the engine was down
  engine = Start(1);
  ASSERT_TRUE(engine->CatchUp(std::chrono::seconds(10)).has_value());
  auto p = engine->Active<CountingProjection>("counting");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->Count("a"), 35u);
  EXPECT_EQ(p->Count("b"), 20u);
  EXPECT_EQ(p->applied, 5u) << "only the events after the checkpoint are applied again";
  EXPECT_EQ(p->loaded_rows, 2u);
}

TEST_F(ProjectionEngineTest, VersionChangeRebuildsBesideTheOldTableAndSwaps) {
  Append("a", 40);
  auto engine = Start(1);
  engine->WaitForRebuilds();
  ASSERT_TRUE(engine->CatchUp(std::chrono::seconds(10)).has_value());
  engine->Stop();
  engine.reset();
  auto names = views_->TableNames();
  ASSERT_NE(std::find(names.begin(), names.end(), "counting@1"), names.end());

  // Version 2 rebuilds from the log while appends go on.
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 50 && !done; ++i) Append("w", 1);
  });
  engine = Start(2);
  engine->WaitForRebuilds();
  writer.join();
  done = true;
  ASSERT_TRUE(engine->CatchUp(std::chrono::seconds(10)).has_value());
  auto p = engine->Active<CountingProjection>("counting");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->Count("a"), 40u);
  EXPECT_EQ(p->Count("w"), 50u);
  auto status = engine->Describe();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].version, 2u);
  EXPECT_EQ(status[0].generation, 2u);
  names = views_->TableNames();
  EXPECT_EQ(std::find(names.begin(), names.end(), "counting@1"), names.end())
      << "the old generation is dropped";
  EXPECT_NE(std::find(names.begin(), names.end(), "counting@2"), names.end());
}

TEST_F(ProjectionEngineTest, QueriesWaitForTheirTokenAndTimeOutWithAReason) {
  auto engine = Start(1);
  engine->WaitForRebuilds();
  Append("a", 3);
  const auto last = log_->LastPosition();
  EXPECT_TRUE(engine->WaitFor("counting", last, std::chrono::seconds(5)).has_value());
  auto never = engine->WaitFor("counting", last + 100, std::chrono::milliseconds(50));
  ASSERT_FALSE(never.has_value());
  EXPECT_EQ(never.error().code, eventstore::ErrorCode::kTimeout);
  EXPECT_NE(never.error().message.find("not yet"), std::string::npos);
}

// Describe() (a status query, roster-admin's progress) runs on other threads while a rebuild
// hands over: it must see the position the handoff reached, under the engine's lock. Built
// with ThreadSanitizer (tools/sanitize.sh), this fails on a position written without it.
TEST_F(ProjectionEngineTest, DescribeDuringTheHandoffSeesThePositionItReached) {
  Append("a", 40);
  AppendAtFirstEnd log(*log_, Request("late", 0));
  // Set when the handoff stages its final rows, after applying the tail of the log. Relaxed on
  // purpose: a flag that synchronized would order the handoff's writes before the reads below
  // for ThreadSanitizer, whatever lock the engine takes.
  std::atomic<bool> handing_over{false};
  std::atomic<int> described_during{0};
  auto engine = std::make_unique<ProjectionEngine>(
      log, *views_, codec_, std::vector<ProjectionFactory>{[&] {
        auto p = std::make_unique<CountingProjection>(1);
        p->on_end_bulk = [&] {
          handing_over.store(true, std::memory_order_relaxed);
          // The swap waits until Describe() has run twice meanwhile.
          const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
          while (described_during.load() < 2 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::yield();
          }
        };
        return p;
      }},
      EngineOptions{.rebuild_batch = 16, .logger = logger_});

  ASSERT_TRUE(engine->Start().has_value());
  std::atomic<bool> stop{false};
  std::vector<ProjectionStatus> seen;  // what Describe() said during the handoff
  std::thread describer([&] {
    while (!stop) {
      const bool during = handing_over.load(std::memory_order_relaxed);
      auto status = engine->Describe();
      if (during && described_during < 2) {
        seen.push_back(status.at(0));
        ++described_during;
      }
    }
  });
  engine->WaitForRebuilds();
  stop = true;
  describer.join();

  const eventstore::Position last = log_->LastPosition();
  ASSERT_EQ(last, 41u) << "the late record was appended once";
  ASSERT_EQ(seen.size(), 2u);
  for (const ProjectionStatus& s : seen) {
    EXPECT_TRUE(s.building);
    EXPECT_EQ(s.build_position, last) << "the handoff applied the late record";
  }
  ASSERT_TRUE(engine->CatchUp(std::chrono::seconds(10)).has_value());
  auto p = engine->Active<CountingProjection>("counting");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->Count("a"), 40u);
  EXPECT_EQ(p->Count("late"), 1u);
  engine->Stop();
}

}  // namespace
}  // namespace roster::projections
