// Rosterd: the rosterd program as a child process of a test (or a benchmark), on a data
// directory and a loopback port of its own choosing.
//
// rosterd is started with `--listen 127.0.0.1:0 --port-file <data dir>.port` (docs/operations.md):
// the kernel picks the port as rosterd binds it, so no other process can take it first, and
// the constructor returns once rosterd has written the port file (it listens), once it has
// exited (it refused to start), or after the start timeout. Its stdout and stderr are appended
// to "<data dir>.stdout" and "<data dir>.stderr" beside the data directory, across restarts.
// It dies with the thread that started it (see child_process.h).
//
// Resource type. One thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace roster::tests {

struct RosterdOptions {
  std::filesystem::path data_dir;
  std::vector<std::string> extra_args;  // after --data-dir, --listen and --port-file
  std::filesystem::path binary;         // empty: rosterd in this build's bin directory
  // Where stdout and stderr go (appended); empty: beside the data directory, as above.
  std::filesystem::path stdout_path;
  std::filesystem::path stderr_path;
  // How long it may take to listen: opening a large log takes a while.
  std::chrono::milliseconds start_timeout{60000};
  // Variables of this process's environment that rosterd must not see (by name prefix).
  std::vector<std::string> drop_env_prefixes;
};

class Rosterd {
 public:
  explicit Rosterd(const std::filesystem::path& data_dir, std::vector<std::string> extra = {});
  explicit Rosterd(RosterdOptions options);
  ~Rosterd();  // SIGKILL if still running
  Rosterd(const Rosterd&) = delete;
  Rosterd& operator=(const Rosterd&) = delete;

  // The port it listens on; 0 when it did not start listening (see error()).
  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  // Why port() is 0: rosterd exited (with its status), did not listen in time, or could not be
  // started. Empty when it listens.
  const std::string& error() const { return error_; }
  // What this start of rosterd printed on stdout so far.
  std::string output() const;
  // The end of what rosterd wrote on stderr (its log), for failure messages.
  std::string StderrTail(size_t bytes = 2000) const;

  void Signal(int sig);  // nothing when it is not running
  // The exit status (128 + signal when killed), or -1 when it did not exit within the timeout.
  int Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; the exit status after SIGTERM, or nullopt when it had
  // to be killed.
  std::optional<int> Stop(std::chrono::milliseconds grace);

 private:
  RosterdOptions options_;
  std::filesystem::path port_file_;
  uintmax_t stdout_offset_ = 0;  // where this start's output begins in the appended file
  std::optional<ChildProcess> child_;
  uint16_t port_ = 0;
  std::string error_;
};

// The admin token rosterd wrote on its first start in `data_dir` (empty when there is none).
std::string ReadToken(const std::filesystem::path& data_dir);

}  // namespace roster::tests
