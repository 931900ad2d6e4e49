// Time in the domain: a point in UTC with microsecond resolution, and the clock interface.
//
// The domain never reads the system clock: the current time is an argument of every decision,
// supplied by a Clock that the caller owns (the system clock in the server, a ManualClock in
// tests and simulations).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace roster::domain {

using Time = std::chrono::sys_time<std::chrono::microseconds>;
using Duration = std::chrono::microseconds;

inline int64_t ToMicros(Time t) { return t.time_since_epoch().count(); }
inline Time FromMicros(int64_t us) { return Time(Duration(us)); }

constexpr Duration Days(int64_t n) {
  return std::chrono::duration_cast<Duration>(std::chrono::days(n));
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
};

// A clock that moves only when told to. Not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Time start) : now_(start) {}
  Time Now() const override { return now_; }
  void Set(Time t) { now_ = t; }
  void Advance(Duration d) { now_ += d; }

 private:
  Time now_;
};

// The test clock (rosterd --test-clock): another clock plus an offset that only grows, so that
// integrators can reach an expiry without waiting for it. Never moving back keeps the times
// recorded in the log in order. Thread-safe.
class OffsetClock final : public Clock {
 public:
  // The most the offset may reach: far beyond any lifetime Roster decides on, far below where
  // microsecond times overflow.
  static constexpr Duration kMaxOffset = Days(36500);

  // `start`: the offset a previous run reached (rosterd keeps it in its data directory, so
  // that a restart does not move the time back); clamped to [0, kMaxOffset].
  explicit OffsetClock(const Clock& base, Duration start = Duration::zero())
      : base_(base), offset_us_(std::clamp(start, Duration::zero(), kMaxOffset).count()) {}
  Time Now() const override { return base_.Now() + offset(); }
  Duration offset() const { return Duration(offset_us_.load(std::memory_order_acquire)); }

  // Moves forward by `by` (> 0) and returns the new offset; nullopt, and no change, when `by`
  // is not positive or the offset would pass kMaxOffset.
  std::optional<Duration> Advance(Duration by) {
    if (by <= Duration::zero()) return std::nullopt;
    int64_t current = offset_us_.load(std::memory_order_acquire);
    for (;;) {
      if (by.count() > kMaxOffset.count() - current) return std::nullopt;
      if (offset_us_.compare_exchange_weak(current, current + by.count(),
                                           std::memory_order_acq_rel)) {
        return Duration(current + by.count());
      }
    }
  }

 private:
  const Clock& base_;
  std::atomic<int64_t> offset_us_;
};

}  // namespace roster::domain
