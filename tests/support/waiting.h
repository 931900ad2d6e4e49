// Waiting in tests for something observable to happen, instead of sleeping for a while and
// hoping it has: a predicate polled until it holds, another thread seen blocked in a call, or
// another thread held at a known point.
//
// The timeouts are generous on purpose: they only bound how long a failing test takes, and must
// never be what decides a test on a slow or loaded machine.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace roster::tests {

inline constexpr std::chrono::milliseconds kGenerousTimeout{60000};

// Polls `done` (every few milliseconds) until it returns true or `timeout` passes; returns
// whether it held.
bool Eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = kGenerousTimeout);

// Runs `call` on a thread of its own, for a test that must act only once that thread is
// blocked inside the call (waiting on a condition variable, a socket, a child): a wake-up is
// then tested for real rather than raced. The destructor joins the thread.
class BlockingCall {
 public:
  explicit BlockingCall(std::function<void()> call);
  ~BlockingCall();
  BlockingCall(const BlockingCall&) = delete;
  BlockingCall& operator=(const BlockingCall&) = delete;

  // Waits until the thread sleeps in the kernel inside `call`, or `call` has returned; false
  // when neither happened within `timeout`. Linux only: it reads the thread's state in /proc.
  bool WaitUntilBlocked(std::chrono::milliseconds timeout = kGenerousTimeout);
  bool returned() const { return returned_; }
  void Join();

 private:
  std::atomic<pid_t> tid_{0};
  std::atomic<bool> returned_{false};
  std::thread thread_;
};

// A point in another thread's path where the test can hold it: that thread calls Pass() there
// (from a hook such as a commit listener). Once armed, the next Pass() blocks until Release(),
// and WaitHeld() tells the test it has got there; meanwhile the test knows exactly where that
// thread is. Thread-safe. Open() before the gate goes, so that nothing stays held.
class Gate {
 public:
  // Holds the next thread that passes.
  void Arm();
  // The held point; returns at once unless armed.
  void Pass();
  // Waits until a thread is held; false when none came within `timeout`.
  bool WaitHeld(std::chrono::milliseconds timeout = kGenerousTimeout);
  // Lets the held thread go on. Arm() again to hold the next one.
  void Release();
  // Disarms and releases, for good.
  void Open();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool held_ = false;
  bool open_ = false;
};

}  // namespace roster::tests
