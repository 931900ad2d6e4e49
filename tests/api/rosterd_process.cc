#include "tests/api/rosterd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

namespace roster::tests {

Rosterd::Rosterd(const std::filesystem::path& dir, std::vector<std::string> extra)
    : stderr_path_(dir.string() + ".stderr") {
  int out[2];
  if (pipe(out) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    // Dies with the test: a test process that aborts (a crash, a failed assertion off the main
    // thread) must not leave a server running on the machine.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out[1], 1);
    int err = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (err >= 0) dup2(err, 2);
    close(out[0]);
    const std::string bin = std::string(ROSTER_BIN_DIR) + "/rosterd";
    std::vector<std::string> args = {bin, "--data-dir", dir.string(), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  pollfd p{out[0], POLLIN, 0};
  while (poll(&p, 1, 20000) > 0) {
    char buf[512];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    auto at = text.find("listening on port ");
    if (at != std::string::npos && text.find(',', at) != std::string::npos) {
      port_ = static_cast<uint16_t>(std::stoi(text.substr(at + 18)));
      break;
    }
  }
  close(out[0]);
  stdout_ = text;
}

Rosterd::~Rosterd() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void Rosterd::Signal(int sig) {
  if (pid_ > 0 && !exited_) kill(pid_, sig);  // never kill(-1, ...): that is every process
}

std::string Rosterd::StderrTail(size_t bytes) const {
  std::ifstream in(stderr_path_, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

int Rosterd::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string ReadToken(const std::filesystem::path& dir) {
  std::ifstream in(dir / "admin.token");
  std::string token;
  std::getline(in, token);
  return token;
}

ToolRun RunCommand(const std::string& command) {
  ToolRun run;
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
