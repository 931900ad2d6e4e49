// The engine's own behaviour with a tiny projection: resume from checkpoint, rebuild when the
// version changes (beside the old table, swapped in when caught up, old table dropped), and a
// rebuild that keeps up while appends continue.
#include "projections/projection_engine.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <thread>

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
  uint64_t Count(const std::string& org) const {
    std::shared_lock lock(mutex());
    auto it = counts_.find(org);
    return it == counts_.end() ? 0 : it->second;
  }
  uint64_t applied = 0;
  uint64_t loaded_rows = 0;

 private:
  uint32_t version_;
  std::map<std::string, uint64_t> counts_;
  internal::DirtyRows dirty_;
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

  void Append(const std::string& org, int n) {
    for (int i = 0; i < n; ++i) {
      eventstore::AppendRequest r;
      r.stream = eventstore::codec::OrgStream(domain::OrgId(org));
      r.events.push_back(
          codec_.Encode(domain::ProjectCreated{domain::ProjectId("p" + std::to_string(i)), "P"}));
      ASSERT_TRUE(log_->Append(std::move(r)).has_value());
    }
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

}  // namespace
}  // namespace roster::projections
