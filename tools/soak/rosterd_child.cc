#include "tools/soak/rosterd_child.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

namespace roster::tools::soak {

using Clock = std::chrono::steady_clock;

std::optional<Memory> ReadMemory(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  Memory m;
  bool found = false;
  std::string line;
  while (std::getline(in, line)) {
    auto value = [&](const char* key) -> std::optional<uint64_t> {
      const std::string k(key);
      if (line.compare(0, k.size(), k) != 0) return std::nullopt;
      return std::stoull(line.substr(k.size()));
    };
    if (auto v = value("VmRSS:")) {
      m.rss_kib = *v;
      found = true;
    } else if (auto h = value("VmHWM:")) {
      m.hwm_kib = *h;
    }
  }
  if (!found) return std::nullopt;  // a zombie has no memory lines
  return m;
}

std::expected<std::unique_ptr<RosterdChild>, std::string> RosterdChild::Start(
    const RosterdOptions& options) {
  // Everything the child needs is prepared before fork: the soak has many threads, so the
  // child may only make async-signal-safe calls (no allocation) until it execs.
  std::vector<std::string> args = {options.binary.string(), "--data-dir", options.data_dir.string(),
                                   "--listen", "127.0.0.1:0"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_file = options.log_file.string();

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return std::unexpected("pipe failed");
  std::unique_ptr<RosterdChild> child(new RosterdChild());
  child->pid_ = fork();
  if (child->pid_ < 0) {
    close(out[0]);
    close(out[1]);
    return std::unexpected("fork failed");
  }
  if (child->pid_ == 0) {
    // Dies with the thread that started it (the soak's main thread), so that a crashed or
    // killed soak never leaves a server running.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out[1], 1);
    const int err = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (err >= 0) dup2(err, 2);
    // The soak's own sockets (clients of an earlier rosterd) must not live on in this one.
    syscall(SYS_close_range, 3u, ~0u, 0u);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  child->stdout_fd_ = out[0];

  std::string text;
  const auto deadline = Clock::now() + options.start_timeout;
  pollfd p{out[0], POLLIN, 0};
  while (Clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) continue;
    char buf[512];
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;  // rosterd exited (or closed its stdout) without naming a port
    text.append(buf, static_cast<size_t>(n));
    const auto at = text.find("listening on port ");
    if (at != std::string::npos && text.find(',', at) != std::string::npos) {
      child->port_ = static_cast<uint16_t>(std::stoi(text.substr(at + 18)));
      return child;
    }
  }
  return std::unexpected("rosterd did not name its port within " +
                         std::to_string(options.start_timeout.count()) + " s; stdout: " + text +
                         "\nstderr: " + FileTail(options.log_file));
}

RosterdChild::~RosterdChild() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void RosterdChild::Signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);  // never kill(-1, ...): that is every process
}

int RosterdChild::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto until = Clock::now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (Clock::now() >= until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string FileTail(const std::filesystem::path& file, size_t bytes) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

}  // namespace roster::tools::soak
