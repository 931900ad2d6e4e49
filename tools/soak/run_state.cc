#include "tools/soak/run_state.h"

#include <cstdio>
#include <thread>

namespace roster::tools::soak {

void ServerState::SetUp(uint16_t port, pid_t pid) {
  std::lock_guard lock(mu_);
  view_.up = true;
  view_.port = port;
  view_.pid = pid;
  view_.incarnation++;
  view_.up_since = Clock::now();
}

void ServerState::SetDown() {
  std::lock_guard lock(mu_);
  view_.up = false;
}

ServerState::View ServerState::Get() const {
  std::lock_guard lock(mu_);
  return view_;
}

void Failures::Add(const std::string& what) {
  std::lock_guard lock(mu_);
  if (++count_ <= 100) {
    std::fprintf(stderr, "soak: FAILURE: %s\n", what.c_str());
    first_.push_back(what);
  }
}

size_t Failures::count() const {
  std::lock_guard lock(mu_);
  return count_;
}

std::vector<std::string> Failures::First(size_t n) const {
  std::lock_guard lock(mu_);
  return {first_.begin(), first_.begin() + static_cast<std::ptrdiff_t>(std::min(n, first_.size()))};
}

std::unique_ptr<api::client::Client> ConnectWhenUp(const ServerState& server,
                                                   const ClientSetup& setup,
                                                   const std::string& client_name,
                                                   const std::function<bool()>& give_up) {
  while (!give_up()) {
    const ServerState::View view = server.Get();
    if (view.up) {
      api::client::ClientOptions options;
      options.server = "127.0.0.1:" + std::to_string(view.port);
      options.token = setup.token;
      options.timeout = setup.timeout;
      options.client_name = client_name;
      auto client = api::client::Client::Connect(options);
      if (client) return std::move(*client);
    }
    // Down, starting, or just killed: rosterd comes back within a second or so.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return nullptr;
}

}  // namespace roster::tools::soak
