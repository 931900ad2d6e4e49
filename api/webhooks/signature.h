// The signature of a webhook request, in the Stripe / Svix convention (docs/webhooks.md shows a
// receiver verifying it):
//
//   Roster-Signature: t=<unix seconds>,v1=<lower-case hex HMAC-SHA256(secret, "<t>.<body>")>
//
// The timestamp is inside what is signed, so a receiver that refuses old timestamps also refuses
// replays of a captured request. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roster::api::webhooks {

// Lower-case hex HMAC-SHA256 of `message` under `key`; nullopt only if OpenSSL has no SHA-256.
std::optional<std::string> HmacSha256Hex(std::string_view key, std::string_view message);

// The Roster-Signature header's value for `body` sent at `unix_seconds`.
std::optional<std::string> SignatureHeader(std::string_view secret, int64_t unix_seconds,
                                           std::string_view body);

// What a receiver does: true when `header` carries a v1 signature of `body` under `secret` for
// its t=. (Checking that t is recent is the receiver's policy; this does not look at clocks.)
bool VerifySignature(std::string_view secret, std::string_view header, std::string_view body);

}  // namespace roster::api::webhooks
