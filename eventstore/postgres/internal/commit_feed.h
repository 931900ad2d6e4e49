// CommitFeed: the end of the log as this process knows it, and the one place readers wait for
// it (WaitForPosition, subscriptions) and commit listeners hear of it.
//
// Two threads advance it: the writer after its own commits (and to the head it locks, which
// may hold other processes' commits), and the notifier when NOTIFY says another process
// committed. Advance() is serialised and only ever moves forward, so the
// listeners see increasing positions, each once, whichever thread learnt of a commit first.
// Waiters sleep on a condition variable every advance notifies: no polling.
//
// Thread-safe. Internal to eventstore/postgres/.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "eventstore/record.h"

namespace roster::eventstore::postgres::internal {

class CommitFeed {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CommitFeed(Position last) : last_(last) {}

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

  // The records up to `last` are committed. Runs the listeners on the calling thread, under a
  // lock: they are documented as quick and must not call back into the log.
  void Advance(Position last) {
    std::lock_guard publish(publish_mu_);
    if (last <= last_.load(std::memory_order_relaxed)) return;
    {
      std::lock_guard lock(mu_);
      last_.store(last, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& [id, listener] : listeners_) listener(last);
  }

  uint64_t AddListener(std::function<void(Position)> listener) {
    std::lock_guard publish(publish_mu_);
    listeners_.emplace_back(++last_listener_id_, std::move(listener));
    return last_listener_id_;
  }
  void RemoveListener(uint64_t id) {
    std::lock_guard publish(publish_mu_);
    std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
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
  void Wake() {
    { std::lock_guard lock(mu_); }
    cv_.notify_all();
  }

  // Waits until last() > after, the feed is closed, stop() holds, or the deadline passes.
  // Returns last().
  template <class Stop>
  Position WaitBeyond(Position after, Clock::time_point deadline, Stop stop) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return last() > after || closed() || stop(); });
    return last();
  }

 private:
  std::mutex publish_mu_;  // serialises Advance and guards the listeners
  uint64_t last_listener_id_ = 0;
  std::vector<std::pair<uint64_t, std::function<void(Position)>>> listeners_;

  std::mutex mu_;  // what waiters sleep on
  std::condition_variable cv_;
  std::atomic<Position> last_;
  std::atomic<bool> closed_{false};
};

}  // namespace roster::eventstore::postgres::internal
