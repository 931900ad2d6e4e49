#include "tools/soak/subscriber.h"

#include <random>
#include <string>

namespace roster::tools::soak {

void RunSubscriber(const SubscriberShared& shared, Worker& worker, uint64_t seed,
                   const std::atomic<bool>& stop) {
  std::mt19937_64 rng(seed);
  constexpr uint32_t kWindows[] = {16, 256, 1000};
  uint64_t last = 0;
  std::string last_hash;  // of the record at `last`
  int problems = 0;
  while (!stop && problems < 5) {
    auto client =
        ConnectWhenUp(shared.server, shared.setup, worker.name, [&] { return stop.load(); });
    if (!client) return;
    const uint32_t window = kWindows[rng() % 3];
    const uint64_t quota = std::uniform_int_distribution<uint64_t>(200, 20000)(rng);
    uint64_t seen = 0;
    auto followed = client->Subscribe(last, window, [&](api::wire::Record::Reader record) {
      const uint64_t position = record.getPosition();
      const auto prev = record.getPrevHash();
      const std::string prev_hash(reinterpret_cast<const char*>(prev.begin()), prev.size());
      if (position != last + 1) {
        shared.failures.Add(worker.name + ": after position " + std::to_string(last) +
                            " the subscription sent position " + std::to_string(position));
        problems++;
      } else if (last > 0 && prev_hash != last_hash) {
        shared.failures.Add(
            worker.name + ": the record at " + std::to_string(position) +
            " does not chain to the record seen at " + std::to_string(last) +
            (seen == 0 ? " before resuming: the log changed under a subscriber" : ""));
        problems++;
      }
      const auto hash = record.getHash();
      last_hash.assign(reinterpret_cast<const char*>(hash.begin()), hash.size());
      last = position;
      seen++;
      shared.counters.subscription_records++;
      worker.Completed();
      return !stop && seen < quota && problems < 5;
    });
    if (followed) {
      if (!stop) shared.counters.subscriptions_reconnected++;
    } else if (!stop) {
      const std::string& code = followed.error().code;
      if (code != "CONNECTION" && code != "SHUTTING_DOWN") {
        shared.failures.Add(worker.name + ": the subscription ended with " + code + " " +
                            followed.error().message);
      }
      shared.counters.subscriptions_broken++;
    }
  }
}

}  // namespace roster::tools::soak
