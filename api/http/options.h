// HttpOptions: what rosterd's HTTP front end is configured with. Header-only (like
// api/server/options.h) so that rosterd's config parsing holds the defaults without the server.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "api/server/options.h"

namespace roster::api::http {

struct HttpOptions {
  std::string listen;  // host:port; empty: no HTTP listener. Port 0 picks a free one.
  unsigned io_threads = std::max(1u, std::thread::hardware_concurrency() / 2);
  // Commands block on the log's group commit, as over TCP: enough workers share one fsync.
  unsigned worker_threads = 32;
  size_t max_body_bytes = 1u << 20;  // the TCP API's max message bytes
  size_t max_header_bytes = 16u << 10;
  size_t max_connections = 1024;
  // From a request's first byte to its last header byte: a client that sends headers slowly
  // (slowloris) is cut off after this, whatever it sends meanwhile.
  std::chrono::milliseconds header_deadline{10000};
  std::chrono::milliseconds body_deadline{30000};  // from the end of the headers
  std::chrono::milliseconds idle_timeout{60000};   // a keep-alive connection between requests
  std::chrono::milliseconds write_timeout{30000};  // one response to a client that stops reading
  std::chrono::milliseconds stop_timeout{10000};   // graceful stop before forcing
  // GET /v1/events: a comment line after this long without records, so that proxies keep an
  // idle stream open and a client that went away is noticed (the write fails).
  std::chrono::milliseconds event_heartbeat{15000};
  // /readyz: how many records a live read model may trail the log and still count as caught
  // up. Under load every model is a few records behind; readiness is about a restart's replay
  // or a rebuild, which trail by far more.
  uint64_t ready_max_lag = 1000;
  // PEM files; both set: every connection is HTTPS. rosterd gives the TCP listener's.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string server_version = "rosterd";

  // The TCP front end's limits where HTTP has the same one: the body is one message, the
  // header deadline is the frame deadline, the thread counts, timeouts and TLS carry over.
  static HttpOptions From(const api::server::ServerOptions& tcp, std::string listen) {
    HttpOptions o;
    o.listen = std::move(listen);
    o.io_threads = tcp.io_threads;
    o.worker_threads = std::max(1u, tcp.worker_threads / 2);
    o.max_body_bytes = tcp.limits.max_message_bytes;
    o.max_connections = tcp.max_connections;
    o.header_deadline = tcp.frame_deadline;
    o.idle_timeout = tcp.idle_timeout;
    o.write_timeout = tcp.write_timeout;
    o.stop_timeout = tcp.stop_timeout;
    o.server_version = tcp.server_version;
    // One certificate for the host: when the TCP API is TLS, so is HTTP.
    o.tls_cert_file = tcp.tls_cert_file;
    o.tls_key_file = tcp.tls_key_file;
    return o;
  }
};

}  // namespace roster::api::http
