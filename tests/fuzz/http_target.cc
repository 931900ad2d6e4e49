#include <capnp/message.h>
#include <kj/exception.h>

#include <nlohmann/json.hpp>

// Beast's parser only, not api/net/asio.h: that header brings Asio's coroutines, which the
// clang 14 fuzz build cannot compile. <utility> first, for the same Boost 1.74 bug.
// clang-format off
#include <utility>
#include <boost/beast/http.hpp>
// clang-format on

#include "api/http/routes.h"
#include "api/http/translate.h"
#include "api/wire/json.h"
#include "tests/fuzz/targets.h"

namespace roster::tests::fuzz {
namespace {

namespace bhttp = boost::beast::http;

std::string_view View(boost::beast::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace

void FuzzHttpRequest(std::span<const uint8_t> input) {
  const std::string_view bytes(reinterpret_cast<const char*>(input.data()), input.size());
  // The server's parser settings (api/http/server.cc with the default HttpOptions).
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16u << 10);
  parser.body_limit(1u << 20);
  parser.eager(true);
  boost::system::error_code ec;
  size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == bhttp::error::need_more) break;
    if (ec || n == 0) break;
    used += n;
  }
  if (!parser.is_header_done()) return;
  const auto& req = parser.get();
  // A body whose length the header got wrong is still fed to the translation, so that
  // mutations of the JSON reach the decoder without the fuzzer having to fix Content-Length.
  const std::string body = parser.is_done() ? req.body() : std::string(bytes.substr(used));
  const std::string_view method = View(req.method_string());
  const std::string_view target = View(req.target());
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);

  const auto found = api::http::FindRoute(method, path);
  if (!found.route) {
    for (auto allowed : found.allowed) Check(allowed != method, "a method listed as allowed 405s");
    return;
  }
  Check(found.route->method == method, "a route was found for another method");
  api::http::HttpInput in;
  in.query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  in.body = body;
  in.actor = View(req[boost::beast::string_view("Roster-Actor")]);
  in.idempotency_key = View(req[boost::beast::string_view("Idempotency-Key")]);
  in.consistency_token = View(req[boost::beast::string_view("Roster-Consistency-Token")]);
  capnp::MallocMessageBuilder message;
  api::service::Result<void> built;
  try {
    built = api::http::BuildRequest(*found.route, found.params, in,
                                    message.initRoot<api::wire::Request>());
  } catch (...) {
    Check(false, "BuildRequest threw");
  }
  if (!built) {
    Check(built.error().code == "BAD_REQUEST", "bad input answered with another code than 400");
    // The problem document quotes the caller's bytes: it must still be JSON.
    const auto problem = api::http::Problem(400, built.error().code, built.error().message);
    Check(!nlohmann::json::parse(problem.body, nullptr, false).is_discarded(),
          "a problem document is not JSON");
    return;
  }
  auto request = message.getRoot<api::wire::Request>().asReader();
  switch (found.route->family) {
    case api::http::Family::kCommand:
      Check(request.isCommand() && request.getCommand().getCommandId().size() > 0,
            "a command route built no command, or one without a command id");
      break;
    case api::http::Family::kQuery:
      Check(request.isQuery(), "a query route built no query");
      break;
    case api::http::Family::kAdmin:
      Check(request.isAdmin(), "an admin route built no admin request");
      break;
  }
  // What the dispatcher would read: every field of the built request can be traversed.
  try {
    (void)api::wire::ToJson(request);
  } catch (const kj::Exception&) {
    Check(false, "a built request cannot be traversed");
  }
}

}  // namespace roster::tests::fuzz
