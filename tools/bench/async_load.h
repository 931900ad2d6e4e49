// AsyncLoad: many connections to rosterd driven by a few client threads, each connection with
// one request in flight (a closed loop: the next request goes out when the answer is in).
//
// This is how an asynchronous SaaS backend talks to Roster: one event loop multiplexing its
// connections. The blocking client library (api/client) needs a thread per connection, and on
// two shared cores 64 client threads woken once per answer measure the client's context
// switches more than the server. Speaks the wire protocol directly (api/wire/roster.capnp in the
// standard framing) after a hello with the token. Not thread-safe; one call at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "api/wire/roster.capnp.h"
#include "tools/bench/bench.h"

namespace roster::tools::bench {

struct AsyncTarget {
  uint16_t port = 0;  // on 127.0.0.1
  std::string token;
};

// Fills request number `i` of connection `connection` (the id is set by the load).
using FillRequest = std::function<void(int connection, uint64_t i, api::wire::Request::Builder)>;
// Whether the answer to connection `connection`'s last request counts as a success.
using AnswerOk = std::function<bool(int connection, api::wire::Response::Reader)>;

// Opens `connections` connections (hello first), then runs the closed loop on all of them from
// `threads` client threads for `duration`. Throws when a connection cannot be opened.
LoadResult RunAsyncLoad(const AsyncTarget& target, int connections, int threads,
                        std::chrono::duration<double> duration, const FillRequest& fill,
                        const AnswerOk& ok);

}  // namespace roster::tools::bench
