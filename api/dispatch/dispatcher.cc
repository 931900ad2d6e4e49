#include "api/dispatch/dispatcher.h"

#include <kj/exception.h>

#include <algorithm>
#include <string>

#include "api/dispatch/test_clock_file.h"

namespace roster::api::dispatch {

void SetError(wire::Response::Builder response, std::string_view code, std::string_view message) {
  auto error = response.initError();
  error.setCode(capnp::Text::Reader(code.data(), code.size()));
  error.setMessage(capnp::Text::Reader(message.data(), message.size()));
}

Dispatcher::Dispatcher(api::service::Node& node, TokenStore& tokens, std::string server_version)
    : node_(node), tokens_(tokens), server_version_(std::move(server_version)) {}

std::optional<api::service::Failure> Dispatcher::Authorize(const Principal& principal,
                                                           wire::Request::Reader request) {
  auto forbid = [&](std::string_view what) {
    return api::service::Failure{"FORBIDDEN", "token '" + principal.name + "' (" +
                                                  std::string(ScopeName(principal.scope)) +
                                                  " scope) may not " + std::string(what)};
  };
  switch (request.which()) {
    case wire::Request::COMMAND:
      if (principal.scope == Scope::kAuditor) return forbid("send commands");
      return std::nullopt;
    case wire::Request::SUBSCRIBE:
    case wire::Request::CREDIT:
    case wire::Request::UNSUBSCRIBE:
      if (principal.scope == Scope::kService) return forbid("subscribe to the log");
      return std::nullopt;
    case wire::Request::ADMIN:
      if (principal.scope != Scope::kAdmin) return forbid("make administrative requests");
      return std::nullopt;
    case wire::Request::QUERY:
      // The export holds every record's bytes, like a subscription: the log's readers only.
      if (principal.scope == Scope::kService && request.getQuery().isAuditExport()) {
        return forbid("export the audit log");
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

bool Dispatcher::IsQuick(wire::Request::Reader request) {
  return request.isQuery() && request.getQuery().isCheck() &&
         request.getQuery().getConsistencyToken() == 0;
}

void Dispatcher::Handle(const Principal& principal, wire::Request::Reader request,
                        wire::Response::Builder response) {
  uint64_t id = 0;
  try {
    id = request.getId();
    response.setId(id);
    if (auto denied = Authorize(principal, request)) {
      SetError(response, denied->code, denied->message);
      return;
    }
    switch (request.which()) {
      case wire::Request::COMMAND:
        HandleCommand(principal, request.getCommand(), response);
        return;
      case wire::Request::QUERY:
        HandleQuery(request.getQuery(), response);
        return;
      case wire::Request::ADMIN:
        HandleAdmin(request.getAdmin(), response);
        return;
      default:
        SetError(response, "UNSUPPORTED", "this request kind is handled by the connection");
        return;
    }
  } catch (const kj::Exception& e) {
    // The request's bytes could not be traversed: answer on a clean response.
    response.setId(id);
    SetError(response, "BAD_REQUEST",
             std::string("malformed request: ") + e.getDescription().cStr());
  } catch (const std::exception& e) {
    response.setId(id);
    SetError(response, "INTERNAL", e.what());
  }
}

void Dispatcher::HandleAdmin(wire::Admin::Reader admin, wire::Response::Builder response) {
  switch (admin.which()) {
    case wire::Admin::ISSUE_TOKEN: {
      auto req = admin.getIssueToken();
      auto scope = ParseScope(req.getScope().cStr());
      if (!scope) {
        SetError(response, "INVALID_ARGUMENT", "scope must be admin, service or auditor");
        return;
      }
      auto token = tokens_.Issue(req.getName().cStr(), *scope);
      if (!token) {
        SetError(response, "INVALID_ARGUMENT", token.error());
        return;
      }
      auto out = response.initToken();
      out.setName(req.getName());
      out.setScope(req.getScope());
      out.setToken(*token);
      return;
    }
    case wire::Admin::REVOKE_TOKEN: {
      auto revoked = tokens_.Revoke(admin.getRevokeToken().cStr());
      if (!revoked) {
        SetError(response, "NOT_FOUND", revoked.error());
        return;
      }
      response.setDone();
      return;
    }
    case wire::Admin::LIST_TOKENS: {
      auto all = tokens_.List();
      auto out = response.initTokens(static_cast<unsigned>(all.size()));
      for (unsigned i = 0; i < all.size(); ++i) {
        out[i].setName(all[i].name);
        out[i].setScope(std::string(ScopeName(all[i].scope)));
      }
      return;
    }
    case wire::Admin::REBUILD_PROJECTIONS: {
      std::vector<std::string> names;
      for (auto n : admin.getRebuildProjections()) names.emplace_back(n.cStr());
      auto started = node_.engine().Rebuild(names);
      if (!started) {
        SetError(response, "CONFLICT", started.error().message);
        return;
      }
      response.setDone();
      return;
    }
    case wire::Admin::VERIFY:
    case wire::Admin::VERIFY_RANGE: {
      eventstore::Position from = 1, to = 0;
      if (admin.isVerifyRange()) {
        from = std::max<uint64_t>(admin.getVerifyRange().getFrom(), 1);
        to = admin.getVerifyRange().getTo();
        if (to != 0 && to < from) {
          SetError(response, "INVALID_ARGUMENT",
                   "verifyRange: to (" + std::to_string(to) + ") is before from (" +
                       std::to_string(from) + ")");
          return;
        }
      }
      auto report = node_.log().Verify(from, to);
      if (!report) {
        SetError(response, "UNAVAILABLE", report.error().message);
        return;
      }
      auto out = response.initVerify();
      out.setOk(report->ok);
      out.setChecked(report->checked);
      out.setFirstBad(report->first_bad);
      out.setProblem(report->problem);
      out.setHeadHash(capnp::Data::Reader(report->last_hash.data(), report->last_hash.size()));
      return;
    }
    case wire::Admin::ADVANCE_CLOCK: {
      if (!test_clock_) {
        SetError(response, "FAILED_PRECONDITION",
                 "this server runs on the system clock: start rosterd with --test-clock (test "
                 "environments only) to move its time");
        return;
      }
      const uint32_t seconds = admin.getAdvanceClock().getSeconds();
      if (seconds == 0) {
        SetError(response, "INVALID_ARGUMENT",
                 "seconds must be positive: the test clock only moves forward");
        return;
      }
      std::lock_guard lock(advance_mutex_);
      const domain::Duration by = std::chrono::seconds(seconds);
      const domain::Duration current = test_clock_->offset();
      if (by > domain::OffsetClock::kMaxOffset - current) {
        SetError(response, "INVALID_ARGUMENT",
                 "the test clock may run at most 36500 days ahead of the system clock (now " +
                     std::to_string(current.count() / 1'000'000) + " s ahead)");
        return;
      }
      // Durable before it is used: an event stamped with the new time must never be followed,
      // after a crash and restart, by one stamped with the old.
      if (auto kept = WriteTestClockOffset(test_clock_file_, current + by); !kept) {
        SetError(response, "UNAVAILABLE", "the test clock did not move: " + kept.error());
        return;
      }
      auto offset = test_clock_->Advance(by);
      if (!offset) {  // only this function advances, under the lock: checked above
        SetError(response, "INTERNAL", "the test clock refused a move it had allowed");
        return;
      }
      // Overdue invitations expire now rather than at the sweep's next turn.
      if (auto* sweeper = node_.sweeper()) sweeper->Wake();
      auto out = response.initClock();
      out.setNowUs(domain::ToMicros(test_clock_->Now()));
      out.setOffsetUs(offset->count());
      return;
    }
    case wire::Admin::REGISTER_WEBHOOK:
    case wire::Admin::REMOVE_WEBHOOK:
    case wire::Admin::LIST_WEBHOOKS:
    case wire::Admin::WEBHOOK_DELIVERIES:
      HandleWebhooks(admin, response);
      return;
    default:
      SetError(response, "UNSUPPORTED", "unknown administrative request");
  }
}

}  // namespace roster::api::dispatch
