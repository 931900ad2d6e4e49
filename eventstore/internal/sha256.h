// SHA-256 through OpenSSL's EVP interface, with the digest fetched once and the context reused,
// because the writer and Verify hash one record after another and OpenSSL 3 charges a provider
// lookup per EVP_DigestInit with EVP_sha256().
//
// Failures are values, like every other eventstore error: an OpenSSL configured without
// SHA-256 fails Create (so opening a store for writing fails, with the reason), and a digest
// that fails later fails that append or verify instead of the process.
//
// Not thread-safe: one Sha256 per thread. Movable, not copyable (owns OpenSSL handles).
#pragma once

#include <string_view>

#include "eventstore/error.h"
#include "eventstore/record.h"

typedef struct evp_md_st EVP_MD;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace roster::eventstore::internal {

class Sha256 {
 public:
  // kIoError when OpenSSL offers no SHA-256 or cannot allocate a digest context.
  static Result<Sha256> Create();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // SHA-256(a || b); kIoError when OpenSSL fails to compute it.
  Result<Hash> Of(std::string_view a, std::string_view b);

 private:
  Sha256(EVP_MD* md, EVP_MD_CTX* ctx) : md_(md), ctx_(ctx) {}

  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

}  // namespace roster::eventstore::internal
