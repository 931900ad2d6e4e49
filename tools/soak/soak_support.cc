#include "tools/soak/soak_support.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace roster::tools::soak {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string Elapsed(Clock::duration d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return std::to_string(s / 60) + "m" + (s % 60 < 10 ? "0" : "") + std::to_string(s % 60) + "s";
}

Watchdog::Watchdog(Clock::time_point deadline) : deadline_(deadline), thread_([this] { Run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::Phase(const char* phase) {
  std::lock_guard lock(mu_);
  phase_ = phase;
  std::fprintf(stderr, "roster-soak: %s\n", phase);
}

void Watchdog::Run() {
  std::unique_lock lock(mu_);
  if (cv_.wait_until(lock, deadline_, [this] { return done_; })) return;
  std::fprintf(stderr, "roster-soak: FAILURE: watchdog: still %s at the deadline; giving up\n",
               phase_);
  std::fflush(stderr);
  std::_Exit(3);
}

ToolRun RunTool(const std::string& command) {
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

std::string FirstLineWith(const std::string& text, const std::string& word) {
  const auto at = text.find(word);
  if (at == std::string::npos) return text.substr(0, 200);
  const auto begin = text.rfind('\n', at);
  const auto end = text.find('\n', at);
  return text.substr(begin == std::string::npos ? 0 : begin + 1,
                     end == std::string::npos ? std::string::npos
                                              : end - (begin == std::string::npos ? 0 : begin + 1));
}

std::string ReadAdminToken(const std::filesystem::path& data) {
  std::ifstream in(data / "admin.token");
  std::string token;
  std::getline(in, token);
  return token;
}

std::expected<std::string, std::string> IssueToken(api::client::Client& admin,
                                                   const std::string& name,
                                                   const std::string& scope) {
  auto reply = admin.Call([&](api::wire::Request::Builder r) {
    auto issue = r.initAdmin().initIssueToken();
    issue.setName(name);
    issue.setScope(scope);
  });
  if (!reply) return std::unexpected(reply.error().message);
  if (!reply->get().isToken()) return std::unexpected("no token in the answer");
  return std::string(reply->get().getToken().getToken().cStr());
}

void PrintProgress(Clock::duration elapsed, Clock::duration total, const Counters& c,
                   uint64_t kills, const std::optional<Memory>& memory, size_t failures) {
  std::fprintf(stderr,
               "roster-soak: %s of %s: %llu commands (%llu appended), %llu checks, %llu queries, "
               "%llu records to subscribers, %llu kills, rosterd RSS %llu MiB, %zu failures\n",
               Elapsed(elapsed).c_str(), Elapsed(total).c_str(),
               static_cast<unsigned long long>(c.commands_appended + c.commands_no_change +
                                               c.commands_rejected),
               static_cast<unsigned long long>(c.commands_appended.load()),
               static_cast<unsigned long long>(c.checks.load()),
               static_cast<unsigned long long>(c.queries.load()),
               static_cast<unsigned long long>(c.subscription_records.load()),
               static_cast<unsigned long long>(kills),
               static_cast<unsigned long long>(memory ? memory->rss_kib / 1024 : 0), failures);
}

}  // namespace roster::tools::soak
