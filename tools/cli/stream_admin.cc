// Following the log (tail) and the administrative requests (token issue|revoke|list,
// admin rebuild|verify). The subscription needs an admin or auditor token; the rest admin.
#include <memory>
#include <nlohmann/json.hpp>

#include "tools/cli/query_util.h"

namespace roster::tools::cli {
namespace {

using api::wire::Admin;
using api::wire::Response;

int RunAdmin(Cli& cli, const std::function<void(Admin::Builder)>& fill,
             const std::function<int(Response::Reader)>& print) {
  auto reply = cli.Call([&](api::wire::Request::Builder request) { fill(request.initAdmin()); });
  if (!reply) return reply.error();
  return print(reply->get());
}

void RegisterTail(CLI::App& app, Cli& cli) {
  struct Options {
    uint64_t after = 0;
    uint32_t window = 1000;
    uint64_t count = 0;
  };
  auto o = std::make_shared<Options>();
  auto* sub =
      app.add_subcommand("tail", "follow the log: every record after --after, then live ones");
  sub->add_option("--after", o->after, "start after this log position (default: the beginning)")
      ->check(NotNegative());
  sub->add_option("--count", o->count, "stop after this many records (default: follow forever)")
      ->check(NotNegative());
  sub->add_option("--window", o->window, "records in flight (subscription credits)")
      ->check(NotNegative());
  sub->callback([o, &cli] {
    api::client::Client* connection = cli.Connection();
    if (connection == nullptr) {
      cli.exit_code = cli.exit_code == kOk ? int{kUnreachable} : cli.exit_code;
      return;
    }
    uint64_t seen = 0;
    auto followed = connection->Subscribe(o->after, o->window, [&](api::wire::Record::Reader r) {
      if (cli.json) {
        std::cout << api::wire::ToJson(r) << "\n";
      } else {
        std::cout << r.getPosition() << "  " << TimeOrDash(r.getTimeUs()) << "  "
                  << r.getStream().cStr() << "#" << r.getStreamVersion() << "  "
                  << r.getType().cStr() << "/v" << r.getRevision()
                  << "  actor=" << OrDash(r.getActor().cStr())
                  << "  command=" << OrDash(r.getCommandId().cStr())
                  << "  hash=" << Hex(r.getHash().begin(), r.getHash().size(), 8) << "\n";
      }
      std::cout.flush();  // a live tail is read as it comes
      return o->count == 0 || ++seen < o->count;
    });
    if (!followed) {
      std::cerr << "roster: " << followed.error().code << ": " << followed.error().message << "\n";
      const auto& code = followed.error().code;
      cli.exit_code = code == "CONNECTION" || code == "TIMEOUT" || code == "PROTOCOL" ||
                              code == "UNAUTHENTICATED" || code == "FORBIDDEN"
                          ? int{kUnreachable}
                          : int{kRejected};
    }
  });
}

void RegisterTokens(CLI::App& app, Cli& cli) {
  auto* token = app.add_subcommand("token", "API tokens of the server (admin scope)");
  token->require_subcommand(1);
  struct Issue {
    std::string name, scope = "service";
  };
  auto issue = std::make_shared<Issue>();
  auto* issue_cmd =
      token->add_subcommand("issue", "issue a token (shown once); replaces one of the same name");
  issue_cmd->add_option("name", issue->name, "token name (the principal in event metadata)")
      ->required();
  issue_cmd->add_option("--scope", issue->scope, "admin, service or auditor")
      ->check(CLI::IsMember({"admin", "service", "auditor"}));
  issue_cmd->callback([issue, &cli] {
    cli.exit_code = RunAdmin(
        cli,
        [&](Admin::Builder a) {
          auto r = a.initIssueToken();
          r.setName(issue->name);
          r.setScope(issue->scope);
        },
        [&](Response::Reader response) {
          auto t = response.getToken();
          if (cli.json)
            std::cout << api::wire::ToJson(t) << "\n";
          else
            PrintFields(std::cout, {{"name", t.getName().cStr()},
                                    {"scope", t.getScope().cStr()},
                                    {"token", t.getToken().cStr()}});
          return int{kOk};
        });
  });
  auto revoke = std::make_shared<std::string>();
  auto* revoke_cmd = token->add_subcommand("revoke", "revoke a token by name");
  revoke_cmd->add_option("name", *revoke, "token name")->required();
  revoke_cmd->callback([revoke, &cli] {
    cli.exit_code = RunAdmin(
        cli, [&](Admin::Builder a) { a.setRevokeToken(*revoke); },
        [&](Response::Reader) {
          if (cli.json)
            std::cout << nlohmann::json{{"revoked", true}}.dump() << "\n";
          else
            std::cout << "revoked " << *revoke << "\n";
          return int{kOk};
        });
  });
  auto* list_cmd = token->add_subcommand("list", "token names and scopes");
  list_cmd->callback([&cli] {
    cli.exit_code = RunAdmin(
        cli, [](Admin::Builder a) { a.setListTokens(); },
        [&](Response::Reader response) {
          auto list = response.getTokens();
          if (cli.json) {
            std::cout << "[";
            for (unsigned i = 0; i < list.size(); ++i)
              std::cout << (i ? "," : "") << api::wire::ToJson(list[i]);
            std::cout << "]\n";
            return int{kOk};
          }
          Table table({"NAME", "SCOPE"});
          for (auto t : list) table.Add({t.getName().cStr(), t.getScope().cStr()});
          table.Print(std::cout);
          return int{kOk};
        });
  });
}

void RegisterAdmin(CLI::App& app, Cli& cli) {
  auto* admin = app.add_subcommand("admin", "server maintenance (admin scope)");
  admin->require_subcommand(1);
  auto names = std::make_shared<std::vector<std::string>>();
  auto* rebuild =
      admin->add_subcommand("rebuild", "rebuild read models from the log in the background");
  rebuild->add_option("projections", *names, "projection names (default: all)");
  rebuild->callback([names, &cli] {
    cli.exit_code = RunAdmin(
        cli,
        [&](Admin::Builder a) {
          auto list = a.initRebuildProjections(static_cast<unsigned>(names->size()));
          for (unsigned i = 0; i < names->size(); ++i) list.set(i, (*names)[i]);
        },
        [&](Response::Reader) {
          if (cli.json)
            std::cout << nlohmann::json{{"rebuilding", true}}.dump() << "\n";
          else
            std::cout << "rebuild started; follow it with `roster status`\n";
          return int{kOk};
        });
  });
  auto* verify =
      admin->add_subcommand("verify", "walk the log's hash chain; exit 1 if it is broken");
  verify->callback([&cli] {
    cli.exit_code = RunAdmin(
        cli, [](Admin::Builder a) { a.setVerify(); },
        [&](Response::Reader response) {
          auto v = response.getVerify();
          if (cli.json) {
            std::cout << api::wire::ToJson(v) << "\n";
          } else {
            std::vector<std::pair<std::string, std::string>> fields = {
                {"ok", v.getOk() ? "yes" : "no"},
                {"checked", std::to_string(v.getChecked())},
                {"head hash", Hex(v.getHeadHash().begin(), v.getHeadHash().size())}};
            if (!v.getOk()) {
              fields.emplace_back("first bad", std::to_string(v.getFirstBad()));
              fields.emplace_back("problem", v.getProblem().cStr());
            }
            PrintFields(std::cout, fields);
          }
          return v.getOk() ? int{kOk} : int{kRejected};
        });
  });
}

}  // namespace

void RegisterStreamAndAdmin(CLI::App& app, Cli& cli) {
  RegisterTail(app, cli);
  RegisterTokens(app, cli);
  RegisterAdmin(app, cli);
}

}  // namespace roster::tools::cli
