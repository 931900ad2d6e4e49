// Translate: an HTTP request on a route into a protocol request, and a protocol response into
// an HTTP answer (status, headers, JSON body).
//
// JSON bodies are decoded into the route's payload struct with Cap'n Proto's JsonCodec, and
// answers are encoded with it, so field names are roster.capnp's and 64-bit integers are
// strings (positions, times, cursors), Data is lower-case hex: the same format as the CLIs'
// --json (api/wire/json.h). Errors are RFC 9457 problem documents carrying the protocol's error
// code (LAST_OWNER, FORBIDDEN, ...) and its sentence.
//
// Never throws on untrusted input: a body or parameter that does not fit the payload is a
// BAD_REQUEST Failure. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/routes.h"
#include "api/service/failure.h"
#include "api/wire/roster.capnp.h"

namespace roster::api::http {

// The header names of the API (docs/http.md).
inline constexpr std::string_view kActorHeader = "Roster-Actor";
inline constexpr std::string_view kCorrelationHeader = "Roster-Correlation-Id";
inline constexpr std::string_view kConsistencyHeader = "Roster-Consistency-Token";
inline constexpr std::string_view kIdempotencyHeader = "Idempotency-Key";
inline constexpr std::string_view kReplayedHeader = "Idempotent-Replayed";

// What of an HTTP request the translation reads.
struct HttpInput {
  std::string_view query;  // the target after '?', undecoded
  std::string_view body;   // JSON, or empty
  std::string_view actor;  // Roster-Actor: Command.actor; the viewer of a query that has one
  std::string_view correlation_id;
  std::string_view idempotency_key;    // Command.commandId; empty: a fresh random id
  std::string_view consistency_token;  // Query.consistencyToken, decimal
};

// Fills `out` (a Request of the route's family and kind) from the route's path parameters and
// `in`. A BAD_REQUEST Failure when the body is not JSON of the payload's shape, a parameter is
// unknown or not of its field's type.
api::service::Result<void> BuildRequest(const Route& route, const Params& path_params,
                                        const HttpInput& in, wire::Request::Builder out);

struct HttpAnswer {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string code;  // the protocol's error or rejection code; empty on success (for metrics)
};

// The answer for a protocol response. `path` and `query` (the request's) build the paging
// `Link: <...>; rel="next"` header of a page that has a next cursor.
HttpAnswer RenderResponse(wire::Response::Reader response, std::string_view path = {},
                          std::string_view query = {});

// A problem+json answer.
HttpAnswer Problem(unsigned status, std::string_view code, std::string_view detail);
// The HTTP status of a protocol error or rejection code.
unsigned StatusForCode(std::string_view code);

}  // namespace roster::api::http
