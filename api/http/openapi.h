// The OpenAPI 3.1 document of the HTTP API, generated from the route table (routes.h) and the
// protocol's schemas (api/wire/roster.capnp, by Cap'n Proto reflection): paths, parameters,
// request bodies and answers all come from the same definitions the server translates with.
//
// docs/openapi.json is this function's output; the test http_routes_test checks that the
// built-in copy served at /v1/openapi.json is still what the code generates, and rewrites
// docs/openapi.json when run with ROSTER_UPDATE_OPENAPI=1. Pure; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace roster::api::http {

// The paths served outside the route table, without a token (GET only).
std::span<const std::string_view> OperatorPaths();

// The streamed paths the server answers outside the route table (GET, with a token):
// /v1/events, the log as Server-Sent Events.
std::span<const std::string_view> StreamPaths();

// The response member (of wire::Response) a route's kind answers with: "members" for
// listMembers, "command" for every command, "done" for admin requests without a result.
std::string_view ResponseMemberOf(std::string_view kind, bool is_command);

std::string GenerateOpenApi();

}  // namespace roster::api::http
