// Dispatcher: one decoded request in, one response out.
//
// Turns protocol requests into command-service and query-service calls and their results back
// into protocol responses; enforces which scope may ask what (admin: everything; service:
// commands and queries; auditor: queries only); never trusts the bytes it reads: a malformed
// request (a field Cap'n Proto cannot traverse, an unknown kind) gets an error response, not an
// exception. Connection-level requests (hello, subscribe, credit, unsubscribe) belong to the
// server and are answered UNSUPPORTED here.
//
// Thread-safety: Handle may be called from many threads at once. Borrows the node and token
// store, which must outlive it.
#pragma once

#include <optional>
#include <string>

#include "api/roster.capnp.h"
#include "api/service/node.h"
#include "api/token_store.h"

namespace roster::api {

class Dispatcher {
 public:
  Dispatcher(service::Node& node, TokenStore& tokens, std::string server_version);

  // Whether `principal` may make this request; the error to answer otherwise.
  static std::optional<service::Failure> Authorize(const Principal& principal,
                                                   wire::Request::Reader request);
  // True for requests cheap enough to answer on a network thread (permission checks).
  static bool IsQuick(wire::Request::Reader request);

  void Handle(const Principal& principal, wire::Request::Reader request,
              wire::Response::Builder response);

  // Counts live connections for the status query; set by the server.
  void SetConnectionCounter(std::function<uint32_t()> counter) { connections_ = std::move(counter); }
  const std::string& server_version() const { return server_version_; }

 private:
  void HandleCommand(const Principal& principal, wire::Command::Reader command,
                     wire::Response::Builder response);
  void HandleQuery(wire::Query::Reader query, wire::Response::Builder response);
  void HandleAdmin(wire::Admin::Reader admin, wire::Response::Builder response);

  service::Node& node_;
  TokenStore& tokens_;
  std::string server_version_;
  std::function<uint32_t()> connections_;
};

// Fills `response` with an error.
void SetError(wire::Response::Builder response, std::string_view code, std::string_view message);

}  // namespace roster::api
