// ChildProcess: a program started by a test (or a benchmark) as a child process, with its
// standard output and error going to files, that never outlives the process that started it.
//
// The child gets SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG), so a test
// that crashes or aborts leaves no server running on the machine: start children from a thread
// that lives at least as long as they should (the test's main thread). Standard input is
// /dev/null; descriptors other than 0, 1 and 2 are not inherited; signal mask and ignored
// signals are reset to the defaults.
//
// Resource type: movable, not copyable. One thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace roster::tests {

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0] is the program's path
  // Where standard output and error go; empty: /dev/null. The same path for both gives one
  // file with both, in the order written.
  std::filesystem::path stdout_path;
  std::filesystem::path stderr_path;
  bool append_output = false;  // append to the files rather than truncate them
  // The environment is this process's, without the variables whose name starts with one of
  // these, plus `extra_env` ("NAME=value").
  std::vector<std::string> drop_env_prefixes;
  std::vector<std::string> extra_env;
};

class ChildProcess {
 public:
  // Starts the child; an error says what could not be done (opening a file, fork).
  static std::expected<ChildProcess, std::string> Start(const ChildOptions& options);
  ~ChildProcess();  // SIGKILL and reap, if still running
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Whether it still runs; reaps it when it has exited.
  bool Running();
  // Nothing once it has exited and been reaped (its pid may belong to another process then).
  void Signal(int sig);
  // Its exit status (128 + the signal when a signal ended it), or nullopt when it is still
  // running after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Blocks until it exits; its exit status as above.
  int Wait();
  // SIGTERM, then SIGKILL if it has not exited after `grace`; waits for the exit. The exit
  // status after SIGTERM, or nullopt when it had to be killed.
  std::optional<int> Stop(std::chrono::milliseconds grace);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  void Reaped(int status);
  void KillAndReap();

  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// Runs `command` through the shell and waits for it; its exit status (-1 when it did not exit
// normally) and what it printed on stdout.
struct CommandRun {
  int status = -1;
  std::string out;
};
CommandRun RunCommand(const std::string& command);

}  // namespace roster::tests
