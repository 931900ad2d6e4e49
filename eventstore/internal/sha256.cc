#include "eventstore/internal/sha256.h"

#include <openssl/evp.h>

#include <utility>

namespace roster::eventstore::internal {

Result<Sha256> Sha256::Create() {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (md == nullptr || ctx == nullptr) {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    return Fail(ErrorCode::kIoError,
                "OpenSSL has no SHA-256 digest available, so the hash chain cannot be computed");
  }
  return Sha256(md, ctx);
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

Sha256::Sha256(Sha256&& other) noexcept
    : md_(std::exchange(other.md_, nullptr)), ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
    md_ = std::exchange(other.md_, nullptr);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

Result<Hash> Sha256::Of(std::string_view a, std::string_view b) {
  Hash out{};
  unsigned int size = 0;
  const bool ok = EVP_DigestInit_ex(ctx_, md_, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx_, a.data(), a.size()) == 1 &&
                  EVP_DigestUpdate(ctx_, b.data(), b.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx_, out.data(), &size) == 1 && size == out.size();
  if (!ok) return Fail(ErrorCode::kIoError, "OpenSSL failed to compute a SHA-256 digest");
  return out;
}

}  // namespace roster::eventstore::internal
