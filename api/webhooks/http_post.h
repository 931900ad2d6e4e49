// One webhook request: POST a body to a URL with headers, over HTTP or HTTPS (Boost.Beast), with
// one deadline over connect, TLS handshake, write and read. A fresh connection per request:
// deliveries of one endpoint are sequential and mostly sparse, and a connection kept open to an
// endpoint that died would cost a timeout to find out.
//
// Thread-safety: a Poster is used by one thread at a time (its endpoint's worker); Cancel() may
// be called from any thread and makes the request in flight, and every later one, fail at once.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "api/net/asio.h"
#include "api/webhooks/endpoint.h"

namespace roster::api::webhooks {

struct PostOutcome {
  unsigned status = 0;  // the HTTP status; 0 when there was no answer
  std::string error;    // why there was no answer (connect refused, timeout, TLS, ...)
  std::chrono::microseconds duration{0};
  bool ok() const { return status >= 200 && status < 300; }
};

// The TLS client context every https endpoint shares: peers are verified against the system's
// CA store, plus `ca_file` when given (PEM). The error names what failed.
std::expected<std::shared_ptr<net::asio::ssl::context>, std::string> MakeClientTlsContext(
    const std::string& ca_file);

class Poster {
 public:
  explicit Poster(std::shared_ptr<net::asio::ssl::context> tls) : tls_(std::move(tls)) {}
  Poster(const Poster&) = delete;
  Poster& operator=(const Poster&) = delete;

  PostOutcome Post(const Url& url, const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body, std::chrono::milliseconds timeout);
  void Cancel();

 private:
  std::shared_ptr<net::asio::ssl::context> tls_;
  net::asio::io_context io_;
  std::mutex mutex_;  // guards cancelled_ against the io_context's restart
  bool cancelled_ = false;
};

}  // namespace roster::api::webhooks
