#include "tools/soak/monitor.h"

#include <fstream>
#include <thread>

namespace roster::tools::soak {
namespace {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

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

Monitor::Monitor(const ServerState& server, std::vector<Worker*> well_behaved, Failures& failures,
                 std::chrono::seconds window, std::chrono::milliseconds rss_interval,
                 Clock::time_point start)
    : server_(server),
      workers_(std::move(well_behaved)),
      failures_(failures),
      window_(window),
      rss_interval_(rss_interval),
      start_(start),
      flagged_in_(workers_.size(), 0) {}

void Monitor::Run(const std::atomic<bool>& stop) {
  constexpr auto kTick = std::chrono::milliseconds(250);
  auto next_sample = Clock::now();
  auto last_tick = Clock::now();
  while (!stop) {
    std::this_thread::sleep_for(kTick);
    const ServerState::View view = server_.Get();
    const auto now = Clock::now();
    if (view.up) {
      std::lock_guard lock(mu_);
      up_seconds_ += Seconds(now - std::max(last_tick, view.up_since));
    }
    last_tick = now;
    if (!view.up) continue;
    WatchWorkers(view);
    if (now >= next_sample) {
      SampleMemory(view, false);
      next_sample = now + rss_interval_;
    }
  }
}

void Monitor::SamplePeakBeforeKill() { SampleMemory(server_.Get(), true); }

void Monitor::SampleMemory(const ServerState::View& view, bool peak) {
  if (!view.up) return;
  const auto memory = ReadMemory(view.pid);
  if (!memory) return;
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  samples_.push_back(RssSample{Seconds(now - start_), view.incarnation,
                               Seconds(now - view.up_since),
                               peak ? memory->hwm_kib : memory->rss_kib});
}

void Monitor::WatchWorkers(const ServerState::View& view) {
  const auto now = Clock::now();
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < workers_.size(); ++i) {
    const Worker& w = *workers_[i];
    const double wait = Seconds(now - std::max(w.last_completed(), view.up_since));
    if (wait > longest_wait_s_) {
      longest_wait_s_ = wait;
      longest_wait_worker_ = w.name;
    }
    if (wait > Seconds(window_) && flagged_in_[i] != view.incarnation) {
      flagged_in_[i] = view.incarnation;
      failures_.Add("STARVED: " + w.name + " completed nothing for " +
                    std::to_string(static_cast<int>(wait)) + " s while rosterd (start " +
                    std::to_string(view.incarnation) + ") was up");
    }
  }
}

std::vector<RssSample> Monitor::samples() const {
  std::lock_guard lock(mu_);
  return samples_;
}

double Monitor::longest_wait_s() const {
  std::lock_guard lock(mu_);
  return longest_wait_s_;
}

std::string Monitor::longest_wait_worker() const {
  std::lock_guard lock(mu_);
  return longest_wait_worker_;
}

double Monitor::up_seconds() const {
  std::lock_guard lock(mu_);
  return up_seconds_;
}

}  // namespace roster::tools::soak
