// Following the log (tail) and the administrative requests (token issue|revoke|list,
// admin rebuild|verify, clock advance). The subscription needs an admin or auditor token;
// clock show (a status query) any token; the rest admin.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/wire/time.h"
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

// A duration as people type it: whole seconds ("45"), or numbers with units d, h, m, s, one
// after the other ("8d", "36h", "1d12h", "90m", "45s"). Throws CLI::ValidationError for
// anything else, for 0, and beyond what the request carries (a 32-bit number of seconds).
uint32_t ParseDurationSeconds(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return CLI::ValidationError("DURATION", "'" + text + "' " + why);
  };
  if (text.empty()) throw bad("is not a duration (e.g. 8d, 36h, 90m, 45s, or seconds)");
  uint64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits = std::min(text.find_first_not_of("0123456789", i), text.size());
    if (digits == i || digits - i > 10) {
      throw bad("is not a duration (e.g. 8d, 36h, 90m, 45s, or seconds)");
    }
    const uint64_t n = std::stoull(text.substr(i, digits - i));
    uint64_t unit = 1;
    if (digits == text.size()) {
      if (i != 0) throw bad("has a number without a unit after the first (d, h, m, s)");
      i = text.size();
    } else {
      switch (text[digits]) {
        case 'd':
          unit = 86400;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'm':
          unit = 60;
          break;
        case 's':
          unit = 1;
          break;
        default:
          throw bad("has an unknown unit (d, h, m, s)");
      }
      i = digits + 1;
    }
    total += n * unit;
    if (total > std::numeric_limits<uint32_t>::max()) throw bad("is too long");
  }
  if (total == 0) throw bad("is zero: the test clock only moves forward");
  return static_cast<uint32_t>(total);
}

// "8d", "1d12h", "1h30m5s", "0s": the largest units first, zero parts left out.
std::string FormatDuration(int64_t us) {
  int64_t s = us / 1'000'000;
  std::string out;
  static constexpr std::pair<int64_t, char> kUnits[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}};
  for (const auto& [unit, name] : kUnits) {
    if (s >= unit) {
      out += std::to_string(s / unit) + name;
      s %= unit;
    }
  }
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

void PrintClock(Cli& cli, bool test_clock, int64_t now_us, int64_t offset_us, bool local_now) {
  if (cli.json) {
    nlohmann::json j{{"nowUs", std::to_string(now_us)}, {"offsetUs", std::to_string(offset_us)}};
    j["testClock"] = test_clock;
    std::cout << j.dump() << "\n";
    return;
  }
  PrintFields(std::cout,
              {{"test clock", test_clock ? "on" : "off (this server runs on the system clock)"},
               {"now", api::wire::FormatTime(now_us, api::wire::Subseconds::kWhenNonZero) +
                           (local_now ? " (this machine's clock plus the offset)" : "")},
               {"offset", FormatDuration(offset_us) + " (" + std::to_string(offset_us / 1'000'000) +
                              " s ahead of the system clock)"}});
}

// clock advance DURATION (admin; rosterd --test-clock only) and clock [show] (any token).
void RegisterClock(CLI::App& app, Cli& cli) {
  auto* clock = app.add_subcommand(
      "clock", "the server's test clock (rosterd --test-clock): show it, or move it forward");
  auto show = [&cli] {
    cli.exit_code = RunQuery(
        cli, 0, [](api::wire::Query::Builder q) { q.setStatus(); },
        [&](Response::Reader response) {
          auto status = response.getStatus();
          // The status answer has the offset but not the server's time: that is this
          // machine's time plus the offset, as close as the two system clocks agree.
          const int64_t local = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
          PrintClock(cli, status.getTestClock(), local + status.getTestClockOffsetUs(),
                     status.getTestClockOffsetUs(), true);
          return int{kOk};
        });
  };
  clock->callback([clock, show] {
    if (clock->get_subcommands().empty()) show();
  });
  auto* show_cmd = clock->add_subcommand(
      "show", "the test clock: on or off, how far ahead it runs, and the time it shows");
  show_cmd->callback(show);
  auto duration = std::make_shared<std::string>();
  auto* advance = clock->add_subcommand(
      "advance", "move the server's time forward (admin; rosterd --test-clock only)");
  advance
      ->add_option("duration", *duration,
                   "how far: 8d, 36h, 90m, 45s, 1d12h, or whole seconds (the offset stays "
                   "within 36500 days)")
      ->required();
  advance->callback([duration, &cli] {
    const uint32_t seconds = ParseDurationSeconds(*duration);
    cli.exit_code = RunAdmin(
        cli, [&](Admin::Builder a) { a.initAdvanceClock().setSeconds(seconds); },
        [&](Response::Reader response) {
          auto c = response.getClock();
          if (cli.json) {
            std::cout << api::wire::ToJson(c) << "\n";
          } else {
            PrintClock(cli, true, c.getNowUs(), c.getOffsetUs(), false);
          }
          return int{kOk};
        });
  });
}

}  // namespace

void RegisterStreamAndAdmin(CLI::App& app, Cli& cli) {
  RegisterTail(app, cli);
  RegisterTokens(app, cli);
  RegisterAdmin(app, cli);
  RegisterClock(app, cli);
}

}  // namespace roster::tools::cli
