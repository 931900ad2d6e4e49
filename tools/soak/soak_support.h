// Pieces of the soak's main flow: its watchdog, running roster-admin, tokens, progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <expected>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "api/client/client.h"
#include "tools/soak/monitor.h"
#include "tools/soak/run_state.h"

namespace roster::tools::soak {

double Seconds(Clock::duration d);
std::string Elapsed(Clock::duration d);  // "12m05s"

// Ends the process if the soak is still running at the deadline: whatever hangs (a rosterd
// that stops answering, a check that never ends), the soak ends, with rosterd (which dies with
// the main thread), and says in which phase it was. Thread-safe.
class Watchdog {
 public:
  explicit Watchdog(Clock::time_point deadline);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  // Names what the soak does now (printed, and by the watchdog if it fires).
  void Phase(const char* phase);

 private:
  void Run();

  const Clock::time_point deadline_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  const char* phase_ = "starting";
  std::thread thread_;
};

// Runs `command` through the shell: its exit status and what it printed on stdout.
struct ToolRun {
  int status = -1;
  std::string out;
};
ToolRun RunTool(const std::string& command);
// The line of `text` that holds `word` (the start of `text` if none does).
std::string FirstLineWith(const std::string& text, const std::string& word);

// The admin token rosterd wrote on its first start.
std::string ReadAdminToken(const std::filesystem::path& data);
// A new token of `scope`, issued over an admin connection.
std::expected<std::string, std::string> IssueToken(api::client::Client& admin,
                                                   const std::string& name,
                                                   const std::string& scope);

// One line on stderr, every 10 s of the load.
void PrintProgress(Clock::duration elapsed, Clock::duration total, const Counters& c,
                   uint64_t kills, const std::optional<Memory>& memory, size_t failures);

}  // namespace roster::tools::soak
