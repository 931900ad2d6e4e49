// Auditor: after each restart, retries every command acknowledged since its last check (so,
// every command acknowledged before the kill), while the load goes on. Each must come back a
// duplicate at the position it was acknowledged at. A kill in the middle of a check only
// delays it: it goes on after the next start from where it stopped.
#pragma once

#include <atomic>
#include <vector>

#include "tools/soak/acks.h"
#include "tools/soak/run_state.h"

namespace roster::tools::soak {

struct AuditorShared {
  const ServerState& server;
  ClientSetup setup;
  std::vector<const AckLog*> logs;
  Counters& counters;
  Failures& failures;
};

void RunAuditor(const AuditorShared& shared, const std::atomic<bool>& stop);

}  // namespace roster::tools::soak
