// A year of simulated history for the audit tests: a node on a temporary data directory, a
// manual clock moved forward day by day through 2026, and the seeded workload running a few
// commands a day over several organizations. Snapshots of each organization's members taken
// from the live projections at chosen moments are the oracle for as-of.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "tests/service/node_fixture.h"
#include "tools/admin/admin_commands.h"
#include "tools/workload/workload.h"

namespace roster::tests {

class YearFixture : public NodeFixture {
 protected:
  static constexpr int kDays = 365;
  static constexpr int kStepsPerDay = 5;

  // Members (user -> role) of every organization at a moment, from the live projection.
  using Snapshot = std::map<std::string, std::map<std::string, std::string>>;

  void SetUp() override {
    Open();
    tools::workload::WorkloadOptions options;
    options.orgs = 4;
    options.seed = 2026;
    workload_ = std::make_unique<tools::workload::Workload>(node_->commands(), options);
    ASSERT_TRUE(workload_->Setup().has_value());
    for (int day = 0; day < kDays; ++day) {
      // Commands at 09:00 + step hours on each day, then a snapshot at 23:00 that as-of must
      // reproduce (a time between changes: nothing happens between 14:00 and 09:00).
      const domain::Time midnight = Jan2026() + domain::Days(day);
      for (int step = 0; step < kStepsPerDay; ++step) {
        clock_.Set(midnight + std::chrono::hours(9 + step));
        ASSERT_TRUE(workload_->Step().has_value());
      }
      if (day % 30 == 15) {
        const int64_t at = domain::ToMicros(midnight + std::chrono::hours(23));
        ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(10)).has_value());
        snapshots_[at] = Members();
      }
    }
    ASSERT_TRUE(node_->engine().CatchUp(std::chrono::seconds(10)).has_value());
    last_ = node_->log().LastPosition();
  }

  Snapshot Members() {
    Snapshot out;
    for (const std::string& org : workload_->org_ids()) {
      auto page = node_->queries().ListMembers(domain::OrgId(org), api::service::Viewer{}, false, 0,
                                               1000, 0);
      if (!page) continue;  // deleted by the workload
      for (const auto& m : page->members) out[org][m.user_id] = m.role;
    }
    return out;
  }

  std::unique_ptr<tools::workload::Workload> workload_;
  std::map<int64_t, Snapshot> snapshots_;
  eventstore::Position last_ = 0;
};

// Runs an admin command into strings.
struct Captured {
  std::ostringstream out, err;
  tools::admin::Streams io{out, err, false};
};

}  // namespace roster::tests
