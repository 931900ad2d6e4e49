#include "eventstore/internal/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace roster::eventstore::internal {

Sha256::Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
  // Without SHA-256 the store cannot chain a single record; this is a broken installation,
  // not a condition a caller could handle.
  if (md_ == nullptr || ctx_ == nullptr) {
    std::fprintf(stderr, "roster: OpenSSL has no SHA-256 digest available\n");
    std::abort();
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

Hash Sha256::Of(std::string_view a, std::string_view b) {
  Hash out{};
  unsigned int size = 0;
  const bool ok = EVP_DigestInit_ex(ctx_, md_, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx_, a.data(), a.size()) == 1 &&
                  EVP_DigestUpdate(ctx_, b.data(), b.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx_, out.data(), &size) == 1 && size == out.size();
  if (!ok) {
    std::fprintf(stderr, "roster: OpenSSL SHA-256 failed\n");
    std::abort();
  }
  return out;
}

}  // namespace roster::eventstore::internal
