#include "tests/e2e/e2e_fixture.h"

#include <arpa/inet.h>
#include <capnp/compat/json.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace roster::tests::e2e {
namespace {

using namespace std::chrono_literals;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A port nobody listens on right now: bind to port 0 and let the kernel choose.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// Starts `argv` with stdout and stderr going to files; returns the pid (-1 on failure).
int Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
          const std::filesystem::path& out, const std::filesystem::path& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    // The CLI must not pick up the developer's own server or token.
    if (entry.starts_with("ROSTER_SERVER=") || entry.starts_with("ROSTER_TOKEN")) continue;
    env_storage.push_back(entry);
  }
  for (const auto& e : extra_env) env_storage.push_back(e);
  std::vector<char*> env;
  for (auto& e : env_storage) env.push_back(e.data());
  env.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

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
  port_ = FreePort();
  ASSERT_NE(port_, 0);
  pid_ = Spawn({std::string(ROSTER_BIN_DIR) + "/rosterd", "--data-dir", data.string(), "--listen",
                address()},
               {}, dir_.path() / "rosterd.out", dir_.path() / "rosterd.err");
  ASSERT_GT(pid_, 0) << "cannot start rosterd";
  // Ready when the admin token exists and a hello with it succeeds.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL() << "rosterd exited early:\n" << ReadFile(dir_.path() / "rosterd.err");
    }
    if (std::filesystem::exists(data / "admin.token")) {
      std::string token = ReadFile(data / "admin.token");
      while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
      api::client::ClientOptions options;
      options.server = address();
      options.token = token;
      options.timeout = 2000ms;
      if (api::client::Client::Connect(options)) {
        admin_token_ = token;
        return;
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  FAIL() << "rosterd did not become ready:\n" << ReadFile(dir_.path() / "rosterd.err");
}

void RosterdTest::TearDown() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {  // 10 s for a graceful stop
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "rosterd did not stop cleanly:\n"
          << ReadFile(dir_.path() / "rosterd.err");
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "rosterd ignored SIGTERM";
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
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
  const auto out = dir_.path() / ("cli-" + std::to_string(run) + ".out");
  const auto err = dir_.path() / ("cli-" + std::to_string(run) + ".err");
  CliRun result;
  const int pid = Spawn(argv, env, out, err);
  if (pid <= 0) {
    ADD_FAILURE() << "cannot start " << argv.front();
    return result;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(out);
  result.err = ReadFile(err);
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

std::unique_ptr<api::client::Client> RosterdTest::Connect() {
  api::client::ClientOptions options;
  options.server = address();
  options.token = admin_token_;
  auto connected = api::client::Client::Connect(options);
  EXPECT_TRUE(connected.has_value()) << connected.error().code << ": " << connected.error().message;
  return connected ? std::move(*connected) : nullptr;
}

}  // namespace roster::tests::e2e
