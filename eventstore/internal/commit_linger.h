// CommitLinger: how long the writer waits for more appends before taking a group.
//
// Without it, concurrent callers split into two alternating halves: the ones answered by a
// commit come back while the next group (formed by the others during that commit's sync) is
// already being written, so each sync carries about half of the active callers. Waiting a
// little for the callers just answered lets one sync carry all of them (the idea behind
// PostgreSQL's commit_delay and MySQL's binlog_group_commit_sync_delay, made adaptive).
//
// The writer waits only while the queue holds fewer requests than the callers known to be
// active (those answered by the last commit plus those that queued during its write), for at
// most half the recent write time. When a wait times out the budget halves, so callers that do
// not come back quickly (long think times) stop costing latency; it is probed again now and
// then. A lone caller never waits: it is the whole target by itself.
//
// Pure bookkeeping, used only by the writer thread; not thread-safe.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace roster::eventstore::internal {

class CommitLinger {
 public:
  using Nanos = std::chrono::nanoseconds;
  static constexpr Nanos kMaxBudget = std::chrono::milliseconds(1);
  static constexpr Nanos kMinBudget = std::chrono::microseconds(5);
  static constexpr uint64_t kProbeEvery = 64;

  // After a group: `answered` callers were just woken, `queued` requests were waiting when its
  // write ended, and the write took `write_time` (zero: nothing was written).
  void OnCommit(size_t answered, size_t queued, Nanos write_time) {
    target_ = answered + queued;
    if (write_time > Nanos::zero()) {
      write_average_ =
          write_average_ == Nanos::zero() ? write_time : (write_average_ * 7 + write_time) / 8;
    }
    cap_ = std::min(write_average_ / 2, kMaxBudget);
    if (++commits_ % kProbeEvery == 0) budget_ = cap_;
    budget_ = std::min(budget_, cap_);
  }

  // The queue size worth waiting for.
  size_t target() const { return target_; }
  // How long to wait for it at most; zero means do not wait.
  Nanos budget() const { return budget_ < kMinBudget ? Nanos::zero() : budget_; }

  // Whether the last wait reached the target before its budget ran out.
  void OnWait(bool reached) {
    budget_ = reached ? std::min(std::max(budget_ * 2, kMinBudget * 2), cap_) : budget_ / 2;
  }

 private:
  size_t target_ = 0;
  Nanos write_average_{0};
  Nanos cap_{0};
  Nanos budget_ = kMaxBudget;
  uint64_t commits_ = 0;
};

}  // namespace roster::eventstore::internal
