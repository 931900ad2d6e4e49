// Test support: a node whose two databases (the log and the views) each sit on a file system
// that fails on demand, driven by the seeded workload, and the checks every disk-fault test
// ends with: after a restart on a healed disk, the read models equal a rebuild from scratch.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "eventstore/testing/fault_env.h"
#include "tests/faults/fault_kind.h"
#include "tests/service/node_fixture.h"
#include "tools/workload/workload.h"

namespace roster::tests {

using eventstore::testing::FaultInjection;

// The n-th write (or sync) from now of `faults`' files fails, and every write after it.
inline void Arm(FaultInjection& faults, Fault fault, uint64_t n) {
  switch (fault) {
    case Fault::kWriteFails:
      faults.FailFromWriteAfter(n);
      break;
    case Fault::kTornWrite:
      faults.FailFromWriteAfter(n, FaultInjection::Write::kTorn);
      break;
    case Fault::kSyncFails:
      faults.FailFromSyncAfter(n);
      break;
  }
}

// Polls `done` until it holds or `timeout` passes; returns whether it held.
inline bool WaitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Bytes as text, for a failure message about binary keys.
inline std::string Printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// Per projection: the same rows, or a failure naming the projection and its first row that
// differs (the whole dump would bury it).
inline void ExpectSameModels(const std::vector<std::pair<std::string, Rows>>& got,
                             const std::vector<std::pair<std::string, Rows>>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t m = 0; m < got.size(); ++m) {
    const auto& [name, rows] = got[m];
    EXPECT_EQ(name, want[m].first);
    const Rows& expected = want[m].second;
    if (rows == expected) continue;
    size_t i = 0;
    while (i < rows.size() && i < expected.size() && rows[i] == expected[i]) ++i;
    const std::string key = i < rows.size() ? rows[i].first : expected[i].first;
    ADD_FAILURE() << name << ": " << rows.size() << " rows where " << expected.size()
                  << " were expected; the first difference is at key " << Printable(key);
  }
}

class NodeFaultFixture : public NodeFixture {
 protected:
  NodeFaultFixture() {
    log_env_ = log_faults_.env();
    views_env_ = view_faults_.env();
  }
  // The node borrows the fault environments, which are members of this class and so are
  // destroyed before NodeFixture's node_.
  void TearDown() override { Close(); }

  // Small rebuild batches and frequent checkpoints of the index models, so a rebuild of a few
  // thousand events writes several bulk loads for a fault to hit.
  api::service::NodeOptions FaultOptions() {
    api::service::NodeOptions options = Options();
    options.engine.rebuild_batch = 64;
    options.engine.rebuild_checkpoint_every = 300;
    return options;
  }
  // Hides NodeFixture::Open: the same, with FaultOptions(). Returns before a failing rebuild
  // ends only if the engine reports a failure.
  void Open() {
    auto node = api::service::Node::Open(dir_.path(), clock_, logger_, FaultOptions());
    ASSERT_TRUE(node.has_value()) << node.error().message;
    node_ = std::move(*node);
    node_->engine().WaitForRebuilds();
  }
  // A process restart after the disk was repaired: the node is closed on the broken disk.
  void RestartHealed() {
    Close();
    log_faults_.Heal();
    view_faults_.Heal();
    Open();
  }

  // `steps` commands of the workload; each must get an answer (accepted or rejected).
  void Drive(tools::workload::Workload& load, int steps) {
    for (int i = 0; i < steps; ++i) {
      auto step = load.Step();
      ASSERT_TRUE(step.has_value()) << step.error().code << ": " << step.error().message;
    }
  }

  // After catching up, every read model equals what a rebuild from scratch of the same log
  // writes: nothing was applied twice or skipped.
  void ExpectEqualsRebuildFromScratch() {
    ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value())
        << node_->engine().failure();
    const auto served = DumpAll(*node_);
    ASSERT_EQ(served.size(), 5u);
    ASSERT_TRUE(node_->engine().Rebuild({}).has_value());
    node_->engine().WaitForRebuilds();
    ASSERT_EQ(node_->engine().failure(), "");
    ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(30)).has_value());
    ExpectSameModels(served, DumpAll(*node_));
  }

  FaultInjection log_faults_;
  FaultInjection view_faults_;
};

}  // namespace roster::tests
