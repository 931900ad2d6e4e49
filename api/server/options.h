// ServerOptions: what rosterd's front end is configured with. A header of its own, with no
// server code behind it, so that rosterd's config parsing (tools/rosterd/config.h) and its
// fuzzer hold the defaults without building the server.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "api/wire/framing.h"

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

}  // namespace roster::api::server
