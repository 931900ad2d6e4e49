// LoopbackCeiling: the most round trips per second loopback TCP allows the checks phase on this
// machine, whatever the server does.
//
// A stand-in server that answers every request with a fixed permission-check answer carrying
// the request's id (and every hello with a hello): no authentication, no dispatch, no read
// model, no strands; answers written straight to the socket. roster-bench api drives it with
// the same client, connections and duration as rosterd, in the same run, so rosterd's figure
// can be read as a fraction of what the kernel and the client leave room for.
#pragma once

#include <cstdint>
#include <memory>

namespace roster::tools::bench {

class LoopbackCeiling {
 public:
  // Listens on 127.0.0.1 (a free port) and serves from `threads` threads until destroyed.
  explicit LoopbackCeiling(int threads);
  ~LoopbackCeiling();
  LoopbackCeiling(const LoopbackCeiling&) = delete;
  LoopbackCeiling& operator=(const LoopbackCeiling&) = delete;

  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace roster::tools::bench
