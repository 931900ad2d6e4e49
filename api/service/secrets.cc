#include "api/service/secrets.h"

#include <kj/encoding.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace roster::api::service {

Result<std::string> NewSecretToken() {
  std::array<kj::byte, 32> bytes{};
  // The kernel's CSPRNG, which OpenSSL's own generator seeds from too, for one short system
  // call where OpenSSL 3's RAND_bytes sets its generator up again on every call. For up to 256
  // bytes getrandom(2) fills the whole request or fails, and it fails only without kernel
  // support: nothing safe to fall back to.
  if (getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    const int error = errno;
    return Fail("INTERNAL", "getrandom failed, no randomness for secret tokens: " +
                                std::generic_category().message(error));
  }
  const kj::String text = kj::encodeBase64Url(kj::arrayPtr(bytes.data(), bytes.size()));
  std::string out(text.cStr(), text.size());
  // No padding: the token travels in links and headers, where '=' needs escaping.
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

Result<std::string> HashSecretToken(std::string_view token) { return Sha256Hex(token); }

Result<std::string> Sha256Hex(std::string_view bytes) {
  // Fetched once: OpenSSL 3 looks the provider up on every use of EVP_sha256().
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::array<kj::byte, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (sha256 == nullptr ||
      EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, sha256, nullptr) != 1) {
    return Fail("INTERNAL", "OpenSSL could not compute SHA-256");
  }
  const kj::String hex = kj::encodeHex(kj::arrayPtr(digest.data(), size));
  return std::string(hex.cStr(), hex.size());
}

}  // namespace roster::api::service
