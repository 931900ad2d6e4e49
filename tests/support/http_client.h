// HttpClient: a small blocking HTTP/1.1 client (Beast) for tests: one keep-alive connection to
// a loopback port, plain or TLS, requests sent one at a time, every read bounded by a timeout.
//
// Resource type. One thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace roster::tests {

struct HttpReply {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The value of a header (case-insensitive name); empty when absent.
  std::string Header(std::string_view name) const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Over TLS, trusting only the certificates in `ca_file` (PEM) and checking the server's name
  // against `host`.
  HttpClient(uint16_t port, std::string ca_file, std::string host = "localhost",
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends a request (connecting first if needed) and reads its response; nullopt with error()
  // set when the connection failed, closed or timed out. A body is sent as application/json
  // unless `headers` names another Content-Type.
  std::optional<HttpReply> Send(const std::string& method, const std::string& target,
                                const std::string& body = {}, const HttpHeaders& headers = {});
  const std::string& error() const { return error_; }
  void Disconnect();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
};

}  // namespace roster::tests
