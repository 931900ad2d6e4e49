#include "api/http/console/assets.h"

#include <map>
#include <string>

namespace roster::api::http::console {
namespace {

std::string_view MediaType(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  return "text/plain; charset=utf-8";
}

const std::map<std::string, Asset, std::less<>>& Table() {
  static const auto* table = [] {
    auto* t = new std::map<std::string, Asset, std::less<>>;
    for (const auto& f : EmbeddedFiles()) {
      const Asset asset{f.body, MediaType(f.name)};
      t->emplace("/console/" + std::string(f.name), asset);
      if (f.name == "index.html") t->emplace("/", asset);
    }
    return t;
  }();
  return *table;
}

// The page loads only its own files and talks only to this origin's API: no inline script or
// style (which an injected string could use), no frames, no form posts elsewhere.
constexpr HeaderLine kHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
     "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    // The files change with the binary: revalidating costs little and never mixes versions.
    {"Cache-Control", "no-cache"},
};

}  // namespace

const Asset* FindAsset(std::string_view path) {
  const auto& table = Table();
  const auto it = table.find(path);
  return it == table.end() ? nullptr : &it->second;
}

std::span<const HeaderLine> AssetHeaders() { return kHeaders; }

}  // namespace roster::api::http::console
