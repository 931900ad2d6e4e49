#include "api/http/openapi.h"

#include <capnp/schema.h>

#include <array>
#include <nlohmann/json.hpp>
#include <set>

#include "api/http/routes.h"
#include "api/http/translate.h"
#include "api/wire/roster.capnp.h"

namespace roster::api::http {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 4> kOperatorPaths{"/healthz", "/readyz", "/metrics",
                                                         "/v1/openapi.json"};

std::string Name(capnp::StructSchema s) { return std::string(s.getShortDisplayName().cStr()); }

// The JSON Schema of a Cap'n Proto type as JsonCodec (with hex Data) writes it; struct types
// are collected in `structs` and referred to.
Json SchemaOf(capnp::Type type, std::set<std::string>& seen, Json& components) {
  using T = capnp::schema::Type;
  switch (type.which()) {
    case T::VOID:
      return {{"type", "null"}};
    case T::BOOL:
      return {{"type", "boolean"}};
    case T::INT8:
    case T::INT16:
    case T::INT32:
    case T::UINT8:
    case T::UINT16:
    case T::UINT32:
      return {{"type", "integer"}};
    case T::INT64:
      return {{"type", "string"}, {"pattern", "^-?[0-9]+$"}, {"format", "int64"}};
    case T::UINT64:
      return {{"type", "string"}, {"pattern", "^[0-9]+$"}, {"format", "uint64"}};
    case T::FLOAT32:
    case T::FLOAT64:
      return {{"type", "number"}};
    case T::TEXT:
      return {{"type", "string"}};
    case T::DATA:
      return {{"type", "string"}, {"contentEncoding", "base16"}};
    case T::ENUM: {
      Json names = Json::array();
      for (auto e : type.asEnum().getEnumerants()) names.push_back(e.getProto().getName().cStr());
      return {{"type", "string"}, {"enum", names}};
    }
    case T::LIST:
      return {{"type", "array"},
              {"items", SchemaOf(type.asList().getElementType(), seen, components)}};
    case T::STRUCT: {
      auto s = type.asStruct();
      const std::string name = Name(s);
      if (seen.insert(name).second) {
        Json properties = Json::object();
        for (auto field : s.getFields()) {
          properties[field.getProto().getName().cStr()] =
              SchemaOf(field.getType(), seen, components);
        }
        components[name] = {{"type", "object"}, {"properties", properties}};
      }
      return {{"$ref", "#/components/schemas/" + name}};
    }
    default:
      return Json::object();
  }
}

capnp::StructSchema FamilySchema(Family family) {
  switch (family) {
    case Family::kCommand:
      return capnp::Schema::from<wire::Command>();
    case Family::kQuery:
      return capnp::Schema::from<wire::Query>();
    case Family::kAdmin:
      return capnp::Schema::from<wire::Admin>();
  }
  return capnp::Schema::from<wire::Command>();
}

std::vector<std::string> PathParams(std::string_view pattern) {
  std::vector<std::string> out;
  for (size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    out.emplace_back(pattern.substr(open + 1, pattern.find('}', open) - open - 1));
  }
  return out;
}

Json Header(std::string_view name, std::string_view description, bool required = false) {
  return {{"name", name},
          {"in", "header"},
          {"required", required},
          {"description", description},
          {"schema", {{"type", "string"}}}};
}

Json Operation(const Route& route, std::set<std::string>& seen, Json& components) {
  const auto field = FamilySchema(route.family).getFieldByName(std::string(route.kind).c_str());
  const auto payload = field.getType();
  Json op = {{"operationId", route.kind},
             {"summary", route.summary},
             {"tags", Json::array({FamilyName(route.family)})}};
  Json parameters = Json::array();
  const auto path_params = PathParams(route.pattern);
  for (const auto& p : path_params) {
    parameters.push_back(
        {{"name", p}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  }
  if (route.family == Family::kCommand) {
    parameters.push_back(Header(kActorHeader, "the user on whose behalf the command runs", true));
    parameters.push_back(Header(kIdempotencyHeader,
                                "the command id: a retry returns the first "
                                "outcome"));
    parameters.push_back(Header(kCorrelationHeader, "ties commands together in the activity log"));
  }
  if (route.family == Family::kQuery) {
    parameters.push_back(Header(kActorHeader, "the viewer, when the query has one"));
    parameters.push_back(Header(kConsistencyHeader,
                                "a position a command returned: wait until the read model has it"));
    if (payload.isStruct()) {
      for (auto f : payload.asStruct().getFields()) {
        const std::string name = f.getProto().getName().cStr();
        if (std::find(path_params.begin(), path_params.end(), name) != path_params.end()) continue;
        parameters.push_back({{"name", name},
                              {"in", "query"},
                              {"required", false},
                              {"schema", SchemaOf(f.getType(), seen, components)}});
      }
    }
  }
  op["parameters"] = parameters;
  if (route.family != Family::kQuery) {
    Json body;
    if (payload.isStruct()) {
      body = SchemaOf(payload, seen, components);
    } else if (!route.body_field.empty()) {
      body = {{"type", "object"},
              {"required", Json::array({route.body_field})},
              {"properties", {{route.body_field, SchemaOf(payload, seen, components)}}}};
    }
    if (!body.is_null()) {
      op["requestBody"] = {{"required", !route.body_field.empty()},
                           {"content", {{"application/json", {{"schema", body}}}}}};
    }
  }
  const std::string_view member = ResponseMemberOf(route.kind, route.family == Family::kCommand);
  const auto answer =
      capnp::Schema::from<wire::Response>().getFieldByName(std::string(member).c_str()).getType();
  Json responses = Json::object();
  if (answer.isVoid()) {
    responses["204"] = {{"description", "done"}};
  } else {
    responses["200"] = {
        {"description", std::string(member)},
        {"content", {{"application/json", {{"schema", SchemaOf(answer, seen, components)}}}}}};
  }
  responses["default"] = {{"$ref", "#/components/responses/Problem"}};
  op["responses"] = responses;
  op["security"] = Json::array({{{"bearer", Json::array()}}});
  return op;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::span<const std::string_view> OperatorPaths() { return kOperatorPaths; }

std::span<const std::string_view> StreamPaths() {
  static constexpr std::array<std::string_view, 1> kStreamPaths{"/v1/events"};
  return kStreamPaths;
}

std::string_view ResponseMemberOf(std::string_view kind, bool is_command) {
  if (is_command) return "command";
  struct Entry {
    std::string_view kind, member;
  };
  static constexpr Entry kRenamed[] = {
      {"listMembers", "members"},
      {"listInvitations", "invitations"},
      {"organizationsOf", "organizations"},
      {"issueToken", "token"},
      {"listTokens", "tokens"},
      {"revokeToken", "done"},
      {"rebuildProjections", "done"},
      {"verifyRange", "verify"},
      {"listRoles", "roles"},
      {"listProjects", "projects"},
      {"listApiKeys", "apiKeys"},
      {"listResources", "resources"},
      {"orgSettings", "settings"},
      {"advanceClock", "clock"},
      {"registerWebhook", "webhook"},
      {"listWebhooks", "webhooks"},
      {"removeWebhook", "done"},
  };
  for (const auto& e : kRenamed) {
    if (e.kind == kind) return e.member;
  }
  return kind;  // the query's own name: check, activity, status, ...
}

std::string GenerateOpenApi() {
  std::set<std::string> seen;
  Json schemas = Json::object();
  Json paths = Json::object();
  for (const Route& route : Routes()) {
    paths[std::string(route.pattern)][Lower(route.method)] = Operation(route, seen, schemas);
  }
  const std::string operator_summary[] = {
      "Alive: the process answers", "Ready: every read model caught up, the log reachable",
      "Prometheus metrics (text format 0.0.4)", "This document"};
  for (size_t i = 0; i < kOperatorPaths.size(); ++i) {
    paths[std::string(kOperatorPaths[i])]["get"] = {
        {"operationId", "operator" + std::to_string(i)},
        {"summary", operator_summary[i]},
        {"tags", Json::array({"operator"})},
        {"security", Json::array()},
        {"responses", {{"200", {{"description", "ok"}}}, {"503", {{"description", "not ready"}}}}}};
  }
  // The log as Server-Sent Events (docs/http.md, "Events"): each record is the protocol's
  // Record in JSON, with its position as the event id.
  const Json record = SchemaOf(capnp::Type(capnp::Schema::from<wire::Record>()), seen, schemas);
  Json problem_ref = {{"$ref", "#/components/responses/Problem"}};
  paths[std::string(StreamPaths()[0])]["get"] = {
      {"operationId", "events"},
      {"summary",
       "The event log from a position, then live, as Server-Sent Events (text/event-stream): "
       "`event: record` with `id:` the position and `data:` a Record; `event: subscribed` first; "
       "`: heartbeat` comments; `event: error` (a problem) before the server ends the stream. "
       "Admin and auditor tokens, as the TCP subscribe"},
      {"tags", Json::array({"streams"})},
      {"security", Json::array({{{"bearer", Json::array()}}})},
      {"parameters",
       Json::array({{{"name", "after"},
                     {"in", "query"},
                     {"required", false},
                     {"description", "the position after which records are sent (default 0)"},
                     {"schema", {{"type", "string"}, {"pattern", "^[0-9]+$"}}}},
                    Header("Last-Event-ID",
                           "resumes after this position (the id of the last event received); "
                           "wins over after")})},
      {"responses",
       {{"200",
         {{"description", "the stream, until the client or the server ends it"},
          {"content", {{"text/event-stream", {{"schema", record}}}}}}},
        {"400", problem_ref},
        {"401", problem_ref},
        {"403", problem_ref}}}};
  schemas["Problem"] = {{"type", "object"},
                        {"description", "RFC 9457 problem details with the protocol's code"},
                        {"properties",
                         {{"type", {{"type", "string"}}},
                          {"title", {{"type", "string"}}},
                          {"status", {{"type", "integer"}}},
                          {"detail", {{"type", "string"}}},
                          {"code", {{"type", "string"}}}}}};
  Json doc = {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Roster HTTP API"},
        {"version", "1"},
        {"description",
         "Organization membership and role-based access over HTTP/JSON: the requests of "
         "api/wire/roster.capnp as resources. 64-bit integers (positions, times in "
         "microseconds, cursors) are JSON strings; Data is lower-case hex. See docs/http.md."}}},
      {"paths", paths},
      {"components",
       {{"schemas", schemas},
        {"responses",
         {{"Problem",
           {{"description", "an error or a rejected command"},
            {"content",
             {{"application/problem+json",
               {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}}}}},
        {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
  };
  return doc.dump(2) + "\n";
}

}  // namespace roster::api::http
