#include "tests/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;

namespace roster::tests {
namespace {

// A descriptor closed when this goes, unless released.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

int OutputFlags(bool append) {
  return O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
}

int StatusOf(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

}  // namespace

std::expected<ChildProcess, std::string> ChildProcess::Start(const ChildOptions& options) {
  if (options.argv.empty()) return std::unexpected("no program to start");
  // Everything the child needs is made here: between fork and exec a child of a threaded
  // process may only make async-signal-safe calls (no allocation, no locks).
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    bool dropped = false;
    for (const auto& prefix : options.drop_env_prefixes) dropped |= entry.starts_with(prefix);
    if (!dropped) env_storage.push_back(entry);
  }
  env_storage.insert(env_storage.end(), options.extra_env.begin(), options.extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  Fd in(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return std::unexpected(Errno("/dev/null"));
  const auto open_output = [&](const std::filesystem::path& path) {
    return path.empty() ? open("/dev/null", O_WRONLY | O_CLOEXEC)
                        : open(path.c_str(), OutputFlags(options.append_output), 0644);
  };
  Fd out(open_output(options.stdout_path));
  if (out.get() < 0) return std::unexpected(Errno(options.stdout_path.string()));
  const bool one_file = !options.stdout_path.empty() && options.stderr_path == options.stdout_path;
  Fd err(one_file ? -1 : open_output(options.stderr_path));
  if (!one_file && err.get() < 0) return std::unexpected(Errno(options.stderr_path.string()));
  const int err_fd = one_file ? out.get() : err.get();

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return std::unexpected(Errno("fork"));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);  // SIG_IGN survives exec
    if (dup2(in.get(), 0) < 0 || dup2(out.get(), 1) < 0 || dup2(err_fd, 2) < 0) _exit(127);
    close_range(3, ~0U, 0);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_status_(other.exit_status_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    KillAndReap();
    pid_ = std::exchange(other.pid_, -1);
    exit_status_ = other.exit_status_;
  }
  return *this;
}

ChildProcess::~ChildProcess() { KillAndReap(); }

void ChildProcess::KillAndReap() {
  if (pid_ > 0 && !exit_status_) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

void ChildProcess::Reaped(int status) { exit_status_ = StatusOf(status); }

bool ChildProcess::Running() {
  if (pid_ <= 0 || exit_status_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) Reaped(status);
  return !exit_status_;
}

void ChildProcess::Signal(int sig) {
  // Never kill(-1, ...) or kill(0, ...): those reach every process of the user or the group.
  if (pid_ > 0 && !exit_status_) kill(pid_, sig);
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  const auto until = std::chrono::steady_clock::now() + timeout;
  // Polled: waitpid has no timeout, and a pidfd would need a fallback for kernels without one.
  while (Running()) {
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_status_;
}

int ChildProcess::Wait() {
  if (pid_ <= 0) return -1;
  while (!exit_status_) {
    int status = 0;
    const pid_t got = waitpid(pid_, &status, 0);
    if (got == pid_) {
      Reaped(status);
    } else if (got < 0 && errno != EINTR) {
      return -1;
    }
  }
  return *exit_status_;
}

std::optional<int> ChildProcess::Stop(std::chrono::milliseconds grace) {
  Signal(SIGTERM);
  if (auto status = Wait(grace)) return status;
  Signal(SIGKILL);
  Wait();
  return std::nullopt;
}

CommandRun RunCommand(const std::string& command) {
  CommandRun run;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) run.out.append(buf, n);
  const int status = pclose(p);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace roster::tests
