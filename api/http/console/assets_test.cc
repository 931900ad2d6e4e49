// The console's embedded files: what / answers, that every file the page loads is served, that
// nothing points outside the origin, and that the generated role catalogs follow the domain's
// no-escalation rule.
#include "api/http/console/assets.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

namespace roster::api::http::console {
namespace {

std::string Header(std::string_view name) {
  for (const auto& h : AssetHeaders()) {
    if (h.name == name) return std::string(h.value);
  }
  return {};
}

TEST(ConsoleAssets, RootIsThePageAndOtherPathsAreNot) {
  const Asset* root = FindAsset("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_NE(root->body.find("<title>Roster console</title>"), std::string_view::npos);
  const Asset* same = FindAsset("/console/index.html");
  ASSERT_NE(same, nullptr);
  EXPECT_EQ(same->body, root->body);
  for (auto path : {"", "/v1/status", "/metrics", "/console/", "/console/nothing.js",
                    "/console/../index.html", "/index.html"}) {
    EXPECT_EQ(FindAsset(path), nullptr) << path;
  }
  ASSERT_NE(FindAsset("/console/js/app.js"), nullptr);
  EXPECT_EQ(FindAsset("/console/js/app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(FindAsset("/console/console.css")->content_type, "text/css; charset=utf-8");
}

TEST(ConsoleAssets, PolicyAllowsOnlyThisOrigin) {
  const std::string csp = Header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(Header("X-Content-Type-Options"), "nosniff");
}

// Every script, style and module import the files name is embedded, and no file refers to
// another origin (a CDN) or carries inline script the policy would block.
TEST(ConsoleAssets, EveryReferenceIsEmbeddedAndLocal) {
  const std::regex reference(R"((?:src|href)=\"([^\"]+)\"|from '([^']+)')");
  size_t checked = 0;
  for (const auto& f : EmbeddedFiles()) {
    std::string body(f.body);
    // The SVG namespace is a name, not something fetched.
    constexpr std::string_view kSvgNamespace = "http://www.w3.org/2000/svg";
    for (auto at = body.find(kSvgNamespace); at != std::string::npos;
         at = body.find(kSvgNamespace)) {
      body.erase(at, kSvgNamespace.size());
    }
    EXPECT_EQ(body.find("http://"), std::string::npos) << f.name;
    EXPECT_EQ(body.find("https://"), std::string::npos) << f.name;
    EXPECT_EQ(body.find(" on"
                        "click="),
              std::string::npos)
        << f.name;
    const std::string dir =
        f.name.rfind('/') == std::string_view::npos
            ? "/console/"
            : "/console/" + std::string(f.name.substr(0, f.name.rfind('/') + 1));
    for (std::sregex_iterator it(body.begin(), body.end(), reference), end; it != end; ++it) {
      std::string target = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
      if (target.starts_with("#")) continue;
      if (target.starts_with("./")) target = dir + target.substr(2);
      EXPECT_NE(FindAsset(target), nullptr) << f.name << " refers to " << target;
      ++checked;
    }
  }
  EXPECT_GE(checked, 3u);  // the page's script and style, and the modules' imports
}

TEST(ConsoleAssets, CatalogsFollowNoEscalation) {
  const Asset* file = FindAsset("/console/catalogs.json");
  ASSERT_NE(file, nullptr);
  const auto doc = nlohmann::json::parse(file->body);
  EXPECT_EQ(doc["permissions"].size(), 19u);
  std::set<std::string> presets;
  for (const auto& [name, _] : doc["presets"].items()) presets.insert(name);
  EXPECT_EQ(presets,
            (std::set<std::string>{"analytics", "api", "commerce", "platform", "workspace"}));
  auto covers = [&](const std::string& preset, const std::string& role) {
    std::set<std::string> out;
    for (const auto& r : doc["presets"][preset]["roles"]) {
      if (r["name"] == role) {
        for (const auto& c : r["covers"]) out.insert(c.get<std::string>());
      }
    }
    return out;
  };
  // docs/domain.md: a commerce Manager can neither promote to nor remove an Owner.
  EXPECT_EQ(covers("commerce", "Manager"), (std::set<std::string>{"Manager", "Editor", "Billing"}));
  EXPECT_EQ(covers("commerce", "Owner"),
            (std::set<std::string>{"Owner", "Manager", "Editor", "Billing"}));
  EXPECT_EQ(doc["presets"]["commerce"]["ownerRole"], "Owner");
}

}  // namespace
}  // namespace roster::api::http::console
