// Secret tokens (invitation tokens and API tokens): 256 random bits from the kernel
// (getrandom), base64url without padding, handed to the caller once; only their SHA-256, in
// lower-case hex, is ever stored. Thread-safe.
//
// Failures (no kernel randomness, no SHA-256 in OpenSSL's configuration) are values with the
// code INTERNAL: the request that needed a token fails, the server goes on.
#pragma once

#include <string>
#include <string_view>

#include "api/service/failure.h"

namespace roster::api::service {

Result<std::string> NewSecretToken();
Result<std::string> HashSecretToken(std::string_view token);
// Lower-case hex SHA-256 of any bytes (HashSecretToken is this, for tokens).
Result<std::string> Sha256Hex(std::string_view bytes);

}  // namespace roster::api::service
