// rosterd as a child process of a test: started on a data directory and a free loopback port,
// signalled, waited for. Its stderr goes to "<dir>.stderr" beside the data directory.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace roster::tests {

class Rosterd {
 public:
  // Starts rosterd and reads its stdout until it names its port (at most 20 s); port() is 0
  // when it did not.
  explicit Rosterd(const std::filesystem::path& dir, std::vector<std::string> extra = {});
  ~Rosterd();  // SIGKILL if still running
  Rosterd(const Rosterd&) = delete;
  Rosterd& operator=(const Rosterd&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& output() const { return stdout_; }
  void Signal(int sig);  // nothing when the child never started
  // The end of what rosterd wrote on stderr (its log), for failure messages.
  std::string StderrTail(size_t bytes = 2000) const;
  // The exit status (128 + signal when killed), or -1 when it did not exit within the timeout.
  int Wait(std::chrono::milliseconds timeout);

 private:
  std::filesystem::path stderr_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  bool exited_ = false;
  std::string stdout_;
};

// The admin token rosterd wrote on its first start.
std::string ReadToken(const std::filesystem::path& dir);

// Runs `command` through the shell; returns its exit status and what it printed on stdout.
struct ToolRun {
  int status = -1;
  std::string out;
};
ToolRun RunCommand(const std::string& command);

}  // namespace roster::tests
