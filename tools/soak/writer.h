// Writer: one backend thread sending commands from its CommandMix, the way a backend would
// through kills: a command whose answer did not arrive (the connection broke) is sent again,
// unchanged and with the same command id, on the next connection, until it is answered. Each
// command acknowledged with events goes to its AckLog.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "tools/soak/acks.h"
#include "tools/soak/command_mix.h"
#include "tools/soak/run_state.h"

namespace roster::tools::soak {

struct WriterShared {
  const ServerState& server;
  ClientSetup setup;
  Counters& counters;
  Failures& failures;
  double commands_per_second = 0;  // this writer's pace; 0: as fast as answered
};

class Writer {
 public:
  Writer(int index, uint64_t seed, size_t slots, Directory& directory, Worker& worker);

  // Sends until `stop`, then finishes the command in flight (rosterd must then be up).
  void Run(const WriterShared& shared, const std::atomic<bool>& stop);

  const AckLog& acks() const { return acks_; }
  const CommandMix& mix() const { return mix_; }

 private:
  int index_;
  CommandMix mix_;
  AckLog acks_;
  Worker& worker_;
};

}  // namespace roster::tools::soak
