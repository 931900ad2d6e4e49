// Routes: the HTTP API's resources as one table of (method, path pattern) -> protocol request
// kind, and the lookup of a request line in it.
//
// A route names the member of Command, Query or Admin (api/wire/roster.capnp) it becomes, so
// that the HTTP API is a view of the Cap'n Proto protocol rather than a second definition:
// translate.h fills that member from the path, the query string and the JSON body, and the
// dispatcher answers it exactly as it answers the TCP API. Patterns hold literal segments and
// `{name}` segments; a `{name}` sets the payload field of that name (or Command.org for `{org}`
// on commands).
//
// Pure functions over a constant table; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace roster::api::http {

enum class Family { kCommand, kQuery, kAdmin };
std::string_view FamilyName(Family family);

struct Route {
  std::string_view method;   // GET, POST, PUT, PATCH, DELETE
  std::string_view pattern;  // "/v1/orgs/{org}/members/{user}/role"
  Family family;
  std::string_view kind;  // the union member of Command, Query or Admin: "changeRole"
  // A Text or List(Text) payload not named by the path: the member of the JSON body holding it
  // (renameOrganization: {"name": "..."}). Empty for struct and Void payloads.
  std::string_view body_field = {};
  std::string_view summary = {};  // one line for the OpenAPI document
};

// Every route of the API, in documentation order.
std::span<const Route> Routes();

using Params = std::vector<std::pair<std::string, std::string>>;

struct RouteLookup {
  const Route* route = nullptr;  // null: no route for this method and path
  Params params;                 // the `{name}` segments, percent-decoded
  // When `route` is null: the methods the path answers to (empty: an unknown path, 404;
  // otherwise a wrong method, 405 with these in Allow).
  std::vector<std::string_view> allowed;
};

// `path` without the query string. A literal segment wins over a `{name}` one, so that
// POST /v1/orgs/a/invitations/expire is expireInvitations and not an invitation named "expire".
RouteLookup FindRoute(std::string_view method, std::string_view path);

// Splits "a=1&b=x%20y" into decoded pairs ('+' is a space, as forms send it); false when an
// escape is malformed.
bool ParseQueryString(std::string_view query, Params* out);
// Decodes %XX escapes; false when one is malformed or decodes to a NUL byte.
bool PercentDecode(std::string_view in, std::string* out, bool plus_is_space = false);

}  // namespace roster::api::http
