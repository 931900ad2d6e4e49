#include "api/service/secrets.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "eventstore/record_codec.h"
#include "eventstore/sha256.h"

namespace roster::service {

std::string NewInvitationToken() {
  std::array<unsigned char, 32> bytes{};
  // RAND_bytes only fails when the system has no entropy source: nothing safe to fall back to.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no entropy for invitation tokens");
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::string HashInvitationToken(std::string_view token) {
  // One digest handle per thread: OpenSSL 3's one-shot SHA256() looks the provider up on
  // every call, which was half of this function's cost on every invitation.
  thread_local eventstore::Sha256 sha;
  const eventstore::Hash digest = sha.Of(token, {});
  return eventstore::codec::Hex(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace roster::service
