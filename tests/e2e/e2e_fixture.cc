#include "tests/e2e/e2e_fixture.h"

#include <capnp/compat/json.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "tests/support/child_process.h"

namespace roster::tests::e2e {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

namespace {

class HexData final : public capnp::JsonCodec::Handler<capnp::Data> {
 public:
  void encode(const capnp::JsonCodec&, capnp::Data::Reader,
              capnp::JsonValue::Builder) const override {
    ADD_FAILURE() << "tests only decode";
  }
  capnp::Orphan<capnp::Data> decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
                                    capnp::Orphanage orphanage) const override {
    auto text = input.getString();
    auto orphan = orphanage.newOrphan<capnp::Data>(text.size() / 2);
    for (size_t i = 0; i < orphan.get().size(); ++i) {
      orphan.get()[i] =
          static_cast<uint8_t>(std::stoi(std::string(text.begin() + 2 * i, 2), nullptr, 16));
    }
    return orphan;
  }
};

}  // namespace

void DecodeJson(const std::string& text, capnp::DynamicStruct::Builder root) {
  static HexData hex;
  capnp::JsonCodec codec;
  codec.addTypeHandler(hex);
  try {
    codec.decode(kj::ArrayPtr<const char>(text.data(), text.size()), root);
  } catch (const kj::Exception& e) {
    ADD_FAILURE() << "not the expected JSON: " << e.getDescription().cStr() << "\n" << text;
  }
}

void RosterdTest::SetUp() {
  const std::filesystem::path data = dir_.path() / "data";
  RosterdOptions options;
  options.data_dir = data;
  options.stdout_path = dir_.path() / "rosterd.out";
  options.stderr_path = dir_.path() / "rosterd.err";
  options.drop_env_prefixes = kDeveloperSettings;
  for (auto& arg : ExtraArgs()) options.extra_args.push_back(arg);
  options_ = options;
  rosterd_ = std::make_unique<Rosterd>(options);
  ASSERT_NE(rosterd_->port(), 0) << rosterd_->error() << "\n"
                                 << ReadFile(dir_.path() / "rosterd.err");
  // Ready: it listens, and a hello with the admin token it wrote succeeds.
  std::string token = ReadFile(data / "admin.token");
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
  api::client::ClientOptions client;
  client.server = address();
  client.token = token;
  auto hello = api::client::Client::Connect(client);
  ASSERT_TRUE(hello.has_value()) << hello.error().code << ": " << hello.error().message << "\n"
                                 << ReadFile(dir_.path() / "rosterd.err");
  admin_token_ = token;
}

void RosterdTest::TearDown() {
  if (!rosterd_ || rosterd_->port() == 0) return;
  status_client_.reset();
  const std::optional<int> status = rosterd_->Stop(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value()) << "rosterd ignored SIGTERM";
  EXPECT_EQ(*status, 0) << "rosterd did not stop cleanly:\n"
                        << ReadFile(dir_.path() / "rosterd.err");
}

CliRun RosterdTest::Roster(const std::vector<std::string>& args,
                           const std::vector<std::string>& env, bool with_credentials) {
  std::vector<std::string> argv = {std::string(ROSTER_BIN_DIR) + "/roster"};
  if (with_credentials) {
    argv.insert(argv.end(), {"--server", address(), "--token-file", token_file()});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  // Read-your-writes, as a script passing each command's position would: a query waits until
  // the read models have caught up with every command before it.
  static const std::set<std::string> kQueries = {"members", "orgs-of", "invitations",
                                                 "access",  "check",   "activity",
                                                 "logins",  "as-of",   "history"};
  const bool has_token = std::find(args.begin(), args.end(), "--consistency-token") != args.end();
  auto first = std::find_if(args.begin(), args.end(),
                            [](const std::string& a) { return !a.starts_with("-"); });
  if (with_credentials && !has_token && first != args.end() && kQueries.contains(*first)) {
    argv.insert(argv.end(), {"--consistency-token", std::to_string(LastPosition())});
  }
  return RunProgram(argv, env);
}

CliRun RosterdTest::RosterAdmin(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {std::string(ROSTER_BIN_DIR) + "/roster-admin", "--data-dir",
                                   (dir_.path() / "data").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, {});
}

CliRun RosterdTest::RunProgram(const std::vector<std::string>& argv,
                               const std::vector<std::string>& env) {
  static int run = 0;
  ++run;
  ChildOptions options;
  options.argv = argv;
  options.stdout_path = dir_.path() / ("cli-" + std::to_string(run) + ".out");
  options.stderr_path = dir_.path() / ("cli-" + std::to_string(run) + ".err");
  options.drop_env_prefixes = kDeveloperSettings;
  options.extra_env = env;
  CliRun result;
  auto child = ChildProcess::Start(options);
  if (!child) {
    ADD_FAILURE() << "cannot start " << argv.front() << ": " << child.error();
    return result;
  }
  result.exit_code = child->Wait();
  result.out = ReadFile(options.stdout_path);
  result.err = ReadFile(options.stderr_path);
  return result;
}

std::string RosterdTest::Ok(const std::vector<std::string>& args) {
  CliRun run = Roster(args);
  std::string line;
  for (const auto& a : args) line += a + " ";
  EXPECT_EQ(run.exit_code, 0) << "roster " << line << "\n" << run.out << run.err;
  return run.out;
}

void RosterdTest::Rejected(const std::vector<std::string>& args, const std::string& code) {
  CliRun run = Roster(args);
  std::string line;
  for (const auto& a : args) line += a + " ";
  EXPECT_EQ(run.exit_code, 1) << "roster " << line << "\n" << run.out << run.err;
  EXPECT_NE(run.err.find(code), std::string::npos) << "roster " << line << "\n" << run.err;
}

void RosterdTest::CreateOrg(const std::string& org, const std::string& preset,
                            const std::string& owner) {
  Ok({"org", "create", org, "--name", org + " Inc", "--preset", preset, "--email",
      owner + "@example.test", "--actor", owner});
}

void RosterdTest::Join(const std::string& org, const std::string& inviter, const std::string& user,
                       const std::string& role) {
  auto sent = OkJson<api::wire::CommandResult>(
      {"invite", org, user + "@example.test", "--role", role, "--actor", inviter});
  ASSERT_TRUE(sent->getAccepted());
  const std::string invitation = sent->getInvitationId().cStr();
  const std::string token = sent->getInvitationToken().cStr();
  ASSERT_FALSE(invitation.empty());
  ASSERT_FALSE(token.empty());
  Ok({"accept", org, invitation, "--token", token, "--email", user + "@example.test", "--actor",
      user});
}

uint64_t RosterdTest::LastPosition() {
  if (!status_client_) status_client_ = Connect();
  if (!status_client_) return 0;
  auto reply =
      status_client_->Call([](api::wire::Request::Builder r) { r.initQuery().setStatus(); });
  EXPECT_TRUE(reply.has_value());
  if (!reply || !reply->get().isStatus()) return 0;
  return reply->get().getStatus().getLastPosition();
}

std::string RosterdTest::KillAndRestart(const std::vector<std::string>& args) {
  status_client_.reset();
  if (rosterd_->port() != 0) {  // else it refused to start and is gone already
    rosterd_->Signal(SIGKILL);
    EXPECT_EQ(rosterd_->Wait(std::chrono::seconds(30)), 128 + SIGKILL);
  }
  RosterdOptions options = options_;
  options.extra_args = args;
  rosterd_ = std::make_unique<Rosterd>(options);
  if (rosterd_->port() != 0) return "";
  return rosterd_->error() + "\n" + rosterd_->StderrTail();
}

std::unique_ptr<api::client::Client> RosterdTest::Connect() {
  api::client::ClientOptions options;
  options.server = address();
  options.token = admin_token_;
  auto connected = api::client::Client::Connect(options);
  EXPECT_TRUE(connected.has_value()) << connected.error().code << ": " << connected.error().message;
  return connected ? std::move(*connected) : nullptr;
}

}  // namespace roster::tests::e2e
