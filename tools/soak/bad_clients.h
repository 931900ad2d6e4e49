// Bad clients, on raw sockets: what no well-behaved client sends, all the time, beside the
// good clients (whose starvation check is the proof that these never stopped them).
//
// - garbage: random bytes before or after a hello, an absurd segment table, or a well-framed
//   message that is not a request (after which the connection must still answer a status
//   query). rosterd must answer BAD_REQUEST or close, within seconds.
// - stalled: a hello, then half a request, then nothing. rosterd must close the connection
//   once the frame deadline has passed.
// - silent: connects and never speaks. rosterd must close it after the hello deadline.
// A connection cut by a kill is not held against rosterd.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "tools/soak/run_state.h"

namespace roster::tools::soak {

struct BadClientShared {
  const ServerState& server;
  std::string token;  // for the hellos of stalled and garbage clients
  std::chrono::milliseconds frame_deadline;
  std::chrono::milliseconds hello_deadline;
  Counters& counters;
  Failures& failures;
};

// Garbage connections, about `per_second` of them.
void RunGarbageClient(const BadClientShared& shared, Worker& worker, uint64_t seed,
                      double per_second, const std::atomic<bool>& stop);
// Keeps `stalled` connections stalled mid-frame and `silent` ones silent, opening new ones as
// rosterd closes them.
void RunHoldingClients(const BadClientShared& shared, Worker& worker, size_t stalled, size_t silent,
                       const std::atomic<bool>& stop);

}  // namespace roster::tools::soak
