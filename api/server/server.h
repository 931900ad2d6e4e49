// Server: rosterd's TCP (optionally TLS) front end.
//
// One listener coroutine accepts connections; each connection runs on its own strand with a
// reader, a writer (draining an outbound queue) and a watchdog enforcing its deadlines. The
// first request must be a successful hello. Requests are pipelined: quick ones (permission
// checks) are answered on the network thread, the rest run on a separate worker pool, and
// responses go out in completion order. Subscriptions stream log records paced by credits;
// streamed answers (the audit export, as-of and history in parts) are produced a part at a
// time, only while the connection's outbound queue has room.
// Every limit below bounds what one client can make the server hold: bytes of one message,
// requests in flight, queued response bytes, connections, and time.
//
// Thread-safety: Start/Stop/port/connections may be called from any thread. Borrows the
// dispatcher, token store and log, which must outlive the server.
#pragma once

#include <spdlog/logger.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <thread>

#include "api/dispatch/dispatcher.h"
#include "api/dispatch/token_store.h"
#include "api/server/options.h"
#include "api/wire/framing.h"
#include "eventstore/event_log.h"

namespace roster::api::server {

class Server {
 public:
  // Binds the listening socket and starts the I/O and worker threads.
  static std::expected<std::unique_ptr<Server>, std::string> Start(
      dispatch::Dispatcher& dispatcher, dispatch::TokenStore& tokens, eventstore::EventLog& log,
      std::shared_ptr<spdlog::logger> logger, ServerOptions options);
  ~Server();  // Stop()

  // The bound port (useful with port 0).
  uint16_t port() const;
  uint32_t connections() const;
  // The largest outbound queue (bytes of responses not yet written) any connection has had:
  // what a slow reader made the server hold.
  size_t outbound_peak_bytes() const;
  // Graceful stop: stops accepting, lets requests in flight finish and their responses flush,
  // ends subscriptions, closes every connection (forcing them after stop_timeout), joins the
  // threads. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace roster::api::server
