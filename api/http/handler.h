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
  HttpInput input;  // query, body and the Roster-* / Idempotency-Key headers
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

 private:
  // A file of the browser console (docs/console.md): no token, like the operator endpoints;
  // the page asks for one and sends it with its API calls.
  Answered Console(const console::Asset& asset);
  Answered Operator(std::string_view path);
  Answered Route(const HttpRequest& request, std::string_view path, std::string_view query);

  dispatch::Dispatcher& dispatcher_;
  dispatch::TokenStore& tokens_;
  Metrics& metrics_;
  HttpOptions options_;
};

}  // namespace roster::api::http
