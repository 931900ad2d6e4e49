// A webhook endpoint as an admin registers it: where events go (an http:// or https:// URL),
// which events (an organization and event types; empty = all), and the secret that signs them.
// The checks a registration passes (ParseUrl, CheckEventTypes) and the filter a record passes
// (Matches). Value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "eventstore/record.h"

namespace roster::api::webhooks {

struct Url {
  bool tls = false;  // https
  std::string host;  // without brackets for an IPv6 literal
  uint16_t port = 0;
  std::string target;  // path and query, at least "/"
  // The Host header's value: host, plus :port when it is not the scheme's default.
  std::string HostHeader() const;
};

// An absolute http:// or https:// URL with a host, an optional port (1-65535) and an optional
// path and query; no user info, no fragment, no spaces or control characters. The error says
// what is wrong with it, for an INVALID_ARGUMENT answer.
std::expected<Url, std::string> ParseUrl(std::string_view text);

// Every event type a webhook may ask for: the log's type names (domain/events.h), in order.
const std::vector<std::string_view>& KnownEventTypes();
// An error naming the first unknown type and listing the known ones; empty when all are known.
std::string CheckEventTypes(const std::vector<std::string>& types);

struct Endpoint {
  std::string id;  // "wh_" + random; chosen by rosterd
  std::string url;
  std::string org;                       // empty: every organization
  std::vector<std::string> event_types;  // empty: every type
  std::string secret;                    // signs each request; returned once, at registration
  int64_t created_us = 0;
  // Events after this position are delivered: the log's head at registration unless the request
  // named an earlier start.
  eventstore::Position start_after = 0;
};

// Whether a record of `type` in organization `org` (empty for a stream Roster does not write)
// goes to the endpoint.
bool Matches(const Endpoint& endpoint, std::string_view org, std::string_view type);

}  // namespace roster::api::webhooks
