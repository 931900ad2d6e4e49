// TokenStore: the API tokens rosterd accepts, by name and scope.
//
// Only the SHA-256 of each token is kept, in `<data>/tokens` (mode 0600, one "name scope
// hash" line each, rewritten atomically). On first start the store issues an `admin` token and
// writes it in clear to `<data>/admin.token` (mode 0600) so the operator can read it once.
// Authentication hashes the presented token and compares it with every stored hash in constant
// time. A token that stops being valid (revoked, or replaced by Issue under the same name) is
// announced to the invalidation listener, so that connections it opened can be closed.
// Thread-safe.
#pragma once

#include <expected>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roster::api::dispatch {

enum class Scope { kAdmin, kService, kAuditor };
std::string_view ScopeName(Scope s);
std::optional<Scope> ParseScope(std::string_view name);

struct Principal {
  std::string name;
  Scope scope = Scope::kAuditor;
};

class TokenStore {
 public:
  // Loads `<dir>/tokens`; creates the admin token when there is none. `created_admin_token`
  // (optional) receives the path of admin.token when it was just written.
  static std::expected<std::unique_ptr<TokenStore>, std::string> Open(
      const std::filesystem::path& dir, std::filesystem::path* created_admin_token = nullptr);

  std::optional<Principal> Authenticate(std::string_view token) const;
  // A new random token for `name` (replacing one of the same name). Returned once.
  std::expected<std::string, std::string> Issue(const std::string& name, Scope scope);
  std::expected<void, std::string> Revoke(const std::string& name);
  std::vector<Principal> List() const;

  // Called with a token's name once the token no longer authenticates (after Revoke, or Issue
  // replacing a token of that name), on the thread that changed it and outside the store's
  // locks. One listener; nullptr removes it (and waits for a call in progress to return).
  using InvalidatedListener = std::function<void(const std::string& name)>;
  void SetInvalidatedListener(InvalidatedListener listener);

 private:
  struct Entry {
    std::string name;
    Scope scope;
    std::string hash;  // SHA-256 of the token, lower-case hex
  };
  explicit TokenStore(std::filesystem::path file) : file_(std::move(file)) {}
  std::vector<Entry> Entries() const;
  // Writes `next` to the file, then makes it the tokens in memory. Called with save_mu_ held.
  std::expected<void, std::string> Replace(std::vector<Entry> next);
  std::expected<void, std::string> Save(const std::vector<Entry>& entries) const;

  std::filesystem::path file_;
  std::mutex save_mu_;     // one writer of the file at a time
  mutable std::mutex mu_;  // guards entries_; never held across file I/O
  std::vector<Entry> entries_;
  std::mutex listener_mu_;  // guards listener_ and is held while it runs
  InvalidatedListener listener_;
  void Invalidated(const std::string& name);
};

}  // namespace roster::api::dispatch
