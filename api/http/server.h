// HttpServer: rosterd's HTTP/1.1 front end (Boost.Beast), beside the TCP one; HTTPS when a
// certificate and key are configured.
//
// One listener coroutine accepts connections; each connection is a coroutine on its own
// strand that reads a request (bounded header and body sizes, a header deadline that cuts off
// slow senders, a body deadline), hands it to the Handler on a worker pool (commands block on
// the log's group commit; network threads never do), writes the answer and, with keep-alive,
// waits for the next one up to the idle timeout. Connections beyond max_connections get a 503
// problem and are closed.
//
// Thread-safety: Start/Stop/port/connections may be called from any thread. Borrows the
// dispatcher and token store, which must outlive the server.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "api/dispatch/dispatcher.h"
#include "api/dispatch/token_store.h"
#include "api/http/options.h"

namespace roster::api::http {

class HttpServer {
 public:
  // Binds the listening socket and starts the I/O and worker threads.
  static std::expected<std::unique_ptr<HttpServer>, std::string> Start(
      dispatch::Dispatcher& dispatcher, dispatch::TokenStore& tokens,
      std::shared_ptr<spdlog::logger> logger, HttpOptions options);
  ~HttpServer();  // Stop()

  uint16_t port() const;  // the bound port (useful with port 0)
  uint32_t connections() const;
  // Stops accepting, lets requests in progress finish and their answers go out, closes every
  // connection (forcing them after stop_timeout), joins the threads. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace roster::api::http
