#include "tests/support/waiting.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <utility>

namespace roster::tests {
namespace {

constexpr std::chrono::milliseconds kPollEvery{5};

// The one-letter state of thread `tid` of this process (R running, S sleeping, ...), or 0 when
// it cannot be read. The name in parentheses may hold anything, so the state is found after
// the last ')'.
char ThreadState(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? 0 : stat[paren + 2];
}

}  // namespace

bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(kPollEvery);
  }
  return true;
}

BlockingCall::BlockingCall(std::function<void()> call)
    : thread_([this, call = std::move(call)] {
        tid_ = gettid();
        call();
        returned_ = true;
      }) {}

BlockingCall::~BlockingCall() { Join(); }

void BlockingCall::Join() {
  if (thread_.joinable()) thread_.join();
}

bool BlockingCall::WaitUntilBlocked(std::chrono::milliseconds timeout) {
  // A thread may sleep for a moment on its way into the call (an allocator's lock, say); asleep
  // in two looks in a row, it is waiting inside the call.
  int asleep = 0;
  return Eventually(
      [&] {
        if (returned_) return true;
        const pid_t tid = tid_;
        asleep = tid != 0 && ThreadState(tid) == 'S' ? asleep + 1 : 0;
        return asleep >= 2;
      },
      timeout);
}

void Gate::Arm() {
  std::lock_guard lock(mu_);
  armed_ = !open_;
}

void Gate::Pass() {
  std::unique_lock lock(mu_);
  if (!armed_) return;
  armed_ = false;
  held_ = true;
  cv_.notify_all();
  cv_.wait(lock, [this] { return !held_; });
}

bool Gate::WaitHeld(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return held_; });
}

void Gate::Release() {
  std::lock_guard lock(mu_);
  held_ = false;
  cv_.notify_all();
}

void Gate::Open() {
  std::lock_guard lock(mu_);
  open_ = true;
  armed_ = false;
  held_ = false;
  cv_.notify_all();
}

}  // namespace roster::tests
