// Test support: a Roster node on a fresh temporary directory with a manual clock.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/service/node.h"
#include "eventstore/testing/temp_dir.h"
#include "projections/position_index.h"

namespace roster::tests {

inline std::shared_ptr<spdlog::logger> QuietLogger() {
  if (getenv("ROSTER_TEST_LOG")) return spdlog::stderr_color_mt("test");
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

inline domain::Time Jan2026() { return domain::FromMicros(1'767'225'600'000'000); }

using Rows = std::vector<std::pair<std::string, std::string>>;

inline Rows Dump(const projections::Table& table) {
  Rows rows;
  auto scanned = table.Scan("", "", [&](std::string_view k, std::string_view v) {
    rows.emplace_back(std::string(k), std::string(v));
    return true;
  });
  EXPECT_TRUE(scanned.has_value());
  return rows;
}

// Every projection's content, by projection name: the rows of in-memory models, and for the
// append-only ones each index key with all its positions (their chunking depends on when
// flushes happened, which a rebuild does differently).
inline std::vector<std::pair<std::string, Rows>> DumpAll(api::service::Node& node) {
  std::vector<std::pair<std::string, Rows>> out;
  for (const auto& status : node.engine().Describe()) {
    auto p = node.engine().Active(status.name);
    EXPECT_NE(p, nullptr) << status.name;
    if (!p) continue;
    if (p->LoadsRows()) {
      out.emplace_back(status.name, Dump(p->table()));
      continue;
    }
    auto index = projections::PositionIndex::ReadAll(p->table());
    EXPECT_TRUE(index.has_value());
    Rows rows;
    for (const auto& [key, positions] : *index) {
      std::string list;
      for (auto pos : positions) list += std::to_string(pos) + ",";
      rows.emplace_back(key, list);
    }
    out.emplace_back(status.name, std::move(rows));
  }
  return out;
}

class NodeFixture : public ::testing::Test {
 protected:
  api::service::NodeOptions Options() {
    api::service::NodeOptions options;
    options.store.sync = sync_;
    options.store.env = log_env_;
    options.views.env = views_env_;
    options.run_sweeper = false;
    options.engine.model_cache_bytes = model_cache_bytes_;
    return options;
  }
  void Open() {
    auto node = api::service::Node::Open(dir_.path(), clock_, logger_, Options());
    ASSERT_TRUE(node.has_value()) << node.error().message;
    node_ = std::move(*node);
    node_->engine().WaitForRebuilds();  // first start builds every read model
  }
  void Close() { node_.reset(); }
  void Reopen() {
    Close();
    Open();
  }

  api::service::CommandOutcome Exec(const std::string& org, const std::string& actor,
                                    domain::Command command, const std::string& command_id = {},
                                    const std::string& request_digest = {}) {
    auto outcome =
        node_->commands().Execute(domain::OrgId(org), std::move(command),
                                  api::service::CommandContext{domain::UserId(actor), command_id,
                                                               "", "test", request_digest});
    EXPECT_TRUE(outcome.has_value()) << (outcome ? "" : outcome.error().message);
    return outcome ? *outcome : api::service::CommandOutcome{};
  }

  eventstore::testing::TempDir dir_{"roster-service-test"};
  domain::ManualClock clock_{Jan2026()};
  std::shared_ptr<spdlog::logger> logger_ = QuietLogger();
  bool sync_ = false;  // durability is not what these tests are about
  // File systems of the two databases (null: the default); fault tests set them. Borrowed.
  rocksdb::Env* log_env_ = nullptr;
  rocksdb::Env* views_env_ = nullptr;
  std::unique_ptr<api::service::Node> node_;
  size_t model_cache_bytes_ = projections::EngineOptions{}.model_cache_bytes;
};

}  // namespace roster::tests
