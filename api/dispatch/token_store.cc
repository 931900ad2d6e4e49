#include "api/dispatch/token_store.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "api/service/secrets.h"

namespace roster::api::dispatch {
namespace {

using service::HashSecretToken;

bool IsTokenHash(std::string_view hash) {
  return hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Writes `content` to `path` with mode 0600 via a temporary file and rename.
std::expected<void, std::string> WritePrivate(const std::filesystem::path& path,
                                              const std::string& content) {
  const std::string tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected("cannot write " + tmp + ": " + std::strerror(errno));
  const bool ok =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return std::unexpected("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  return {};
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  }
  return true;
}

}  // namespace

std::string_view ScopeName(Scope s) {
  switch (s) {
    case Scope::kAdmin:
      return "admin";
    case Scope::kService:
      return "service";
    case Scope::kAuditor:
      return "auditor";
  }
  return "auditor";
}

std::optional<Scope> ParseScope(std::string_view name) {
  if (name == "admin") return Scope::kAdmin;
  if (name == "service") return Scope::kService;
  if (name == "auditor") return Scope::kAuditor;
  return std::nullopt;
}

std::expected<std::unique_ptr<TokenStore>, std::string> TokenStore::Open(
    const std::filesystem::path& dir, std::filesystem::path* created_admin_token) {
  std::unique_ptr<TokenStore> store(new TokenStore(dir / "tokens"));
  std::ifstream in(store->file_);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, scope, hash;
    fields >> name >> scope >> hash;
    auto parsed_scope = ParseScope(scope);
    if (!ValidName(name) || !parsed_scope || !IsTokenHash(hash)) {
      return std::unexpected(store->file_.string() + ":" + std::to_string(number) +
                             ": expected 'name scope sha256-hex'");
    }
    store->entries_.push_back(Entry{name, *parsed_scope, hash});
  }
  if (store->entries_.empty()) {
    auto token = store->Issue("admin", Scope::kAdmin);
    if (!token) return std::unexpected(token.error());
    const std::filesystem::path admin = dir / "admin.token";
    if (auto written = WritePrivate(admin, *token + "\n"); !written) {
      return std::unexpected(written.error());
    }
    if (created_admin_token) *created_admin_token = admin;
  }
  return store;
}

std::optional<Principal> TokenStore::Authenticate(std::string_view token) const {
  // admin.token ends with a newline, and a client that sends the file's bytes sends it too.
  // Tokens never contain whitespace, so trailing whitespace is trimmed rather than refused.
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' ||
                            token.back() == '\t')) {
    token.remove_suffix(1);
  }
  // A token that cannot be hashed cannot be checked: it authenticates no one.
  const auto hashed = HashSecretToken(token);
  if (!hashed) return std::nullopt;
  const std::string& presented = *hashed;
  std::lock_guard lock(mu_);
  std::optional<Principal> found;
  // Every entry is compared, each in constant time: timing says nothing about which matched.
  for (const Entry& e : entries_) {
    if (CRYPTO_memcmp(presented.data(), e.hash.data(), presented.size()) == 0) {
      found = Principal{e.name, e.scope};
    }
  }
  return found;
}

std::expected<std::string, std::string> TokenStore::Issue(const std::string& name, Scope scope) {
  if (!ValidName(name)) {
    return std::unexpected("a token name is 1 to 64 letters, digits, '-', '_' or '.'");
  }
  auto secret = api::service::NewSecretToken();
  if (!secret) return std::unexpected("cannot create a token: " + secret.error().message);
  std::string token = "rst_" + *secret;
  auto hash = HashSecretToken(token);
  if (!hash) return std::unexpected("cannot create a token: " + hash.error().message);
  bool replaced = false;
  {
    std::lock_guard writing(save_mu_);
    std::vector<Entry> next = Entries();
    replaced = std::erase_if(next, [&](const Entry& e) { return e.name == name; }) > 0;
    next.push_back(Entry{name, scope, std::move(*hash)});
    if (auto saved = Replace(std::move(next)); !saved) return std::unexpected(saved.error());
  }
  if (replaced) Invalidated(name);
  return token;
}

std::expected<void, std::string> TokenStore::Revoke(const std::string& name) {
  {
    std::lock_guard writing(save_mu_);
    std::vector<Entry> next = Entries();
    const size_t before = next.size();
    std::erase_if(next, [&](const Entry& e) { return e.name == name; });
    if (next.size() == before) return std::unexpected("no token named " + name);
    if (auto saved = Replace(std::move(next)); !saved) return saved;
  }
  Invalidated(name);
  return {};
}

void TokenStore::SetInvalidatedListener(InvalidatedListener listener) {
  std::lock_guard lock(listener_mu_);
  listener_ = std::move(listener);
}

void TokenStore::Invalidated(const std::string& name) {
  std::lock_guard lock(listener_mu_);
  if (listener_) listener_(name);
}

std::vector<TokenStore::Entry> TokenStore::Entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

std::expected<void, std::string> TokenStore::Replace(std::vector<Entry> next) {
  // The file is written without holding mu_, so authentication (on network threads) never
  // waits for disk; the tokens in memory change only once the file holds them.
  if (auto saved = Save(next); !saved) return saved;
  std::lock_guard lock(mu_);
  entries_ = std::move(next);
  return {};
}

std::vector<Principal> TokenStore::List() const {
  std::lock_guard lock(mu_);
  std::vector<Principal> out;
  for (const Entry& e : entries_) out.push_back(Principal{e.name, e.scope});
  return out;
}

std::expected<void, std::string> TokenStore::Save(const std::vector<Entry>& entries) const {
  std::string content = "# Roster API tokens: name scope sha256(token). Managed by rosterd.\n";
  for (const Entry& e : entries) {
    content += e.name + " " + std::string(ScopeName(e.scope)) + " " + e.hash + "\n";
  }
  return WritePrivate(file_, content);
}

}  // namespace roster::api::dispatch
