#include "api/service/secrets.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "eventstore/record_codec.h"
#include "eventstore/sha256.h"

namespace roster::service {

std::string NewInvitationToken() {
  std::array<unsigned char, 32> bytes{};
  // The kernel's CSPRNG, which OpenSSL's own generator seeds from too. OpenSSL 3's RAND_bytes
  // sets up its AES-CTR generator again on every call: 4% of the command service's CPU under
  // an invite/accept/change-role load, against one short system call here. For up to 256
  // bytes getrandom(2) fills the whole request or fails, and it fails only without kernel
  // support: nothing safe to fall back to.
  if (getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    throw std::system_error(errno, std::generic_category(),
                            "getrandom failed: no randomness for invitation tokens");
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
