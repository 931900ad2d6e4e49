// The commands a writer got acknowledged with events, so the log must hold each exactly once,
// kept as sent (packed Cap'n Proto) with the position each was acknowledged at; and their
// retry, which must be answered as a duplicate at that same position.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/client/client.h"
#include "api/wire/roster.capnp.h"
#include "tools/soak/run_state.h"

namespace roster::tools::soak {

// A protocol command packed (Cap'n Proto's packed encoding: the form the soak keeps commands
// in, a few dozen bytes each), and set as a request's command.
std::string PackCommand(const std::function<void(api::wire::Command::Builder)>& fill);
void SetCommand(std::string_view packed, api::wire::Request::Builder request);
// "<command id> (<kind> in <org>)", for failure messages.
std::string DescribeCommand(std::string_view packed);
std::string CommandIdOf(std::string_view packed);

// One writer's acknowledged commands, in the order acknowledged. The writer appends while the
// checkers read. Thread-safe. Commands are stored back to back in large chunks: a long run
// keeps millions.
class AckLog {
 public:
  struct Entry {
    std::string packed;
    uint64_t position = 0;  // the last position of its events, as acknowledged
    uint32_t events = 0;
  };
  void Append(std::string_view packed, uint64_t position, uint32_t events);
  size_t size() const;
  // Entries [from, from + max), fewer at the end.
  std::vector<Entry> Read(size_t from, size_t max) const;

 private:
  struct Slot {
    uint32_t chunk;
    uint32_t offset;
    uint32_t size;
    uint32_t events;
    uint64_t position;
  };
  mutable std::mutex mu_;
  std::vector<std::string> chunks_;
  std::vector<Slot> slots_;
};

// Retries `entries` on `client`, up to `window` requests in flight. Each must be answered as
// an accepted duplicate at the acknowledged position; each that is not is a failure ("lost").
// Returns how many got an answer; fewer than entries.size() when the connection failed (the
// rest is for the next connection).
struct RetryOutcome {
  size_t answered = 0;
  size_t lost = 0;
};
RetryOutcome RetryAcknowledged(api::client::Client& client,
                               const std::vector<AckLog::Entry>& entries, Failures& failures,
                               size_t window = 64);

}  // namespace roster::tools::soak
