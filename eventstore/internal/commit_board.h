// CommitBoard: the durable end of the log, published by the writer after each synced commit,
// and the one place readers wait for it (WaitForPosition, subscriptions). Waiters sleep on a
// condition variable that every commit notifies: no polling.
//
// Thread-safe. Internal to eventstore/.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "eventstore/record.h"

namespace roster::eventstore::internal {

class CommitBoard {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CommitBoard(Position last) : last_(last) {}

  // now + timeout, saturating: callers may pass milliseconds::max() to mean "no limit".
  static Clock::time_point DeadlineAfter(std::chrono::milliseconds timeout) {
    const auto now = Clock::now();
    if (timeout >=
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now)) {
      return Clock::time_point::max();
    }
    return now + timeout;
  }

  Position last() const { return last_.load(std::memory_order_acquire); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }

  // Called by the writer once the records up to `last` are durable.
  void Publish(Position last) {
    {
      std::lock_guard lock(mu_);
      last_.store(last, std::memory_order_release);
    }
    cv_.notify_all();
  }

  // Wakes every waiter for good: later waits return at once.
  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_.store(true, std::memory_order_release);
    }
    cv_.notify_all();
  }

  // Wakes every waiter so it re-checks its own stop condition (a subscription being closed).
  // The caller must have made that condition true before calling.
  void Wake() {
    { std::lock_guard lock(mu_); }
    cv_.notify_all();
  }

  // Waits until last() > after, the board is closed, stop() holds, or the deadline passes.
  // Returns last().
  template <class Stop>
  Position WaitBeyond(Position after, Clock::time_point deadline, Stop stop) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return last() > after || closed() || stop(); });
    return last();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<Position> last_;
  std::atomic<bool> closed_{false};
};

}  // namespace roster::eventstore::internal
