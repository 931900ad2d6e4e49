// The soak's readers: checkers ask permission checks, queriers list members, invitations,
// activity, logins, access and the organization switcher, half of them with the position of
// the organization's last command as a consistency token (read-your-writes). They reconnect
// after every kill. An answer that is an error other than a legal refusal (PERMISSION_DENIED
// for a viewer without the permission; NOT_FOUND or ORG_DELETED for an organization deleted
// since it was picked) is a failure.
#pragma once

#include <atomic>
#include <cstdint>

#include "tools/soak/directory.h"
#include "tools/soak/run_state.h"

namespace roster::tools::soak {

struct ReaderShared {
  const ServerState& server;
  ClientSetup setup;
  const Directory& directory;
  Counters& counters;
  Failures& failures;
  double requests_per_second = 0;  // this thread's pace; 0: as fast as answered
};

void RunChecker(const ReaderShared& shared, Worker& worker, uint64_t seed,
                const std::atomic<bool>& stop);
void RunQuerier(const ReaderShared& shared, Worker& worker, uint64_t seed,
                const std::atomic<bool>& stop);

}  // namespace roster::tools::soak
