#include "tools/soak/auditor.h"

#include <thread>

namespace roster::tools::soak {

void RunAuditor(const AuditorShared& shared, const std::atomic<bool>& stop) {
  constexpr size_t kBatch = 2000;
  std::vector<size_t> checked(shared.logs.size(), 0);
  std::vector<size_t> target(shared.logs.size(), 0);
  uint64_t seen = shared.server.Get().incarnation;
  std::unique_ptr<api::client::Client> client;
  while (!stop) {
    const ServerState::View view = shared.server.Get();
    if (view.up && view.incarnation != seen) {
      seen = view.incarnation;
      for (size_t l = 0; l < shared.logs.size(); ++l) target[l] = shared.logs[l]->size();
    }
    bool all_done = true;
    for (size_t l = 0; l < shared.logs.size() && !stop; ++l) {
      if (checked[l] >= target[l]) continue;
      all_done = false;
      if (!client) {
        client =
            ConnectWhenUp(shared.server, shared.setup, "soak-auditor", [&] { return stop.load(); });
        if (!client) return;
      }
      const auto batch = shared.logs[l]->Read(checked[l], std::min(kBatch, target[l] - checked[l]));
      const RetryOutcome out = RetryAcknowledged(*client, batch, shared.failures);
      checked[l] += out.answered;
      shared.counters.acks_checked_after_kills += out.answered;
      shared.counters.lost += out.lost;
      if (out.answered < batch.size()) client.reset();  // killed again: go on after the start
    }
    if (all_done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace roster::tools::soak
