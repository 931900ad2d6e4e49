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
#include "api/wire/framing.h"
#include "eventstore/event_log.h"

namespace roster::api::server {

struct ServerOptions {
  std::string listen = "127.0.0.1:7400";  // host:port; port 0 picks a free one (see port())
  // Network work is short (framing, checks, writes): half the cores, leaving the rest to the
  // workers, the log writer and the live projections (docs/tuning.md has the measurements).
  unsigned io_threads = std::max(1u, std::thread::hardware_concurrency() / 2);
  // Commands block on the log's group commit (an fsync): enough workers keep many in one sync.
  unsigned worker_threads = 64;  // for commands and queries: RocksDB work stays off I/O threads
  wire::FrameLimits limits;      // max message bytes (1 MiB), segments, traversal, nesting
  size_t max_connections = 1024;
  size_t max_in_flight = 64;              // per connection; reading pauses at the limit
  size_t max_outbound_bytes = 8u << 20;   // per connection; reading pauses beyond it
  size_t max_subscriptions = 16;          // per connection
  size_t max_streams_per_connection = 4;  // streamed answers in progress per connection
  size_t max_streams = 16;  // server-wide; each may hold a worker: capped at worker_threads / 2
  uint32_t max_credits = 10000;                     // outstanding records per subscription
  std::chrono::milliseconds frame_deadline{10000};  // a started frame must complete within
  std::chrono::milliseconds hello_deadline{10000};  // connect (and TLS handshake) to hello
  std::chrono::milliseconds idle_timeout{300000};   // nothing in progress and nothing read
  std::chrono::milliseconds write_timeout{30000};   // one write to a client that stops reading
  std::chrono::milliseconds stop_timeout{10000};    // graceful stop before forcing
  std::string tls_cert_file;                        // PEM chain; TLS is on when both files are set
  std::string tls_key_file;                         // PEM private key
  std::string server_version = "rosterd";
};

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
