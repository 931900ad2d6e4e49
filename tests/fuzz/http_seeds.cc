// Writes http_fuzzer's seed corpus: one request for every route of the HTTP API (api/http),
// with a JSON body of the route's payload in the format the API reads (every field, from
// capnp's JsonCodec) and the headers the API reads, plus requests that break a rule: a
// malformed escape, JSON that is not JSON, a chunked body, a query parameter of the wrong type.
//
// Usage: http_seeds <output directory>
#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <capnp/schema.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "api/http/routes.h"
#include "api/wire/json.h"
#include "api/wire/roster.capnp.h"

namespace {

using roster::api::http::Family;
using roster::api::http::Route;

std::string Request(std::string_view method, const std::string& target, const std::string& body,
                    const std::string& extra_headers = {}) {
  return std::string(method) + " " + target +
         " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\nRoster-Actor: alice\r\n"
         "Idempotency-Key: k1\r\nRoster-Consistency-Token: 7\r\n" +
         extra_headers + (body.empty() ? "" : "Content-Type: application/json\r\n") +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

capnp::StructSchema FamilySchema(Family family) {
  switch (family) {
    case Family::kCommand:
      return capnp::Schema::from<roster::api::wire::Command>();
    case Family::kQuery:
      return capnp::Schema::from<roster::api::wire::Query>();
    case Family::kAdmin:
      return capnp::Schema::from<roster::api::wire::Admin>();
  }
  return capnp::Schema::from<roster::api::wire::Command>();
}

// Every field of the route's payload, as the API's JSON (default values).
std::string BodyOf(const Route& route) {
  const auto type =
      FamilySchema(route.family).getFieldByName(std::string(route.kind).c_str()).getType();
  if (type.isStruct() && route.family != Family::kQuery) {
    capnp::MallocMessageBuilder message;
    auto payload = message.getOrphanage().newOrphan(type.asStruct());
    return roster::api::wire::ToJson(payload.getReader());
  }
  if (type.isText() && !route.body_field.empty()) {
    return "{\"" + std::string(route.body_field) + "\":\"x\"}";
  }
  if (type.isList()) return "{\"" + std::string(route.body_field) + "\":[\"members\"]}";
  return {};
}

std::string TargetOf(const Route& route) {
  std::string path(route.pattern);
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    path.replace(open, path.find('}', open) - open + 1, "x%20y");
  }
  if (route.family == Family::kQuery) path += "?limit=2&cursor=1";
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output directory>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  std::vector<std::pair<std::string, std::string>> seeds;
  for (const Route& route : roster::api::http::Routes()) {
    seeds.emplace_back(std::string(route.kind) + "_" + std::string(route.method),
                       Request(route.method, TargetOf(route), BodyOf(route)));
  }
  seeds.emplace_back("bad_escape", Request("GET", "/v1/orgs/%zz/members", ""));
  seeds.emplace_back("not_json", Request("POST", "/v1/orgs/a/invitations", "{\"email\": [1,"));
  seeds.emplace_back("wrong_type",
                     Request("GET", "/v1/orgs/a/activity?fromTimeUs=x&newestFirst=2", ""));
  seeds.emplace_back("chunked",
                     "POST /v1/orgs/a/invitations HTTP/1.1\r\nHost: x\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"
                     "9\r\n{\"email\":\r\n5\r\n\"b@x\"\r\n1\r\n}\r\n0\r\n\r\n");
  seeds.emplace_back("pipelined", Request("GET", "/v1/status", "") +
                                      Request("DELETE", "/v1/orgs/a/members/b", ""));
  for (const auto& [name, bytes] : seeds) {
    std::ofstream(out / name, std::ios::binary) << bytes;
  }
  std::printf("http_seeds: %zu seeds in %s\n", seeds.size(), out.c_str());
  return 0;
}
