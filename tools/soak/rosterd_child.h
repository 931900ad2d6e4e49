// RosterdChild: the soak's rosterd, a child process on a data directory and a free loopback
// port, killed and started again many times, with its memory read from /proc.
//
// The approach (fork/exec, PR_SET_PDEATHSIG so that a crashed soak leaves no server behind,
// the port read from rosterd's "listening on port N," line) is copied from
// tests/api/rosterd_process.cc and adapted: the soak is a program rather than a test, passes
// the binary's path in, waits longer for a start (a start replays more history as the run goes
// on) and samples the child's resident memory. Not thread-safe: one owner drives it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace roster::tools::soak {

struct RosterdOptions {
  std::filesystem::path binary;
  std::filesystem::path data_dir;
  std::filesystem::path log_file;  // rosterd's stderr, appended across starts
  std::vector<std::string> extra_args;
  std::chrono::seconds start_timeout{120};
};

// Resident memory of a process, from /proc/PID/status, in KiB.
struct Memory {
  uint64_t rss_kib = 0;  // VmRSS: now
  uint64_t hwm_kib = 0;  // VmHWM: the peak since the process started
};
std::optional<Memory> ReadMemory(pid_t pid);

class RosterdChild {
 public:
  // Starts rosterd on 127.0.0.1, port 0, and waits until it names its port. The error says
  // what rosterd printed.
  static std::expected<std::unique_ptr<RosterdChild>, std::string> Start(
      const RosterdOptions& options);
  ~RosterdChild();  // SIGKILL and reap, if still running
  RosterdChild(const RosterdChild&) = delete;
  RosterdChild& operator=(const RosterdChild&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // The exit status (128 + signal when killed), or -1 when it did not exit within the timeout.
  int Wait(std::chrono::milliseconds timeout);

 private:
  RosterdChild() = default;

  pid_t pid_ = -1;
  int stdout_fd_ = -1;  // kept open: rosterd must never write into a closed pipe
  uint16_t port_ = 0;
  bool exited_ = false;
};

// The end of a log file, for failure messages.
std::string FileTail(const std::filesystem::path& file, size_t bytes = 3000);

}  // namespace roster::tools::soak
