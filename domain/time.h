// Time in the domain: a point in UTC with microsecond resolution, and the clock interface.
//
// The domain never reads the system clock: the current time is an argument of every decision,
// supplied by a Clock that the caller owns (the system clock in the server, a ManualClock in
// tests and simulations).
#pragma once

#include <chrono>
#include <cstdint>

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

}  // namespace roster::domain
