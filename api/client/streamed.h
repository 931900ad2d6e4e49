// Consuming streamed answers (Client::CallStreamed): the audit export written out as its parts
// arrive, and an organization as-of merged from its parts.
//
// A streamed answer is a sequence of responses with the request's id, every one but the last
// with `more` set (docs/protocol.md, "Streamed answers"). Thread-safety: as the Client used.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/client/client.h"

namespace roster::api::client {

struct ExportRequest {
  std::optional<std::string> org;  // only this organization's records (a filtered export)
  int64_t from_us = std::numeric_limits<int64_t>::min();  // inclusive; default: the beginning
  int64_t to_us = std::numeric_limits<int64_t>::max();    // exclusive; default: no end
  bool csv = false;                                       // else JSON Lines
};

// What the last part says the file holds (the same as its end line).
struct ExportResult {
  uint64_t entries = 0;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  std::string head_hash;  // hex
  uint64_t bytes = 0;     // written to `write`
};

// Asks for the audit export and hands its bytes to `write` in order as they arrive: together
// they are exactly the file `roster-admin export` writes for the same range. `write` returning
// false stops (the rest is discarded as it arrives); the result is then an error with code
// WRITE. An error answer (FORBIDDEN, UNAVAILABLE, ...) is returned with the server's code.
std::expected<ExportResult, ClientError> Export(Client& client, const ExportRequest& request,
                                                const std::function<bool(std::string_view)>& write);

// Merges the parts of a streamed organizationAsOf, in the order they came, into `out` as the
// single answer would hold it: the header from the first part; members, pending invitations
// and projects concatenated; a project continued across parts (same id) joined into one.
void MergeOrganizationAsOf(const std::vector<api::wire::OrganizationAsOf::Reader>& parts,
                           api::wire::OrganizationAsOf::Builder out);

}  // namespace roster::api::client
