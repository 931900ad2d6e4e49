// Handler: one parsed HTTP request in, one answer out. The console's files (GET / and
// /console/...), operator endpoints (/healthz, /readyz,
// /metrics, /v1/openapi.json), then the API routes: bearer-token authentication through the
// TokenStore (as the TCP hello), the route's protocol request (translate.h), the Dispatcher,
// and the response as JSON or a problem document.
//
// Holds no network state, so that tests and the fuzzer can call it without sockets.
// Thread-safety: Answer may be called from many threads at once. Borrows the dispatcher, token
// store and metrics, which must outlive it.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/dispatch/dispatcher.h"
#include "api/dispatch/token_store.h"
#include "api/http/console/assets.h"
#include "api/http/metrics.h"
#include "api/http/options.h"
#include "api/http/translate.h"

namespace roster::api::http {

// The request as the handler reads it; header values are empty when absent.
struct HttpRequest {
  std::string_view method;
  std::string_view target;  // path and query
  std::string_view authorization;
  std::string_view content_type;
  HttpInput input;                 // query, body and the Roster-* / Idempotency-Key headers
  std::string_view last_event_id;  // Last-Event-ID: where a resumed event stream goes on
};

// The path of the log's event stream (Server-Sent Events; the server answers it, not the
// route table: it is the TCP protocol's connection-level subscribe, not a request kind).
inline constexpr std::string_view kEventsPath = "/v1/events";

// A request answered in parts (the audit export), ready for Dispatcher::HandleStreamed.
struct StreamedRequest {
  dispatch::Principal principal;
  std::unique_ptr<capnp::MallocMessageBuilder> message;  // holds the wire::Request
};

// What an event stream starts from, once its request is accepted.
struct EventStreamStart {
  dispatch::Principal principal;
  std::string token;   // to check again while streaming: a revoked token ends the stream
  uint64_t after = 0;  // the position after which records are sent
};

// What was answered, for the metrics.
struct Answered {
  HttpAnswer answer;
  std::string kind;    // the route's kind ("changeRole"), an operator endpoint, or "unmatched"
  std::string family;  // command, query, admin, operator
};

// Whether the node is ready to serve (every read model caught up within `max_lag` records and
// not rebuilding), and the document /readyz answers with.
struct Readiness {
  bool ready = false;
  std::string body;
};
Readiness EvaluateReadiness(wire::Status::Reader status, uint64_t max_lag);

// The OpenAPI document served at /v1/openapi.json (docs/openapi.json, built in).
std::string_view OpenApiDocument();

class Handler {
 public:
  Handler(dispatch::Dispatcher& dispatcher, dispatch::TokenStore& tokens, Metrics& metrics,
          const HttpOptions& options)
      : dispatcher_(dispatcher), tokens_(tokens), metrics_(metrics), options_(options) {}

  // True for requests answered without blocking, which the server answers on its network
  // thread: /healthz, and permission checks without a consistency token (a check reads a
  // cached model, as the TCP server's Dispatcher::IsQuick says).
  static bool IsQuick(const HttpRequest& request);

  Answered Answer(const HttpRequest& request);

  // The route's protocol request when it is answered in parts (Dispatcher::IsStreamed), after
  // the checks every route gets (token, content type, translation); the problem to answer
  // instead when one fails; nullopt when the request is not a streamed one (Answer it).
  std::optional<std::expected<StreamedRequest, Answered>> PrepareStreamed(
      const HttpRequest& request) const;

  // Checks a GET /v1/events request as the TCP subscribe is checked (a bearer token whose
  // scope may subscribe: admin or auditor) and reads where it starts: Last-Event-ID, else
  // `?after=`, else 0 (the whole log). The problem to answer otherwise (401, 403, 400).
  std::expected<EventStreamStart, Answered> StartEvents(const HttpRequest& request) const;
  // Whether the stream's token still authenticates.
  bool StillValid(const EventStreamStart& start) const;

 private:
  // A file of the browser console (docs/console.md): no token, like the operator endpoints;
  // the page asks for one and sends it with its API calls.
  Answered Console(const console::Asset& asset);
  Answered Operator(std::string_view path);
  Answered Route(const HttpRequest& request, std::string_view path, std::string_view query);
  // Authentication, content type and the protocol request of a route, or the problem.
  std::optional<Answered> Prepare(const HttpRequest& request, const http::Route& route,
                                  const Params& params, std::string_view query,
                                  std::optional<dispatch::Principal>& principal,
                                  wire::Request::Builder out) const;

  dispatch::Dispatcher& dispatcher_;
  dispatch::TokenStore& tokens_;
  Metrics& metrics_;
  HttpOptions options_;
};

}  // namespace roster::api::http
