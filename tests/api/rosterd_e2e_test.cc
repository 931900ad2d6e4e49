// rosterd as a process: spoken to by an independent Cap'n Proto implementation (the `capnp`
// tool), and stopped with SIGTERM under load without losing an acknowledged command.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "eventstore/testing/temp_dir.h"
#include "tests/api/server_fixture.h"
#include "tests/support/rosterd_process.h"
#include "tests/support/waiting.h"

namespace roster::tests {
namespace {

// Runs `command` with `input` on its stdin; returns its stdout.
std::string RunTool(const std::string& command, const std::string& input,
                    const std::filesystem::path& scratch) {
  {
    std::ofstream f(scratch, std::ios::binary);
    f << input;
  }
  auto run = RunCommand(command + " < " + scratch.string());
  EXPECT_EQ(run.status, 0) << command;
  return run.out;
}

// The TOML file reaches the server: a limit set there is enforced, and an unknown key stops
// rosterd at start rather than being ignored.
TEST(RosterdTest, TheConfigFileSetsTheLimits) {
  eventstore::testing::TempDir tmp("rosterd-config");
  const auto config = tmp.path() / "roster.toml";
  {
    std::ofstream f(config);
    f << "max_subscriptions = 1\nmax_credits = 50\nlog_level = \"warn\"\n";
  }
  Rosterd server(tmp.path() / "data", {"--config", config.string()});
  ASSERT_NE(server.port(), 0) << server.error() << "\n" << server.StderrTail();
  api::client::ClientOptions options;
  options.server = "127.0.0.1:" + std::to_string(server.port());
  options.token = ReadToken(tmp.path() / "data");
  auto c = api::client::Client::Connect(options);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  auto subscribe = [&] {
    return (*c)->Call([](api::wire::Request::Builder r) { r.initSubscribe().setCredits(10); });
  };
  auto first = subscribe();
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->get().isSubscribed());
  auto second = subscribe();
  ASSERT_TRUE(second.has_value());
  ASSERT_TRUE(second->get().isError());
  EXPECT_EQ(std::string(second->get().getError().getCode().cStr()), "LIMIT");

  const auto bad = tmp.path() / "bad.toml";
  {
    std::ofstream f(bad);
    f << "max_subscription = 1\n";  // misspelt
  }
  Rosterd refused(tmp.path() / "other", {"--config", bad.string()});
  EXPECT_EQ(refused.port(), 0);
  EXPECT_EQ(refused.Wait(std::chrono::seconds(10)), 2);
  std::ifstream err(tmp.path().string() + "/other.stderr");
  std::stringstream text;
  text << err.rdbuf();
  EXPECT_NE(text.str().find("unknown setting 'max_subscription'"), std::string::npos) << text.str();
}

// A setting out of range stops rosterd at start with exit 2 and says which, whether it came
// from a flag or the file; before, `--io-threads -1` started 2^32 threads until it aborted.
TEST(RosterdTest, OutOfRangeSettingsAreRefusedAtStart) {
  eventstore::testing::TempDir tmp("rosterd-ranges");
  const auto huge = tmp.path() / "huge.toml";
  {
    std::ofstream f(huge);
    f << "io_threads = 100000\n";
  }
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--io-threads", "-1"}, "--io-threads"},
      {{"--worker-threads", "0"}, "--worker-threads"},
      {{"--max-in-flight", "0"}, "--max-in-flight"},
      {{"--idle-timeout-ms", "999999999999"}, "--idle-timeout-ms"},
      {{"--log-level", "loud"}, "log level 'loud'"},
      {{"--config", huge.string()}, "io_threads must be an integer from 1 to 256"},
  };
  int i = 0;
  for (const auto& [flags, says] : cases) {
    const auto dir = tmp.path() / ("d" + std::to_string(i++));
    Rosterd refused(dir, flags);
    EXPECT_EQ(refused.port(), 0) << says;
    EXPECT_EQ(refused.Wait(std::chrono::seconds(10)), 2) << says;
    std::ifstream err(dir.string() + ".stderr");
    std::stringstream text;
    text << err.rdbuf();
    EXPECT_NE(text.str().find(says), std::string::npos) << text.str();
    EXPECT_FALSE(std::filesystem::exists(dir / "log")) << says << ": nothing is created";
  }
}

// An operator looking at `top -H` or `ps -L` can tell rosterd's threads apart.
TEST(RosterdTest, ThreadsAreNamedForWhatTheyDo) {
  eventstore::testing::TempDir tmp("rosterd-threads");
  Rosterd server(tmp.path() / "data", {"--io-threads", "2", "--worker-threads", "3"});
  ASSERT_NE(server.port(), 0) << server.error() << "\n" << server.StderrTail();
  const auto tasks = std::filesystem::path("/proc") / std::to_string(server.pid()) / "task";
  // Each thread names itself once it runs, which may be just after the port is announced.
  auto read_names = [&] {
    std::multiset<std::string> names;
    for (const auto& task : std::filesystem::directory_iterator(tasks)) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      names.insert(name);
    }
    return names;
  };
  const std::map<std::string, size_t> expected = {{"roster-log", 1},   {"roster-views", 1},
                                                  {"roster-sweep", 1}, {"roster-io-0", 1},
                                                  {"roster-io-1", 1},  {"roster-work", 3}};
  auto as_expected = [&](const std::multiset<std::string>& names) {
    for (const auto& [name, count] : expected) {
      if (names.count(name) != count) return false;
    }
    return true;
  };
  std::multiset<std::string> names;
  Eventually([&] {
    names = read_names();
    return as_expected(names);
  });
  std::string all;
  for (const auto& n : names) all += n + " ";
  for (const auto& [name, count] : expected)
    EXPECT_EQ(names.count(name), count) << name << ": " << all;
}

TEST(RosterdTest, CapnpToolSpeaksTheProtocol) {
  eventstore::testing::TempDir dir("rosterd-capnp");
  Rosterd server(dir.path() / "data");
  ASSERT_NE(server.port(), 0) << server.error() << "\n" << server.StderrTail();
  EXPECT_NE(server.output().find("admin.token"), std::string::npos) << server.output();
  const std::string token = ReadToken(dir.path() / "data");
  ASSERT_FALSE(token.empty());

  const std::string schema = std::string(ROSTER_SOURCE_DIR) + "/api/wire/roster.capnp";
  const std::string encode = "capnp encode -I/usr/include " + schema + " Request";
  const std::string decode = "capnp decode --short -I/usr/include " + schema + " Response";
  const auto scratch = dir.path() / "scratch";
  const std::string hello = RunTool(
      encode,
      "(id = 1, hello = (token = \"" + token + "\", client = \"capnp-tool\", protocolVersion = 1))",
      scratch);
  const std::string query = RunTool(encode, "(id = 2, query = (status = void))", scratch);
  ASSERT_FALSE(hello.empty());
  ASSERT_FALSE(query.empty());

  RawConnection raw(server.port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send(hello + query));  // pipelined: the query follows without waiting
  std::map<uint64_t, std::string> decoded;
  for (int i = 0; i < 2; ++i) {
    auto m = raw.Read();
    ASSERT_TRUE(m.has_value());
    auto words = m->frame->words();
    std::string bytes(reinterpret_cast<const char*>(words.begin()), words.size() * 8);
    decoded[m->get().getId()] = RunTool(decode, bytes, scratch);
  }
  EXPECT_NE(decoded[1].find("hello = (principal = \"admin\", scope = \"admin\""), std::string::npos)
      << decoded[1];
  EXPECT_NE(decoded[1].find("protocolVersion = 1"), std::string::npos) << decoded[1];
  EXPECT_NE(decoded[2].find("status = (lastPosition = 0"), std::string::npos) << decoded[2];
  EXPECT_EQ(decoded[2].find("error"), std::string::npos) << decoded[2];
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(15)), 0);
}

TEST(RosterdTest, SigtermUnderLoadKeepsEveryAcknowledgedCommand) {
  constexpr int kClients = 16;
  constexpr size_t kAtLeastAcked = 200;
  eventstore::testing::TempDir dir("rosterd-restart");
  const auto data = dir.path() / "data";
  std::mutex mu;
  std::vector<std::pair<std::string, uint64_t>> acked;  // org, position
  {
    Rosterd server(data);
    ASSERT_NE(server.port(), 0) << server.error() << "\n" << server.StderrTail();
    api::client::ClientOptions options;
    options.server = "127.0.0.1:" + std::to_string(server.port());
    options.token = ReadToken(data);
    options.timeout = std::chrono::milliseconds(5000);
    std::atomic<int> running{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
      threads.emplace_back([&, t] {
        auto c = api::client::Client::Connect(options);
        if (!c) return;
        running++;
        for (int i = 0;; ++i) {
          const std::string org = "o" + std::to_string(t) + "-" + std::to_string(i);
          auto reply = (*c)->Call([&](Request::Builder r) {
            auto cmd = r.initCommand();
            cmd.setOrg(org);
            cmd.setActor("owner" + std::to_string(t));
            cmd.setCommandId("create-" + org);
            auto create = cmd.initCreateOrganization();
            create.setName(org);
            create.setPreset("commerce");
            create.setOwnerEmail("owner" + std::to_string(t) + "@example.com");
          });
          if (!reply || !reply->get().isCommand()) return;  // the server is going away
          auto result = reply->get().getCommand();
          if (!result.getAccepted()) continue;
          std::lock_guard lock(mu);
          acked.emplace_back(org, result.getPosition());
        }
      });
    }
    // Mid-load: once a good number of commands are acknowledged and more are in flight.
    Eventually([&] {
      std::lock_guard lock(mu);
      return running == kClients && acked.size() >= kAtLeastAcked;
    });
    server.Signal(SIGTERM);
    EXPECT_EQ(server.Wait(std::chrono::seconds(20)), 0);
    for (auto& th : threads) th.join();
  }
  ASSERT_GE(acked.size(), kAtLeastAcked);
  uint64_t max_position = 0;
  for (const auto& [org, position] : acked) max_position = std::max(max_position, position);

  Rosterd again(data);
  ASSERT_NE(again.port(), 0) << again.error() << "\n" << again.StderrTail();
  EXPECT_EQ(again.output().find("admin.token"), std::string::npos);  // not a first start
  api::client::ClientOptions options;
  options.server = "127.0.0.1:" + std::to_string(again.port());
  options.token = ReadToken(data);
  auto c = api::client::Client::Connect(options);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  auto status = (*c)->Call([](Request::Builder r) { r.initQuery().setStatus(); });
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(status->get().isStatus());
  EXPECT_GE(status->get().getStatus().getLastPosition(), max_position);
  std::map<std::string, std::set<std::string>> orgs_of;  // owner -> orgs, read once each
  for (int t = 0; t < kClients; ++t) {
    const std::string owner = "owner" + std::to_string(t);
    auto reply = (*c)->Call([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(max_position);
      q.setOrganizationsOf(owner);
    });
    ASSERT_TRUE(reply.has_value());
    ASSERT_TRUE(reply->get().isOrganizations()) << reply->get().getError().getMessage().cStr();
    for (auto o : reply->get().getOrganizations()) orgs_of[owner].insert(o.getOrg().cStr());
  }
  for (const auto& [org, position] : acked) {
    const std::string owner = "owner" + org.substr(1, org.find('-') - 1);
    EXPECT_TRUE(orgs_of[owner].contains(org)) << org << " at " << position << " was acknowledged";
  }
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(std::chrono::seconds(15)), 0);
}

}  // namespace
}  // namespace roster::tests
