#include "tools/cli/cli.h"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "api/wire/time.h"
#include "tools/cli/output.h"

namespace roster::tools::cli {
namespace {

std::string Trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

bool IsAuthFailure(std::string_view code) {
  return code == "UNAUTHENTICATED" || code == "FORBIDDEN";
}

}  // namespace

api::client::Client* Cli::Connection() {
  if (client_) return client_.get();
  std::string secret = token;
  if (secret.empty() && !token_file.empty()) {
    std::ifstream in(token_file);
    if (!in) {
      std::cerr << "roster: cannot read the token file " << token_file << "\n";
      exit_code = kUsage;
      return nullptr;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    secret = Trim(buf.str());
  }
  if (secret.empty()) {
    std::cerr << "roster: no token: use --token, --token-file, ROSTER_TOKEN or ROSTER_TOKEN_FILE\n";
    exit_code = kUsage;
    return nullptr;
  }
  api::client::ClientOptions options;
  options.server = server;
  options.token = secret;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.client_name = "roster-cli";
  auto connected = api::client::Client::Connect(options);
  if (!connected) {
    std::cerr << "roster: " << connected.error().code << ": " << connected.error().message
              << " (server " << server << ")\n";
    exit_code = kUnreachable;
    return nullptr;
  }
  client_ = std::move(*connected);
  return client_.get();
}

namespace {

// Prints an error answer (its JSON too with --json) and returns the exit code it means.
int PrintErrorAnswer(const Cli& cli, api::wire::Response::Reader response) {
  auto error = response.getError();
  // The documented shape {"id":..,"error":{..}}, without the `more` flag every response has.
  if (cli.json) {
    nlohmann::ordered_json answer;
    answer["id"] = std::to_string(response.getId());
    answer["error"] = nlohmann::ordered_json::parse(api::wire::ToJson(error));
    std::cout << answer.dump() << "\n";
  }
  std::cerr << "error: " << error.getCode().cStr() << ": " << error.getMessage().cStr() << "\n";
  return IsAuthFailure(error.getCode().cStr()) ? int{kUnreachable} : int{kRejected};
}

}  // namespace

std::expected<api::client::Reply, int> Cli::Call(const api::client::RequestFiller& fill) {
  api::client::Client* connection = Connection();
  if (connection == nullptr) return std::unexpected(exit_code);
  auto reply = connection->Call(fill);
  if (!reply) {
    std::cerr << "roster: " << reply.error().code << ": " << reply.error().message << "\n";
    return std::unexpected(int{kUnreachable});
  }
  auto response = reply->get();
  if (response.isError()) return std::unexpected(PrintErrorAnswer(*this, response));
  return std::move(*reply);
}

int Cli::CallStreamed(const api::client::RequestFiller& fill,
                      const std::function<bool(api::client::Reply& part)>& on_part) {
  api::client::Client* connection = Connection();
  if (connection == nullptr) return exit_code;
  int code = kOk;
  auto done = connection->CallStreamed(fill, [&](api::client::Reply& part) {
    if (part.get().isError()) {
      code = PrintErrorAnswer(*this, part.get());
      return false;
    }
    return on_part(part);
  });
  if (!done) {
    std::cout.flush();
    std::cerr << "roster: " << done.error().code << ": " << done.error().message << "\n";
    return kUnreachable;
  }
  return code;
}

std::string RandomCommandId() {
  std::random_device device;
  std::uniform_int_distribution<uint32_t> byte(0, 255);
  uint8_t bytes[16];
  for (auto& b : bytes) b = static_cast<uint8_t>(byte(device));
  return Hex(bytes, sizeof(bytes));
}

void AddCommandOptions(CLI::App& sub, CommandOptions& options, bool actor_required) {
  auto* actor = sub.add_option("--actor", options.actor,
                               "the user on whose behalf the command runs (its permissions apply)");
  if (actor_required) actor->required();
  sub.add_option("--command-id", options.command_id,
                 "idempotency key: a retry with the same id returns the first outcome "
                 "(default: random)");
  sub.add_option("--correlation-id", options.correlation_id,
                 "groups related commands in the log (default: the command id)");
}

int RunCommand(Cli& cli, const CommandOptions& options,
               const std::function<void(api::wire::Command::Builder)>& fill) {
  const std::string command_id =
      options.command_id.empty() ? RandomCommandId() : options.command_id;
  auto reply = cli.Call([&](api::wire::Request::Builder request) {
    auto command = request.initCommand();
    command.setOrg(options.org);
    command.setActor(options.actor);
    command.setCommandId(command_id);
    command.setCorrelationId(options.correlation_id);
    fill(command);
  });
  if (!reply) return reply.error();
  auto response = reply->get();
  if (!response.isCommand()) {
    std::cerr << "roster: unexpected answer to a command\n";
    return kUnreachable;
  }
  auto result = response.getCommand();
  if (cli.json) {
    std::cout << api::wire::ToJson(result) << "\n";
  } else if (result.getAccepted()) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"command", command_id + (result.getDuplicate() ? " (a retry: the first outcome)" : "")},
        {"position", std::to_string(result.getPosition())},
    };
    if (result.hasInvitationId())
      fields.emplace_back("invitation", result.getInvitationId().cStr());
    if (result.getInvitationToken().size() > 0) {
      fields.emplace_back("token", std::string(result.getInvitationToken().cStr()) +
                                       "  (shown once: put it in the invitation link)");
    }
    if (result.getAcceptToken().size() > 0) {
      fields.emplace_back("accept token", std::string(result.getAcceptToken().cStr()) +
                                              "  (shown once: the link's one token)");
    }
    if (result.hasMembershipId())
      fields.emplace_back("membership", result.getMembershipId().cStr());
    PrintFields(std::cout, fields);
    if (result.getInvitationOutcomes().size() > 0) {
      Table outcomes({"EMAIL", "OUTCOME", "INVITATION", "ACCEPT TOKEN (shown once)"});
      for (auto o : result.getInvitationOutcomes()) {
        if (o.getAccepted()) {
          outcomes.Add({o.getEmail().cStr(), "invited", o.getInvitationId().cStr(),
                        OrDash(o.getAcceptToken().cStr())});
        } else {
          outcomes.Add({o.getEmail().cStr(),
                        std::string(o.getRejection().getCode().cStr()) + ": " +
                            o.getRejection().getMessage().cStr(),
                        "-", "-"});
        }
      }
      std::cout << "\n";
      outcomes.Print(std::cout);
    }
    if (result.getEvents().size() > 0) {
      Table events({"EVENT", "SUMMARY"});
      for (auto e : result.getEvents())
        events.Add({e.getType().cStr(), OrDash(e.getSummary().cStr())});
      std::cout << "\n";
      events.Print(std::cout);
    }
  }
  if (!result.getAccepted()) {
    auto rejection = result.getRejection();
    std::cerr << "rejected: " << rejection.getCode().cStr() << ": " << rejection.getMessage().cStr()
              << "\n";
    return kRejected;
  }
  return kOk;
}

void AddConsistencyOption(CLI::App& sub, uint64_t& token) {
  sub.add_option("--consistency-token", token,
                 "wait until the read models have reached this log position (a command's "
                 "position): read-your-writes")
      ->check(NotNegative());
}

int64_t ParseTimeUs(const std::string& text) {
  auto us = api::wire::ParseTime(text);
  if (!us) throw CLI::ValidationError("time", us.error());
  return *us;
}

}  // namespace roster::tools::cli
