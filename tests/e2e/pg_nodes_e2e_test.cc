// rosterd with its log on PostgreSQL (`--log postgresql://...`), end to end: one node that
// restarts, two nodes sharing one log (read-your-writes across nodes, racing commands, a
// rejection decided on what the other node wrote), and a log server that goes away and comes
// back. Each test starts its own PostgreSQL (tests/support/pg_test_server.sh) and rosterd
// children, and drives them with the roster CLI as a user would.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/testing/temp_dir.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/pg_server.h"
#include "tests/support/rosterd_process.h"
#include "tests/support/waiting.h"

namespace roster::tests::e2e {
namespace {

using api::wire::CommandResult;
using api::wire::MemberPage;
using api::wire::Status;

// One rosterd node: its own data directory (read models, admin token), the shared log.
struct Node {
  std::filesystem::path data;
  std::unique_ptr<Rosterd> rosterd;
  std::string address() const { return rosterd->address(); }
  std::string token_file() const { return (data / "admin.token").string(); }
};

class PgNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = PgTestServer::Start();
    ASSERT_TRUE(started.has_value()) << started.error();
    pg_ = std::move(*started);
  }
  void TearDown() override {
    for (auto& node : nodes_) {
      if (!node.rosterd || node.rosterd->port() == 0) continue;
      const std::optional<int> status = node.rosterd->Stop(std::chrono::seconds(30));
      ASSERT_TRUE(status.has_value()) << "rosterd ignored SIGTERM";
      EXPECT_EQ(*status, 0) << "rosterd did not stop cleanly:\n" << node.rosterd->StderrTail();
    }
  }

  // libpq's URI form, as an operator writes it in --log.
  std::string LogUrl() const {
    return "postgresql://roster@127.0.0.1:" + std::to_string(pg_->port()) + "/postgres";
  }

  // Starts (or restarts) node `i` on the shared log.
  void StartNode(size_t i) {
    if (nodes_.size() <= i) nodes_.resize(i + 1);
    Node& node = nodes_[i];
    node.data = dir_.path() / ("node" + std::to_string(i));
    RosterdOptions options;
    options.data_dir = node.data;
    options.extra_args = {"--log", LogUrl(), "--no-sync"};
    options.drop_env_prefixes = kDeveloperSettings;
    node.rosterd.reset();
    node.rosterd = std::make_unique<Rosterd>(options);
    ASSERT_NE(node.rosterd->port(), 0) << node.rosterd->error() << "\n"
                                       << node.rosterd->StderrTail();
  }

  void StopNode(size_t i) {
    const std::optional<int> status = nodes_[i].rosterd->Stop(std::chrono::seconds(30));
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, 0) << nodes_[i].rosterd->StderrTail();
    nodes_[i].rosterd.reset();
  }

  CliRun Roster(size_t node, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {std::string(ROSTER_BIN_DIR) + "/roster", "--server",
                                     nodes_[node].address(), "--token-file",
                                     nodes_[node].token_file()};
    argv.insert(argv.end(), args.begin(), args.end());
    const int run = ++runs_;
    ChildOptions options;
    options.argv = argv;
    options.stdout_path = dir_.path() / ("cli-" + std::to_string(run) + ".out");
    options.stderr_path = dir_.path() / ("cli-" + std::to_string(run) + ".err");
    options.drop_env_prefixes = kDeveloperSettings;
    CliRun result;
    auto child = ChildProcess::Start(options);
    if (!child) {
      ADD_FAILURE() << "cannot start roster: " << child.error();
      return result;
    }
    result.exit_code = child->Wait();
    result.out = ReadFile(options.stdout_path);
    result.err = ReadFile(options.stderr_path);
    return result;
  }

  std::string Ok(size_t node, const std::vector<std::string>& args) {
    CliRun run = Roster(node, args);
    std::string line;
    for (const auto& a : args) line += a + " ";
    EXPECT_EQ(run.exit_code, 0) << "node " << node << ": roster " << line << "\n"
                                << run.out << run.err;
    return run.out;
  }

  template <typename T>
  Json<T> OkJson(size_t node, std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    return Json<T>(Ok(node, args));
  }

  // A command's consistency token (the position it produced).
  uint64_t Command(size_t node, const std::vector<std::string>& args) {
    auto result = OkJson<CommandResult>(node, args);
    EXPECT_TRUE(result->getAccepted());
    return result->getPosition();
  }

  void CreateOrg(size_t node, const std::string& org, const std::string& owner) {
    Command(node, {"org", "create", org, "--name", org + " Inc", "--preset", "commerce", "--email",
                   owner + "@example.test", "--actor", owner});
  }

  // `user` joins `org` with `role` through an invitation sent on `inviting_node` and accepted on
  // `accepting_node`; the acceptance's token.
  uint64_t Join(size_t inviting_node, size_t accepting_node, const std::string& org,
                const std::string& inviter, const std::string& user, const std::string& role) {
    auto sent = OkJson<CommandResult>(
        inviting_node, {"invite", org, user + "@example.test", "--role", role, "--actor", inviter});
    EXPECT_TRUE(sent->getAccepted());
    return Command(accepting_node, {"accept", org, sent->getInvitationId().cStr(), "--token",
                                    sent->getInvitationToken().cStr(), "--email",
                                    user + "@example.test", "--actor", user});
  }

  // user id -> role of the organization's members, as `node` answers once it has read `token`.
  std::map<std::string, std::string> Members(size_t node, const std::string& org, uint64_t token) {
    auto page =
        OkJson<MemberPage>(node, {"members", org, "--consistency-token", std::to_string(token)});
    std::map<std::string, std::string> roles;
    for (auto m : page->getMembers()) roles[m.getUserId().cStr()] = m.getRole().cStr();
    return roles;
  }

  uint64_t LastPosition(size_t node) { return OkJson<Status>(node, {"status"})->getLastPosition(); }

  eventstore::testing::TempDir dir_{"roster-pg-nodes"};
  std::unique_ptr<PgTestServer> pg_;
  std::vector<Node> nodes_;
  int runs_ = 0;
};

TEST_F(PgNodesTest, ANodeOnPostgresKeepsItsStateAcrossRestarts) {
  StartNode(0);
  CreateOrg(0, "acme", "olga");
  const uint64_t joined = Join(0, 0, "acme", "olga", "bob", "Editor");
  EXPECT_EQ(Members(0, "acme", joined),
            (std::map<std::string, std::string>{{"olga", "Owner"}, {"bob", "Editor"}}));
  // The log is on PostgreSQL: nothing of it in the data directory, and status says where.
  EXPECT_FALSE(std::filesystem::exists(nodes_[0].data / "log"));
  auto status = OkJson<Status>(0, {"status"});
  EXPECT_EQ(std::string(status->getLogBackend().cStr()), "postgresql");
  EXPECT_EQ(status->getMemory().getLogMemtableBytes(), 0u);
  EXPECT_NE(Ok(0, {"status"}).find("on PostgreSQL"), std::string::npos);

  StopNode(0);
  StartNode(0);
  EXPECT_EQ(LastPosition(0), joined);
  EXPECT_EQ(Members(0, "acme", joined),
            (std::map<std::string, std::string>{{"olga", "Owner"}, {"bob", "Editor"}}));
  // The aggregate is loaded from the shared log: the last owner is still protected.
  CliRun leave = Roster(0, {"leave", "acme", "--actor", "olga"});
  EXPECT_EQ(leave.exit_code, 1);
  EXPECT_NE(leave.err.find("LAST_OWNER"), std::string::npos) << leave.err;
  const uint64_t changed =
      Command(0, {"role", "change", "acme", "bob", "Manager", "--actor", "olga"});
  EXPECT_GT(changed, joined);
  EXPECT_EQ(Members(0, "acme", changed).at("bob"), "Manager");
  auto verify = OkJson<api::wire::VerifyResult>(0, {"admin", "verify"});
  EXPECT_TRUE(verify->getOk());
  EXPECT_EQ(verify->getChecked(), changed);
}

TEST_F(PgNodesTest, RosterdRefusesALogThatIsNotAPostgresUri) {
  RosterdOptions options;
  options.data_dir = dir_.path() / "bad";
  options.extra_args = {"--log", "/var/lib/roster/log"};
  options.drop_env_prefixes = kDeveloperSettings;
  Rosterd bad(options);
  EXPECT_EQ(bad.port(), 0);
  EXPECT_EQ(bad.Wait(std::chrono::seconds(30)), 2);
  EXPECT_NE(bad.StderrTail().find("not a PostgreSQL URI"), std::string::npos) << bad.StderrTail();
}

TEST_F(PgNodesTest, ATokenFromNodeAMakesAQueryOnNodeBSeeTheCommand) {
  StartNode(0);
  StartNode(1);
  CreateOrg(0, "acme", "olga");
  // Node B has not seen acme yet: its aggregate comes from the shared log.
  const uint64_t joined = Join(1, 1, "acme", "olga", "bob", "Editor");
  for (int i = 0; i < 5; ++i) {
    // A command on A, a query on B with A's token: B waits until its read models have it.
    const uint64_t token = Command(
        0, {"role", "change", "acme", "bob", i % 2 == 0 ? "Manager" : "Editor", "--actor", "olga"});
    EXPECT_GT(token, joined);
    EXPECT_EQ(Members(1, "acme", token).at("bob"), i % 2 == 0 ? "Manager" : "Editor") << i;
    // And the other way round.
    const uint64_t back = Join(1, 1, "acme", "olga", "u" + std::to_string(i), "Billing");
    EXPECT_EQ(Members(0, "acme", back).count("u" + std::to_string(i)), 1u) << i;
  }
  EXPECT_EQ(LastPosition(0), LastPosition(1));
}

// Node B's cached aggregate is behind: a command it would reject on what it knows (bob is not a
// member there yet) is decided again on what node A wrote, and accepted.
TEST_F(PgNodesTest, ARejectionIsDecidedAgainOnWhatTheOtherNodeWrote) {
  StartNode(0);
  StartNode(1);
  CreateOrg(0, "acme", "olga");
  Command(1, {"org", "rename", "acme", "Acme Two", "--actor", "olga"});  // B caches acme
  Join(0, 0, "acme", "olga", "bob", "Editor");                           // B's copy is stale
  const uint64_t changed =
      Command(1, {"role", "change", "acme", "bob", "Manager", "--actor", "olga"});
  EXPECT_EQ(Members(0, "acme", changed).at("bob"), "Manager");
  // A login of the member B has not seen yet is recorded too.
  Join(0, 0, "acme", "olga", "carl", "Billing");
  Ok(1, {"login", "record", "acme", "--actor", "carl"});
}

// Two owners remove each other at once, through different nodes, many times over: the rules
// hold across nodes, so exactly one removal wins each time and every organization keeps an
// owner.
TEST_F(PgNodesTest, RacingLastOwnerRemovalsOnTwoNodesLeaveExactlyOneOwner) {
  StartNode(0);
  StartNode(1);
  constexpr int kOrgs = 8;
  uint64_t last = 0;
  for (int i = 0; i < kOrgs; ++i) {
    const std::string org = "race" + std::to_string(i);
    CreateOrg(0, org, "olga");
    last = Join(0, 1, org, "olga", "paul", "Owner");
    // Both nodes have the organization's aggregate cached, both at the same version.
    Command(1, {"org", "rename", org, "Race " + std::to_string(i), "--actor", "paul"});
    last = Command(0, {"org", "rename", org, "Race! " + std::to_string(i), "--actor", "olga"});
  }
  int both_won = 0;
  for (int i = 0; i < kOrgs; ++i) {
    const std::string org = "race" + std::to_string(i);
    CliRun a, b;
    std::thread on_a([&] { a = Roster(0, {"member", "remove", org, "paul", "--actor", "olga"}); });
    std::thread on_b([&] { b = Roster(1, {"member", "remove", org, "olga", "--actor", "paul"}); });
    on_a.join();
    on_b.join();
    EXPECT_TRUE((a.exit_code == 0) != (b.exit_code == 0))
        << org << ": A " << a.exit_code << " " << a.err << "; B " << b.exit_code << " " << b.err;
    both_won += a.exit_code == 0 && b.exit_code == 0;
    // The loser was told a rule said no (exit 1), never a storage failure.
    EXPECT_TRUE(a.exit_code == 1 || b.exit_code == 1) << a.err << b.err;
  }
  EXPECT_EQ(both_won, 0);
  last = std::max(LastPosition(0), LastPosition(1));
  for (int i = 0; i < kOrgs; ++i) {
    const std::string org = "race" + std::to_string(i);
    for (size_t node : {0, 1}) {
      const auto members = Members(node, org, last);
      EXPECT_EQ(members.size(), 1u) << org << " on node " << node;
      for (const auto& [user, role] : members) EXPECT_EQ(role, "Owner") << org;
    }
  }
}

// The log's server goes away: commands fail at once with UNAVAILABLE saying so, queries keep
// answering from the node's read models; once it is back, commands work again and the read
// models catch up, without restarting rosterd.
TEST_F(PgNodesTest, WhileTheLogIsDownCommandsFailFastAndQueriesAnswer) {
  StartNode(0);
  CreateOrg(0, "acme", "olga");
  const uint64_t joined = Join(0, 0, "acme", "olga", "bob", "Editor");
  ASSERT_EQ(Members(0, "acme", joined).size(), 2u);

  ASSERT_TRUE(pg_->Stop("fast").has_value());
  const auto start = std::chrono::steady_clock::now();
  CliRun command = Roster(0, {"role", "change", "acme", "bob", "Manager", "--actor", "olga"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_NE(command.exit_code, 0) << command.out << command.err;
  EXPECT_NE(command.err.find("UNAVAILABLE"), std::string::npos) << command.err;
  EXPECT_NE(command.err.find("event log cannot be reached"), std::string::npos) << command.err;
  EXPECT_LT(took, std::chrono::seconds(5));
  // An organization this node has never loaded cannot be decided either.
  CliRun create = Roster(0, {"org", "create", "other", "--name", "Other", "--preset", "commerce",
                             "--email", "o@example.test", "--actor", "o"});
  EXPECT_NE(create.err.find("UNAVAILABLE"), std::string::npos) << create.err;
  // Queries answer from the local read models.
  EXPECT_EQ(Members(0, "acme", joined),
            (std::map<std::string, std::string>{{"olga", "Owner"}, {"bob", "Editor"}}));
  Ok(0, {"check", "acme", "olga", "members.view"});
  // Status says since when the log is away, so that an operator knows the answers may be behind.
  ASSERT_TRUE(
      Eventually([&] { return OkJson<Status>(0, {"status"})->getLogUnreachableSinceUs() > 0; },
                 std::chrono::seconds(30)));
  EXPECT_NE(Ok(0, {"status"}).find("log unreachable since"), std::string::npos);

  ASSERT_TRUE(pg_->Restart().has_value());
  // The first command after the restart may still meet the old connection's end.
  uint64_t changed = 0;
  ASSERT_TRUE(Eventually(
      [&] {
        CliRun run = Roster(0, {"--json", "role", "change", "acme", "bob", "Manager", "--actor",
                                "olga", "--command-id", "promote-bob"});
        if (run.exit_code != 0) return false;
        changed = Json<CommandResult>(run.out)->getPosition();
        return true;
      },
      std::chrono::seconds(30)));
  EXPECT_GT(changed, joined);
  EXPECT_EQ(Members(0, "acme", changed).at("bob"), "Manager");
  Join(0, 0, "acme", "olga", "carl", "Billing");
  EXPECT_TRUE(
      Eventually([&] { return OkJson<Status>(0, {"status"})->getLogUnreachableSinceUs() == 0; },
                 std::chrono::seconds(30)));
}

}  // namespace
}  // namespace roster::tests::e2e
