// Secret tokens (invitation tokens and API tokens): 256 random bits from the kernel
// (getrandom), base64url without padding, handed to the caller once; only their SHA-256, in
// lower-case hex, is ever stored. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace roster::api::service {

std::string NewSecretToken();
std::string HashSecretToken(std::string_view token);

}  // namespace roster::api::service
