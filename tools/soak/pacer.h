// Pacer: spaces a thread's requests to a rate. A thread that falls behind does not burst to
// catch up: the soak is a steady load, not a throughput test.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace roster::tools::soak {

class Pacer {
 public:
  // `per_second` <= 0: no pacing.
  explicit Pacer(double per_second)
      : interval_(per_second > 0 ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(1.0 / per_second))
                                 : std::chrono::steady_clock::duration::zero()),
        due_(std::chrono::steady_clock::now()) {}

  // Waits for the next slot, in short sleeps so that `stop` is seen soon.
  void Wait(const std::atomic<bool>& stop) {
    if (interval_ == std::chrono::steady_clock::duration::zero()) return;
    const auto now = std::chrono::steady_clock::now();
    if (due_ < now - std::chrono::seconds(1)) due_ = now;
    due_ += interval_;
    while (!stop && std::chrono::steady_clock::now() < due_) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          due_ - std::chrono::steady_clock::now(), std::chrono::milliseconds(100)));
    }
  }

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point due_;
};

}  // namespace roster::tools::soak
