#include "api/http/translate.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <kj/exception.h>

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <random>

#include "api/wire/json.h"

namespace roster::api::http {
namespace {

using api::service::Fail;
using api::service::Result;

capnp::Text::Reader AsText(std::string_view s) { return capnp::Text::Reader(s.data(), s.size()); }

// One codec for every request: building one (its type tables) per request cost a measurable
// share of a permission check. Its encode and decode are const and keep no state between calls.
const capnp::JsonCodec& Codec() {
  static const capnp::JsonCodec* codec = [] {
    auto* c = new capnp::JsonCodec;  // never destroyed: requests may run during exit
    wire::UseHexData(*c);
    return c;
  }();
  return *codec;
}

bool Blank(std::string_view body) {
  for (char c : body) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A command without an Idempotency-Key still needs a command id (the protocol requires one);
// a random one makes it a command that is not retried, as the caller asked for none.
std::string RandomCommandId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char out[40];
  const auto n =
      std::snprintf(out, sizeof out, "http-%016llx%016llx", static_cast<unsigned long long>(rng()),
                    static_cast<unsigned long long>(rng()));
  return std::string(out, static_cast<size_t>(n));
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Sets the field `name` of `s` from a path or query parameter's text, by the field's type.
// Returns the problem, or an empty string.
std::string SetFromText(capnp::DynamicStruct::Builder s, std::string_view name,
                        const std::string& value) {
  KJ_IF_MAYBE (field, s.getSchema().findFieldByName(kj::StringPtr(std::string(name).c_str()))) {
    const auto type = field->getType();
    const std::string bad = "parameter '" + std::string(name) + "' must be ";
    switch (type.which()) {
      case capnp::schema::Type::TEXT:
        s.set(*field, AsText(value));
        return {};
      case capnp::schema::Type::BOOL:
        if (value == "true" || value == "1" || value.empty()) {
          s.set(*field, true);
        } else if (value == "false" || value == "0") {
          s.set(*field, false);
        } else {
          return bad + "true or false";
        }
        return {};
      case capnp::schema::Type::INT32:
      case capnp::schema::Type::INT64: {
        int64_t n = 0;
        if (!ParseNumber(value, &n)) return bad + "an integer";
        s.set(*field, n);  // out of the field's range: a kj::Exception, a BAD_REQUEST
        return {};
      }
      case capnp::schema::Type::UINT16:
      case capnp::schema::Type::UINT32:
      case capnp::schema::Type::UINT64: {
        uint64_t n = 0;
        if (!ParseNumber(value, &n)) return bad + "a non-negative integer";
        s.set(*field, n);
        return {};
      }
      case capnp::schema::Type::ENUM:
        KJ_IF_MAYBE (e, type.asEnum().findEnumerantByName(kj::StringPtr(value.c_str()))) {
          s.set(*field, capnp::DynamicEnum(*e));
          return {};
        }
        return bad + "one of the enumeration's names";
      default:
        return "parameter '" + std::string(name) + "' cannot be given in the URL";
    }
  }
  return "unknown parameter '" + std::string(name) + "'";
}

// The member `name` of a JSON object body.
Result<capnp::JsonValue::Reader> BodyMember(const capnp::JsonCodec& codec, std::string_view body,
                                            std::string_view name,
                                            capnp::MallocMessageBuilder& arena) {
  auto root = arena.initRoot<capnp::JsonValue>();
  codec.decodeRaw(kj::ArrayPtr<const char>(body.data(), body.size()), root);
  if (root.isObject()) {
    for (auto member : root.getObject()) {
      if (member.getName() == AsText(name)) return member.getValue().asReader();
    }
  }
  return Fail("BAD_REQUEST", "the JSON body needs a member \"" + std::string(name) + "\"");
}

Result<void> Fill(const Route& route, const Params& path_params, const HttpInput& in,
                  wire::Request::Builder out) {
  Params query;
  if (!ParseQueryString(in.query, &query)) {
    return Fail("BAD_REQUEST", "the query string holds a malformed %-escape");
  }
  if (route.family != Family::kQuery && !query.empty()) {
    return Fail("BAD_REQUEST", "this route takes its arguments in the JSON body, not the query");
  }
  const capnp::JsonCodec& codec = Codec();
  capnp::DynamicStruct::Builder parent;
  Params params;  // the path parameters that go into the payload
  switch (route.family) {
    case Family::kCommand: {
      auto command = out.initCommand();
      command.setActor(AsText(in.actor));
      command.setCorrelationId(AsText(in.correlation_id));
      if (in.idempotency_key.empty()) {
        command.setCommandId(RandomCommandId());
      } else {
        command.setCommandId(AsText(in.idempotency_key));
      }
      for (const auto& [name, value] : path_params) {
        if (name == "org") {
          command.setOrg(value);
        } else {
          params.emplace_back(name, value);
        }
      }
      parent = capnp::toDynamic(command);
      break;
    }
    case Family::kQuery: {
      auto q = out.initQuery();
      if (!in.consistency_token.empty()) {
        uint64_t token = 0;
        if (!ParseNumber(in.consistency_token, &token)) {
          return Fail("BAD_REQUEST", std::string(kConsistencyHeader) +
                                         " must be a position (a non-negative integer)");
        }
        q.setConsistencyToken(token);
      }
      params = path_params;
      parent = capnp::toDynamic(q);
      break;
    }
    case Family::kAdmin:
      params = path_params;
      parent = capnp::toDynamic(out.initAdmin());
      break;
  }
  const auto field = parent.getSchema().getFieldByName(
      kj::StringPtr(std::string(route.kind).c_str()));  // a route names a real member: tested
  const auto type = field.getType();
  const std::string_view body = Blank(in.body) ? std::string_view() : in.body;
  switch (type.which()) {
    case capnp::schema::Type::VOID:
      if (!body.empty()) {
        capnp::MallocMessageBuilder arena;  // still JSON: a malformed body is never ignored
        codec.decodeRaw(kj::ArrayPtr<const char>(body.data(), body.size()),
                        arena.initRoot<capnp::JsonValue>());
      }
      parent.set(field, capnp::VOID);
      return {};
    case capnp::schema::Type::STRUCT: {
      auto payload = parent.init(field).as<capnp::DynamicStruct>();
      if (!body.empty()) codec.decode(kj::ArrayPtr<const char>(body.data(), body.size()), payload);
      // The path names the resource: it wins over the same field in the body.
      for (const auto& [name, value] : params) {
        if (auto problem = SetFromText(payload, name, value); !problem.empty()) {
          return Fail("BAD_REQUEST", problem);
        }
      }
      for (const auto& [name, value] : query) {
        if (auto problem = SetFromText(payload, name, value); !problem.empty()) {
          return Fail("BAD_REQUEST", problem);
        }
      }
      // A query's viewer is who looks: the actor, unless the query string names another.
      if (!in.actor.empty()) {
        KJ_IF_MAYBE (viewer, payload.getSchema().findFieldByName("viewer")) {
          if (payload.get(*viewer).as<capnp::Text>().size() == 0) {
            payload.set(*viewer, AsText(in.actor));
          }
        }
      }
      return {};
    }
    case capnp::schema::Type::TEXT: {
      if (!query.empty()) return Fail("BAD_REQUEST", "this route takes no query parameters");
      if (!params.empty()) {
        parent.set(field, AsText(params.front().second));
        return {};
      }
      capnp::MallocMessageBuilder arena;
      auto member = BodyMember(codec, body, route.body_field, arena);
      if (!member) return std::unexpected(member.error());
      if (!member->isString()) {
        return Fail("BAD_REQUEST", "\"" + std::string(route.body_field) + "\" must be a string");
      }
      parent.set(field, member->getString());
      return {};
    }
    case capnp::schema::Type::LIST: {
      if (type.asList().getElementType().isStruct()) {
        // A list of objects (inviteMembers: {"invitations": [{...}, ...]}), required.
        capnp::MallocMessageBuilder arena;
        auto member = BodyMember(codec, body.empty() ? "{}" : body, route.body_field, arena);
        if (!member) return std::unexpected(member.error());
        const std::string must =
            "\"" + std::string(route.body_field) + "\" must be an array of objects";
        if (!member->isArray()) return Fail("BAD_REQUEST", must);
        auto items = member->getArray();
        auto list = parent.init(field, items.size()).as<capnp::DynamicList>();
        for (unsigned i = 0; i < items.size(); ++i) {
          if (!items[i].isObject()) return Fail("BAD_REQUEST", must);
          codec.decode(items[i], list[i].as<capnp::DynamicStruct>());
        }
        return {};
      }
      capnp::MallocMessageBuilder arena;
      auto member = BodyMember(codec, body.empty() ? "{}" : body, route.body_field, arena);
      std::vector<capnp::Text::Reader> items;
      if (member) {
        if (!member->isArray()) {
          return Fail("BAD_REQUEST",
                      "\"" + std::string(route.body_field) + "\" must be an array of strings");
        }
        for (auto item : member->getArray()) {
          if (!item.isString()) {
            return Fail("BAD_REQUEST",
                        "\"" + std::string(route.body_field) + "\" must be an array of strings");
          }
          items.push_back(item.getString());
        }
      }  // no member: an empty list (rebuildProjections: all of them)
      auto list = parent.init(field, static_cast<unsigned>(items.size())).as<capnp::DynamicList>();
      for (unsigned i = 0; i < items.size(); ++i) list.set(i, items[i]);
      return {};
    }
    default:
      return Fail("INTERNAL",
                  "route '" + std::string(route.kind) + "' has a payload HTTP cannot fill");
  }
}

std::string Title(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '_') {
      out.push_back(' ');
    } else {
      out.push_back(out.empty() ? c
                                : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

// The link to the next page: this request's query with `cursor` replaced.
std::string NextLink(std::string_view path, std::string_view query, uint64_t cursor) {
  std::string out = std::string(path) + "?";
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty() || pair.substr(0, pair.find('=')) == "cursor") continue;
    out.append(pair).push_back('&');
  }
  return "<" + out + "cursor=" + std::to_string(cursor) + ">; rel=\"next\"";
}

}  // namespace

Result<void> BuildRequest(const Route& route, const Params& path_params, const HttpInput& in,
                          wire::Request::Builder out) {
  try {
    return Fill(route, path_params, in, out);
  } catch (const kj::Exception& e) {
    // JsonCodec reports a body that is not JSON, or not of the payload's shape, by throwing.
    return Fail("BAD_REQUEST", std::string("malformed request: ") + e.getDescription().cStr());
  }
}

unsigned StatusForCode(std::string_view code) {
  struct Entry {
    std::string_view code;
    unsigned status;
  };
  // 403: who is asking may not; 409: the state conflicts with the request (retrying after it
  // changes may succeed); 422: a rule of the domain refuses the request as such.
  static constexpr Entry kTable[] = {
      {"BAD_REQUEST", 400},    {"INVALID_ARGUMENT", 400},   {"UNAUTHENTICATED", 401},
      {"FORBIDDEN", 403},      {"PERMISSION_DENIED", 403},  {"ESCALATION", 403},
      {"NOT_FOUND", 404},      {"CONFLICT", 409},           {"ALREADY_MEMBER", 409},
      {"INVITE_PENDING", 409}, {"ORG_DELETED", 409},        {"LAST_OWNER", 422},
      {"INVITE_LIMIT", 422},   {"INVITATION_EXPIRED", 422}, {"INVALID_TOKEN", 422},
      {"EMAIL_MISMATCH", 422}, {"UNSUPPORTED", 501},        {"UNAVAILABLE", 503},
      {"TIMEOUT", 503},        {"INTERNAL", 500},           {"FAILED_PRECONDITION", 409},
  };
  for (const auto& e : kTable) {
    if (e.code == code) return e.status;
  }
  return 500;  // a code this table does not know yet: a server-side gap, not the caller's
}

HttpAnswer Problem(unsigned status, std::string_view code, std::string_view detail) {
  HttpAnswer a;
  a.status = status;
  a.code = std::string(code);
  a.content_type = "application/problem+json";
  nlohmann::json doc = {{"type", "urn:roster:problem:" + std::string(code)},
                        {"title", Title(code)},
                        {"status", status},
                        {"detail", std::string(detail)},
                        {"code", std::string(code)}};
  // Replace: a message quoting the caller's bytes may hold invalid UTF-8.
  a.body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (status == 401) a.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (status == 503) a.headers.emplace_back("Retry-After", "1");
  return a;
}

HttpAnswer RenderResponse(wire::Response::Reader response, std::string_view path,
                          std::string_view query) {
  switch (response.which()) {
    case wire::Response::ERROR: {
      auto e = response.getError();
      return Problem(StatusForCode(e.getCode().cStr()), e.getCode().cStr(), e.getMessage().cStr());
    }
    case wire::Response::COMMAND: {
      auto c = response.getCommand();
      HttpAnswer a;
      if (c.getAccepted()) {
        a.body = wire::ToJson(c);
      } else {
        auto r = c.getRejection();
        a = Problem(StatusForCode(r.getCode().cStr()), r.getCode().cStr(), r.getMessage().cStr());
      }
      if (c.getPosition() != 0) {
        a.headers.emplace_back(std::string(kConsistencyHeader), std::to_string(c.getPosition()));
      }
      if (c.getDuplicate()) a.headers.emplace_back(std::string(kReplayedHeader), "true");
      return a;
    }
    case wire::Response::DONE: {
      HttpAnswer a;
      a.status = 204;
      a.content_type.clear();
      return a;
    }
    default:
      break;
  }
  HttpAnswer a;
  capnp::DynamicStruct::Reader dynamic = capnp::toDynamic(response);
  KJ_IF_MAYBE (field, dynamic.which()) {
    const capnp::JsonCodec& codec = Codec();
    const auto value = dynamic.get(*field);
    auto text = codec.encode(value, field->getType());
    a.body.assign(text.cStr(), text.size());
    if (value.getType() == capnp::DynamicValue::STRUCT) {
      auto page = value.as<capnp::DynamicStruct>();
      KJ_IF_MAYBE (next, page.getSchema().findFieldByName("nextCursor")) {
        const uint64_t cursor = page.get(*next).as<uint64_t>();
        if (cursor != 0) a.headers.emplace_back("Link", NextLink(path, query, cursor));
      }
    }
    return a;
  }
  return Problem(500, "INTERNAL", "the response holds a kind this server cannot encode");
}

}  // namespace roster::api::http
