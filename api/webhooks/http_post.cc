#include "api/webhooks/http_post.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace roster::api::webhooks {

namespace asio = net::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::error_code;
using net::tcp;

std::expected<std::shared_ptr<asio::ssl::context>, std::string> MakeClientTlsContext(
    const std::string& ca_file) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  error_code ec;
  context->set_verify_mode(asio::ssl::verify_peer, ec);
  if (!ec) context->set_default_verify_paths(ec);
  if (ec) return std::unexpected("cannot load the system's CA certificates: " + ec.message());
  if (!ca_file.empty()) {
    context->load_verify_file(ca_file, ec);
    if (ec) return std::unexpected("cannot load the CA file " + ca_file + ": " + ec.message());
  }
  return context;
}

namespace {

// The request's steps as callbacks on one io_context, each under the stream's deadline; the
// first failure ends it with a message naming the step.
template <class Stream>
struct Exchange {
  Exchange(Stream& s, beast::tcp_stream& t, http::request<http::string_body>& r,
           std::chrono::milliseconds d)
      : stream(s), tcp(t), request(r), timeout(d) {}
  Stream& stream;
  beast::tcp_stream& tcp;
  http::request<http::string_body>& request;
  std::chrono::milliseconds timeout;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  std::optional<std::string> error;
  bool done = false;

  void Fail(const char* step, const error_code& ec) {
    error = std::string(step) + ": " +
            (ec == beast::error::timeout ? std::string("timed out") : ec.message());
  }
  void Write() {
    tcp.expires_after(timeout);
    http::async_write(stream, request, [this](error_code ec, size_t) {
      if (ec) return Fail("sending the request", ec);
      tcp.expires_after(timeout);
      http::async_read(stream, buffer, response, [this](error_code ec, size_t) {
        if (ec) return Fail("reading the answer", ec);
        done = true;
      });
    });
  }
};

}  // namespace

PostOutcome Poster::Post(const Url& url,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, std::chrono::milliseconds timeout) {
  const auto started = std::chrono::steady_clock::now();
  PostOutcome out;
  auto finish = [&] {
    out.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    return out;
  };
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) {
      out.error = "stopped";
      return finish();
    }
    io_.restart();
  }
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  request.set(http::field::host, url.HostHeader());
  request.set(http::field::user_agent, "rosterd-webhooks");
  request.set(http::field::content_type, "application/json");
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  tcp::resolver resolver(io_);
  beast::tcp_stream plain(io_);
  std::optional<beast::ssl_stream<beast::tcp_stream&>> secure;
  std::optional<std::string> error;
  bool done = false;
  unsigned status = 0;

  auto run_exchange = [&](auto& stream) {
    auto exchange =
        std::make_shared<Exchange<std::decay_t<decltype(stream)>>>(stream, plain, request, timeout);
    exchange->Write();
    return exchange;
  };
  std::shared_ptr<void> keep;
  std::function<void()> after_run;

  plain.expires_after(timeout);
  resolver.async_resolve(
      url.host, std::to_string(url.port), [&](error_code ec, tcp::resolver::results_type results) {
        if (ec) {
          error = "resolving " + url.host + ": " + ec.message();
          return;
        }
        plain.expires_after(timeout);
        plain.async_connect(results, [&](error_code ec, const tcp::endpoint&) {
          if (ec) {
            error = std::string("connecting: ") +
                    (ec == beast::error::timeout ? std::string("timed out") : ec.message());
            return;
          }
          if (!url.tls) {
            auto exchange = run_exchange(plain);
            keep = exchange;
            after_run = [&, exchange] {
              error = exchange->error;
              done = exchange->done;
              status = exchange->response.result_int();
            };
            return;
          }
          secure.emplace(plain, *tls_);
          // SNI, and the certificate must name the host.
          if (!SSL_set_tlsext_host_name(secure->native_handle(), url.host.c_str())) {
            error = "TLS: cannot set the server name";
            return;
          }
          secure->set_verify_callback(asio::ssl::host_name_verification(url.host));
          plain.expires_after(timeout);
          secure->async_handshake(asio::ssl::stream_base::client, [&](error_code ec) {
            if (ec) {
              error = std::string("TLS handshake: ") +
                      (ec == beast::error::timeout ? std::string("timed out") : ec.message());
              return;
            }
            auto exchange = run_exchange(*secure);
            keep = exchange;
            after_run = [&, exchange] {
              error = exchange->error;
              done = exchange->done;
              status = exchange->response.result_int();
            };
          });
        });
      });
  io_.run();
  if (after_run) after_run();
  if (done) {
    out.status = status;
  } else {
    out.error = error ? *error : std::string("stopped");
  }
  // The connection is closed by Connection: close; what is left is dropped with the stream.
  error_code ignored;
  plain.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return finish();
}

void Poster::Cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  io_.stop();
}

}  // namespace roster::api::webhooks
