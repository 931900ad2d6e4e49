// roster webhook add|list|remove|deliveries: the webhook endpoints of the server (admin scope;
// docs/webhooks.md).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tools/cli/query_util.h"

namespace roster::tools::cli {
namespace {

using api::wire::Admin;
using api::wire::Response;

int RunWebhookAdmin(Cli& cli, const std::function<void(Admin::Builder)>& fill,
                    const std::function<int(Response::Reader)>& print) {
  auto reply = cli.Call([&](api::wire::Request::Builder request) { fill(request.initAdmin()); });
  if (!reply) return reply.error();
  return print(reply->get());
}

std::string Types(api::wire::WebhookInfo::Reader w) {
  std::string out;
  for (auto t : w.getEventTypes()) out += (out.empty() ? "" : ",") + std::string(t.cStr());
  return out.empty() ? "(all)" : out;
}

// Splits "a,b" (empty parts dropped).
std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

}  // namespace

void RegisterWebhookCommands(CLI::App& app, Cli& cli) {
  auto* webhook = app.add_subcommand("webhook", "webhook endpoints of the server (admin scope)");
  webhook->require_subcommand(1);

  struct Add {
    std::string url, org, events;
    uint64_t from = 0;
  };
  auto add = std::make_shared<Add>();
  auto* add_cmd = webhook->add_subcommand(
      "add", "register an endpoint; prints its secret, which is shown this once");
  add_cmd->add_option("url", add->url, "http:// or https:// URL the events are POSTed to")
      ->required();
  add_cmd->add_option("--org", add->org, "only this organization's events (default: all)");
  add_cmd->add_option("--events", add->events,
                      "only these event types, comma-separated, e.g. member.joined,member.removed");
  add_cmd->add_option("--from", add->from,
                      "deliver from this log position on (default: only events after now)");
  add_cmd->callback([add, &cli] {
    cli.exit_code = RunWebhookAdmin(
        cli,
        [&](Admin::Builder a) {
          auto r = a.initRegisterWebhook();
          r.setUrl(add->url);
          r.setOrg(add->org);
          const auto types = SplitCommas(add->events);
          auto list = r.initEventTypes(static_cast<unsigned>(types.size()));
          for (unsigned i = 0; i < types.size(); ++i) list.set(i, types[i]);
          r.setFromPosition(add->from);
        },
        [&](Response::Reader response) {
          auto w = response.getWebhook();
          if (cli.json) {
            std::cout << api::wire::ToJson(w) << "\n";
          } else {
            PrintFields(std::cout, {{"id", w.getId().cStr()},
                                    {"url", w.getUrl().cStr()},
                                    {"org", w.getOrg().size() ? w.getOrg().cStr() : "(all)"},
                                    {"events", Types(w)},
                                    {"after position", std::to_string(w.getStartAfter())},
                                    {"secret", w.getSecret().cStr()}});
          }
          return int{kOk};
        });
  });

  auto* list_cmd = webhook->add_subcommand("list", "endpoints and what their delivery is doing");
  list_cmd->callback([&cli] {
    cli.exit_code = RunWebhookAdmin(
        cli, [](Admin::Builder a) { a.setListWebhooks(); },
        [&](Response::Reader response) {
          auto list = response.getWebhooks();
          if (cli.json) {
            std::cout << "[";
            for (unsigned i = 0; i < list.size(); ++i)
              std::cout << (i ? "," : "") << api::wire::ToJson(list[i]);
            std::cout << "]\n";
            return int{kOk};
          }
          Table table({"ID", "URL", "ORG", "EVENTS", "CURSOR", "STATE", "FAILED", "NEXT RETRY"});
          for (auto w : list) {
            table.Add({w.getId().cStr(), w.getUrl().cStr(), OrDash(w.getOrg().cStr()), Types(w),
                       std::to_string(w.getCursor()), w.getState().cStr(),
                       std::to_string(w.getFailedAttempts()), TimeOrDash(w.getNextRetryUs())});
          }
          table.Print(std::cout);
          return int{kOk};
        });
  });

  auto remove = std::make_shared<std::string>();
  auto* remove_cmd = webhook->add_subcommand("remove", "remove an endpoint by id");
  remove_cmd->add_option("id", *remove, "endpoint id (wh_...)")->required();
  remove_cmd->callback([remove, &cli] {
    cli.exit_code = RunWebhookAdmin(
        cli, [&](Admin::Builder a) { a.setRemoveWebhook(*remove); },
        [&](Response::Reader) {
          if (cli.json)
            std::cout << nlohmann::json{{"removed", true}}.dump() << "\n";
          else
            std::cout << "removed " << *remove << "\n";
          return int{kOk};
        });
  });

  auto id = std::make_shared<std::string>();
  auto* deliveries_cmd = webhook->add_subcommand(
      "deliveries", "an endpoint's state and its last delivery attempts, newest first");
  deliveries_cmd->add_option("id", *id, "endpoint id (wh_...)")->required();
  deliveries_cmd->callback([id, &cli] {
    cli.exit_code = RunWebhookAdmin(
        cli, [&](Admin::Builder a) { a.setWebhookDeliveries(*id); },
        [&](Response::Reader response) {
          auto d = response.getWebhookDeliveries();
          if (cli.json) {
            std::cout << api::wire::ToJson(d) << "\n";
            return int{kOk};
          }
          auto w = d.getWebhook();
          PrintFields(std::cout, {{"id", w.getId().cStr()},
                                  {"url", w.getUrl().cStr()},
                                  {"cursor", std::to_string(w.getCursor())},
                                  {"state", w.getState().cStr()},
                                  {"pending", std::to_string(w.getPending())},
                                  {"failed attempts", std::to_string(w.getFailedAttempts())},
                                  {"next retry", TimeOrDash(w.getNextRetryUs())},
                                  {"last error", OrDash(w.getLastError().cStr())}});
          std::cout << "\n";
          Table table({"TIME", "POSITION", "TYPE", "ORG", "ATTEMPT", "STATUS", "MS", "ERROR"});
          for (auto a : d.getAttempts()) {
            table.Add({TimeOrDash(a.getTimeUs()), std::to_string(a.getPosition()),
                       a.getEventType().cStr(), OrDash(a.getOrg().cStr()),
                       std::to_string(a.getAttempt()),
                       a.getStatus() ? std::to_string(a.getStatus()) : "-",
                       std::to_string(a.getDurationUs() / 1000), OrDash(a.getError().cStr())});
          }
          table.Print(std::cout);
          return int{kOk};
        });
  });
}

}  // namespace roster::tools::cli
