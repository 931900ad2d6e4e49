// Subscriber: follows the log, closes its subscription after a random number of records and
// resumes from the last position it saw, on a new connection; a kill cuts it too and it
// resumes the same way. Every record must come once, in order, with no gap, and the first
// record after a resume must chain (prevHash) to the last one seen before: a record streamed
// before a kill must not have vanished or changed after it.
#pragma once

#include <atomic>
#include <cstdint>

#include "tools/soak/run_state.h"

namespace roster::tools::soak {

struct SubscriberShared {
  const ServerState& server;
  ClientSetup setup;  // an auditor-scope token
  Counters& counters;
  Failures& failures;
};

// Runs until `stop` (and the subscription ends: rosterd stopping ends it).
void RunSubscriber(const SubscriberShared& shared, Worker& worker, uint64_t seed,
                   const std::atomic<bool>& stop);

}  // namespace roster::tools::soak
