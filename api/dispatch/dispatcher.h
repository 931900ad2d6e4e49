// Dispatcher: one decoded request in, one response out, or for a streamed answer a sequence
// of parts.
//
// Turns protocol requests into command-service and query-service calls and their results back
// into protocol responses; enforces which scope may ask what (admin: everything; service:
// commands and queries except the audit export; auditor: queries only); never trusts the bytes
// it reads: a malformed request (a field Cap'n Proto cannot traverse, an unknown kind) gets an
// error response, not an exception. Connection-level requests (hello, subscribe, credit,
// unsubscribe) belong to the server and are answered UNSUPPORTED here.
//
// Streamed answers (IsStreamed: the audit export, and as-of / history queries with
// Query.streamed) go through HandleStreamed, which hands each part to a PartSink as soon as it
// is built (dispatch_streamed.cc); every part but the last has Response.more set.
//
// Thread-safety: Handle and HandleStreamed may be called from many threads at once. Borrows
// the node and token store, which must outlive it.
#pragma once

#include <capnp/message.h>

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "api/dispatch/token_store.h"
#include "api/service/node.h"
#include "api/webhooks/webhooks.h"
#include "api/wire/roster.capnp.h"
#include "domain/time.h"

namespace roster::api::dispatch {

// Where the parts of a streamed answer go, in order. Send may block until the connection has
// room for more, so that a client that reads slowly slows its producer down instead of growing
// the server's memory. It returns false when nobody will read the rest (the connection closed,
// the server is stopping): the producer then stops. The part is only borrowed for the call.
class PartSink {
 public:
  virtual bool Send(capnp::MallocMessageBuilder& part) = 0;

 protected:
  ~PartSink() = default;
};

class Dispatcher {
 public:
  Dispatcher(api::service::Node& node, TokenStore& tokens, std::string server_version);

  // Whether `principal` may make this request; the error to answer otherwise.
  static std::optional<api::service::Failure> Authorize(const Principal& principal,
                                                        wire::Request::Reader request);
  // True for requests cheap enough to answer on a network thread (permission checks).
  static bool IsQuick(wire::Request::Reader request);

  // True for requests answered in parts: the audit export, and organizationAsOf,
  // userAccessAsOf and userHistory queries with Query.streamed set.
  static bool IsStreamed(wire::Request::Reader request);

  void Handle(const Principal& principal, wire::Request::Reader request,
              wire::Response::Builder response);
  // Answers a request in parts: each to `sink`, the last (or an error) with more = false. A
  // request that is not streamed is answered as one part. Never throws.
  void HandleStreamed(const Principal& principal, wire::Request::Reader request, PartSink& sink);

  // Counts live connections for the status query; set by the server.
  void SetConnectionCounter(std::function<uint32_t()> counter) {
    connections_ = std::move(counter);
  }
  // The test clock (rosterd --test-clock), which Admin.advanceClock moves; without one that
  // request is refused. Each move is written to `offset_file` (test_clock_file.h) before it
  // takes effect and is answered, so that a restart resumes from it. Set before serving;
  // borrowed.
  void SetTestClock(domain::OffsetClock* clock, std::filesystem::path offset_file) {
    test_clock_ = clock;
    test_clock_file_ = std::move(offset_file);
  }
  // The webhooks the Admin webhook requests manage; without them those requests are refused.
  // Set before serving; borrowed.
  void SetWebhooks(webhooks::Webhooks* hooks) { webhooks_ = hooks; }
  webhooks::Webhooks* webhooks() const { return webhooks_; }
  const std::string& server_version() const { return server_version_; }
  // The node answered for: the HTTP server streams its log to subscribers.
  api::service::Node& node() const { return node_; }

 private:
  void HandleCommand(const Principal& principal, wire::Command::Reader command,
                     wire::Response::Builder response);
  void HandleQuery(wire::Query::Reader query, wire::Response::Builder response);
  // The organization listings (roles, projects, API keys, resources, settings), read from its
  // current aggregate (api/service/listings.h).
  void HandleListing(wire::Query::Reader query, wire::Response::Builder response);
  void HandleAdmin(wire::Admin::Reader admin, wire::Response::Builder response);
  // registerWebhook, removeWebhook, listWebhooks, webhookDeliveries (dispatch/webhooks.cc).
  void HandleWebhooks(wire::Admin::Reader admin, wire::Response::Builder response);

  api::service::Node& node_;
  TokenStore& tokens_;
  std::string server_version_;
  std::function<uint32_t()> connections_;
  domain::OffsetClock* test_clock_ = nullptr;
  std::filesystem::path test_clock_file_;
  // One advance at a time: the file must end with the largest offset, which the clock holds.
  std::mutex advance_mutex_;
  webhooks::Webhooks* webhooks_ = nullptr;
};

// Fills `response` with an error.
void SetError(wire::Response::Builder response, std::string_view code, std::string_view message);

}  // namespace roster::api::dispatch
