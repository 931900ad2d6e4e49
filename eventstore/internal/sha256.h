// SHA-256 through OpenSSL's EVP interface, with the digest fetched once and the context reused,
// because the writer and Verify hash one record after another and OpenSSL 3 charges a provider
// lookup per EVP_DigestInit with EVP_sha256().
//
// Not thread-safe: one Sha256 per thread. Not copyable (owns OpenSSL handles).
#pragma once

#include <string_view>

#include "eventstore/record.h"

typedef struct evp_md_st EVP_MD;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace roster::eventstore::internal {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // SHA-256(a || b).
  Hash Of(std::string_view a, std::string_view b);

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

}  // namespace roster::eventstore::internal
