#include "api/webhooks/endpoint.h"

#include <algorithm>
#include <charconv>
#include <variant>

#include "domain/events.h"

namespace roster::api::webhooks {

std::string Url::HostHeader() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string out = ipv6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::expected<Url, std::string> ParseUrl(std::string_view text) {
  auto bad = [&](std::string why) {
    return std::unexpected("url '" + std::string(text) + "' " + why);
  };
  if (text.empty()) return std::unexpected(std::string("url is required"));
  if (text.size() > 2048) return std::unexpected(std::string("url is longer than 2048 bytes"));
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return bad("holds a space, a control or a non-ASCII character");
  }
  Url url;
  std::string_view rest;
  if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else if (text.starts_with("https://")) {
    url.tls = true;
    rest = text.substr(8);
  } else {
    return bad("must start with http:// or https://");
  }
  if (rest.find('#') != std::string_view::npos) return bad("must not have a fragment (#...)");
  const size_t slash = std::min(rest.find('/'), rest.find('?'));
  std::string_view authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.target.front() == '?') url.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return bad(
        "must not carry a user or password (put secrets in the path, or rely on the "
        "signature)");
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed [ in its host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("has text after its IPv6 host");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("has an empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("has an empty port");
    }
  }
  if (url.host.empty()) return bad("has no host");
  url.port = url.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value < 1 ||
        value > 65535) {
      return bad("has a port that is not a number from 1 to 65535");
    }
    url.port = static_cast<uint16_t>(value);
  }
  return url;
}

const std::vector<std::string_view>& KnownEventTypes() {
  static const std::vector<std::string_view> types = [] {
    std::vector<std::string_view> out;
    [&out]<size_t... I>(std::index_sequence<I...>) {
      (out.push_back(std::variant_alternative_t<I, domain::Event>::kType), ...);
    }
    (std::make_index_sequence<std::variant_size_v<domain::Event>>{});
    return out;
  }();
  return types;
}

std::string CheckEventTypes(const std::vector<std::string>& types) {
  const auto& known = KnownEventTypes();
  for (const std::string& type : types) {
    if (std::find(known.begin(), known.end(), type) != known.end()) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return "unknown event type '" + type + "'; the types are: " + list;
  }
  return "";
}

bool Matches(const Endpoint& endpoint, std::string_view org, std::string_view type) {
  if (!endpoint.org.empty() && endpoint.org != org) return false;
  if (endpoint.event_types.empty()) return true;
  return std::find(endpoint.event_types.begin(), endpoint.event_types.end(), type) !=
         endpoint.event_types.end();
}

}  // namespace roster::api::webhooks
