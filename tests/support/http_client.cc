#include "tests/support/http_client.h"

// clang-format off
#include "api/net/asio.h"  // before Beast: Asio needs <utility> first
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

#include <sys/socket.h>

namespace roster::tests {

namespace asio = api::net::asio;
namespace bhttp = boost::beast::http;
using api::net::tcp;

std::string HttpReply::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (boost::beast::iequals(n, boost::beast::string_view(name.data(), name.size()))) return v;
  }
  return {};
}

struct HttpClient::Impl {
  uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  std::optional<asio::ssl::context> ssl;  // set: TLS
  std::string host;
  std::optional<tcp::socket> socket;
  std::optional<asio::ssl::stream<tcp::socket&>> tls;
  boost::beast::flat_buffer buffer;

  template <typename F>
  void OnStream(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*socket);
    }
  }
};

HttpClient::HttpClient(uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::HttpClient(uint16_t port, std::string ca_file, std::string host,
                       std::chrono::milliseconds timeout)
    : HttpClient(port, timeout) {
  impl_->ssl.emplace(asio::ssl::context::tls_client);
  impl_->ssl->load_verify_file(ca_file);
  impl_->ssl->set_verify_mode(asio::ssl::verify_peer);
  impl_->host = std::move(host);
}

HttpClient::~HttpClient() { Disconnect(); }

void HttpClient::Disconnect() {
  if (!impl_->socket) return;
  api::net::error_code ignored;
  impl_->tls.reset();
  impl_->socket->close(ignored);
  impl_->socket.reset();
  impl_->buffer.clear();
}

std::optional<HttpReply> HttpClient::Send(const std::string& method, const std::string& target,
                                          const std::string& body, const HttpHeaders& headers) {
  api::net::error_code ec;
  if (!impl_->socket) {
    impl_->socket.emplace(impl_->io);
    impl_->socket->connect(tcp::endpoint(asio::ip::address_v4::loopback(), impl_->port), ec);
    if (ec) {
      error_ = "connect: " + ec.message();
      Disconnect();
      return std::nullopt;
    }
    // Blocking reads that give up: a server that never answers fails the test, not hangs it.
    timeval tv{static_cast<time_t>(impl_->timeout.count() / 1000),
               static_cast<suseconds_t>((impl_->timeout.count() % 1000) * 1000)};
    setsockopt(impl_->socket->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(impl_->socket->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (impl_->ssl) {
      impl_->tls.emplace(*impl_->socket, *impl_->ssl);
      impl_->tls->set_verify_callback(asio::ssl::host_name_verification(impl_->host));
      SSL_set_tlsext_host_name(impl_->tls->native_handle(), impl_->host.c_str());
      impl_->tls->handshake(asio::ssl::stream_base::client, ec);
      if (ec) {
        error_ = "TLS handshake: " + ec.message();
        Disconnect();
        return std::nullopt;
      }
    }
  }
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    req.set(name, value);
    has_type = has_type || boost::beast::iequals(name, "Content-Type");
  }
  if (!body.empty() && !has_type) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  impl_->OnStream([&](auto& stream) { bhttp::write(stream, req, ec); });
  if (ec) {
    error_ = "write: " + ec.message();
    Disconnect();
    return std::nullopt;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64u << 20);
  impl_->OnStream([&](auto& stream) { bhttp::read(stream, impl_->buffer, parser, ec); });
  if (ec) {
    error_ = "read: " + ec.message();
    Disconnect();
    return std::nullopt;
  }
  auto res = parser.release();
  HttpReply reply;
  reply.status = res.result_int();
  reply.body = std::move(res.body());
  for (const auto& field : res) {
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  if (!res.keep_alive()) Disconnect();
  return reply;
}

}  // namespace roster::tests
