#include "api/http/handler.h"

#include <capnp/message.h>
#include <fmt/format.h>
#include <kj/exception.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "api/http/console/assets.h"
#include "api/http/openapi.h"
#include "api/http/openapi_document.h"  // generated from docs/openapi.json

namespace roster::api::http {
namespace {

constexpr std::string_view kOperator = "operator";

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

HttpAnswer Json(unsigned status, std::string body) {
  HttpAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

// The principal the operator endpoints ask the status query as: read-only, never a caller's.
const dispatch::Principal& OperatorPrincipal() {
  static const dispatch::Principal principal{"http-operator", dispatch::Scope::kAuditor};
  return principal;
}

}  // namespace

std::string_view OpenApiDocument() { return kOpenApiDocument; }

Readiness EvaluateReadiness(wire::Status::Reader status, uint64_t max_lag) {
  const uint64_t last = status.getLastPosition();
  Readiness out;
  out.ready = true;
  nlohmann::json projections = nlohmann::json::array();
  for (auto p : status.getProjections()) {
    const uint64_t lag = last > p.getPosition() ? last - p.getPosition() : 0;
    const bool ready = p.getReady() && !p.getBuilding() && lag <= max_lag;
    out.ready = out.ready && ready;
    // 64-bit numbers as strings, as everywhere in the API.
    projections.push_back({{"name", p.getName().cStr()},
                           {"ready", ready},
                           {"position", std::to_string(p.getPosition())},
                           {"lag", std::to_string(lag)},
                           {"building", p.getBuilding()}});
  }
  nlohmann::json doc = {{"ready", out.ready},
                        {"lastPosition", std::to_string(last)},
                        {"projections", std::move(projections)}};
  out.body = doc.dump();
  return out;
}

bool Handler::IsQuick(const HttpRequest& request) {
  if (request.method != "GET") return false;
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  if (path == "/healthz") return true;
  if (!request.input.consistency_token.empty()) return false;  // may wait for a projection
  const auto found = FindRoute(request.method, path);
  return found.route != nullptr && found.route->kind == "check";
}

Answered Handler::Answer(const HttpRequest& request) {
  const std::string_view target = request.target;
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (request.method == "GET") {
    if (const auto* asset = console::FindAsset(path)) return Console(*asset);
  }
  const auto operator_paths = OperatorPaths();
  if (std::find(operator_paths.begin(), operator_paths.end(), path) != operator_paths.end()) {
    if (request.method != "GET") {
      Answered out{Problem(405, "METHOD_NOT_ALLOWED", "this path answers GET only"), "unmatched",
                   std::string(kOperator)};
      out.answer.headers.emplace_back("Allow", "GET");
      return out;
    }
    return Operator(path);
  }
  return Route(request, path, query);
}

std::expected<EventStreamStart, Answered> Handler::StartEvents(const HttpRequest& request) const {
  auto refuse = [](HttpAnswer answer) {
    return std::unexpected(Answered{std::move(answer), "events", "stream"});
  };
  if (request.method != "GET") {
    HttpAnswer answer = Problem(405, "METHOD_NOT_ALLOWED", "this path answers GET only");
    answer.headers.emplace_back("Allow", "GET");
    return refuse(std::move(answer));
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (!StartsWithNoCase(request.authorization, kBearer)) {
    return refuse(Problem(401, "UNAUTHENTICATED", "send Authorization: Bearer <token>"));
  }
  EventStreamStart start;
  start.token = std::string(request.authorization.substr(kBearer.size()));
  auto principal = tokens_.Authenticate(start.token);
  if (!principal) return refuse(Problem(401, "UNAUTHENTICATED", "unknown or revoked token"));
  start.principal = std::move(*principal);
  // The TCP API's rule for its subscribe, asked of the same function.
  capnp::MallocMessageBuilder message;
  message.initRoot<wire::Request>().initSubscribe();
  if (auto denied = dispatch::Dispatcher::Authorize(start.principal,
                                                    message.getRoot<wire::Request>().asReader())) {
    return refuse(Problem(StatusForCode(denied->code), denied->code, denied->message));
  }
  Params params;
  const auto question = request.target.find('?');
  if (question != std::string_view::npos &&
      !ParseQueryString(request.target.substr(question + 1), &params)) {
    return refuse(Problem(400, "BAD_REQUEST", "malformed query string"));
  }
  auto position = [](std::string_view text, uint64_t* out) {
    if (text.empty() || text.size() > 20) return false;
    uint64_t v = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      const uint64_t digit = static_cast<uint64_t>(c - '0');
      if (v > (UINT64_MAX - digit) / 10) return false;
      v = v * 10 + digit;
    }
    *out = v;
    return true;
  };
  for (const auto& [name, value] : params) {
    if (name != "after") {
      return refuse(Problem(400, "BAD_REQUEST", "unknown parameter '" + name + "'; try after"));
    }
    if (!position(value, &start.after)) {
      return refuse(Problem(400, "BAD_REQUEST", "after is a log position (a decimal number)"));
    }
  }
  // A reconnecting EventSource sends the id of the last event it received: it wins over the
  // URL, which still holds where the stream first started.
  if (!request.last_event_id.empty() && !position(request.last_event_id, &start.after)) {
    return refuse(Problem(400, "BAD_REQUEST",
                          "Last-Event-ID is a log position (a decimal number), the id of the "
                          "last event received"));
  }
  return start;
}

bool Handler::StillValid(const EventStreamStart& start) const {
  return tokens_.Authenticate(start.token).has_value();
}

Answered Handler::Console(const console::Asset& asset) {
  Answered out{{}, "console", std::string(kOperator)};
  out.answer.status = 200;
  out.answer.content_type = std::string(asset.content_type);
  out.answer.body = std::string(asset.body);
  for (const auto& h : console::AssetHeaders()) {
    out.answer.headers.emplace_back(std::string(h.name), std::string(h.value));
  }
  return out;
}

Answered Handler::Operator(std::string_view path) {
  Answered out{{}, std::string(path.substr(path.rfind('/') + 1)), std::string(kOperator)};
  if (path == "/healthz") {
    // Alive: the process answers. Whether it can serve is /readyz's question.
    out.answer = Json(200, R"({"status":"ok"})");
    return out;
  }
  if (path == "/v1/openapi.json") {
    out.kind = "openapi";
    out.answer = Json(200, std::string(OpenApiDocument()));
    return out;
  }
  capnp::MallocMessageBuilder message;
  auto request = message.initRoot<wire::Request>();
  request.initQuery().setStatus();
  capnp::MallocMessageBuilder answer;
  auto response = answer.initRoot<wire::Response>();
  dispatcher_.Handle(OperatorPrincipal(), request, response);
  const bool have_status = response.isStatus();
  if (path == "/metrics") {
    out.answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (have_status) {
      const auto status = response.getStatus().asReader();
      out.answer.body = metrics_.Render(&status);
    } else {
      out.answer.body = metrics_.Render(nullptr);
    }
    if (auto* hooks = dispatcher_.webhooks()) {
      const auto c = hooks->Counters();
      out.answer.body += fmt::format(
          "# HELP roster_webhook_deliveries_total Webhook delivery attempts since start, by "
          "outcome.\n# TYPE roster_webhook_deliveries_total counter\n"
          "roster_webhook_deliveries_total{{outcome=\"delivered\"}} {}\n"
          "roster_webhook_deliveries_total{{outcome=\"failed\"}} {}\n"
          "# HELP roster_webhook_endpoints Registered webhook endpoints.\n"
          "# TYPE roster_webhook_endpoints gauge\nroster_webhook_endpoints {}\n"
          "# HELP roster_webhook_backlog Records between the slowest webhook cursor and the "
          "log's end.\n# TYPE roster_webhook_backlog gauge\nroster_webhook_backlog {}\n",
          c.delivered, c.failed, c.endpoints, c.backlog);
    }
    return out;
  }
  // /readyz: the status query reads the log's last position, so an unreachable log answers an
  // error here and the node is not ready.
  if (!have_status) {
    out.answer = RenderResponse(response);
    if (out.answer.status < 500) out.answer.status = 503;
    return out;
  }
  auto readiness = EvaluateReadiness(response.getStatus(), options_.ready_max_lag);
  out.answer = Json(readiness.ready ? 200 : 503, std::move(readiness.body));
  return out;
}

Answered Handler::Route(const HttpRequest& request, std::string_view path, std::string_view query) {
  Answered out{{}, "unmatched", "unmatched"};
  auto found = FindRoute(request.method, path);
  if (!found.route) {
    if (found.allowed.empty()) {
      out.answer = Problem(404, "NO_ROUTE", "no resource at " + std::string(path));
      return out;
    }
    std::string allow;
    for (auto m : found.allowed) {
      if (allow.find(m) != std::string::npos) continue;
      if (!allow.empty()) allow += ", ";
      allow += m;
    }
    out.answer = Problem(405, "METHOD_NOT_ALLOWED",
                         std::string(request.method) + " is not allowed here; try " + allow);
    out.answer.headers.emplace_back("Allow", allow);
    return out;
  }
  const auto& route = *found.route;
  out.kind = std::string(route.kind);
  // Checks are timed apart from the other queries: they are the hot path a SaaS calls on every
  // request, and their latency would drown in the listings' (or hide a regression among them).
  out.family = route.kind == "check" ? "check" : std::string(FamilyName(route.family));
  capnp::MallocMessageBuilder message;
  auto protocol_request = message.initRoot<wire::Request>();
  std::optional<dispatch::Principal> principal;
  if (auto refused = Prepare(request, route, found.params, query, principal, protocol_request)) {
    out.answer = std::move(refused->answer);
    return out;
  }
  if (dispatch::Dispatcher::IsStreamed(protocol_request.asReader())) {
    // The server streams these (PrepareStreamed); reached only without it (the fuzzer).
    out.answer = Problem(501, "UNSUPPORTED", "this route is answered as a stream");
    return out;
  }
  capnp::MallocMessageBuilder answer;
  auto response = answer.initRoot<wire::Response>();
  dispatcher_.Handle(*principal, protocol_request.asReader(), response);
  out.answer = RenderResponse(response.asReader(), path, query);
  return out;
}

std::optional<Answered> Handler::Prepare(const HttpRequest& request, const http::Route& route,
                                         const Params& params, std::string_view query,
                                         std::optional<dispatch::Principal>& principal,
                                         wire::Request::Builder out) const {
  auto refuse = [&](HttpAnswer answer) {
    return std::optional<Answered>(Answered{std::move(answer), std::string(route.kind),
                                            std::string(FamilyName(route.family))});
  };
  constexpr std::string_view kBearer = "Bearer ";
  if (!StartsWithNoCase(request.authorization, kBearer)) {
    return refuse(Problem(401, "UNAUTHENTICATED", "send Authorization: Bearer <token>"));
  }
  principal = tokens_.Authenticate(request.authorization.substr(kBearer.size()));
  if (!principal) return refuse(Problem(401, "UNAUTHENTICATED", "unknown or revoked token"));
  const bool has_body = request.input.body.find_first_not_of(" \t\r\n") != std::string_view::npos;
  if (has_body && !StartsWithNoCase(request.content_type, "application/json")) {
    return refuse(
        Problem(415, "UNSUPPORTED_MEDIA_TYPE", "the body must be Content-Type: application/json"));
  }
  HttpInput input = request.input;
  input.query = query;
  if (auto built = BuildRequest(route, params, input, out); !built) {
    return refuse(
        Problem(StatusForCode(built.error().code), built.error().code, built.error().message));
  }
  return std::nullopt;
}

std::optional<std::expected<StreamedRequest, Answered>> Handler::PrepareStreamed(
    const HttpRequest& request) const {
  const std::string_view target = request.target;
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  auto found = FindRoute(request.method, path);
  // Only routes whose kind is always streamed; the others are answered whole.
  if (!found.route || found.route->kind != "auditExport") return std::nullopt;
  StreamedRequest streamed;
  streamed.message = std::make_unique<capnp::MallocMessageBuilder>();
  auto out = streamed.message->initRoot<wire::Request>();
  std::optional<dispatch::Principal> principal;
  if (auto refused = Prepare(request, *found.route, found.params, query, principal, out)) {
    return std::unexpected(std::move(*refused));
  }
  streamed.principal = std::move(*principal);
  return streamed;
}

}  // namespace roster::api::http
