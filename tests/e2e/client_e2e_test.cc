// The CLI's contract with scripts (exit codes, credentials from flags or the environment,
// idempotent retries, tail, tokens, verify) and the client library against a real rosterd
// (pipelining, subscriptions).
#include <chrono>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_fixture.h"

namespace roster::tests::e2e {
namespace {

using api::wire::CommandResult;
using api::wire::IssuedToken;
using api::wire::Record;
using api::wire::Request;
using api::wire::VerifyResult;

class ClientE2eTest : public RosterdTest {};

TEST_F(ClientE2eTest, ExitCodesSayWhatWentWrong) {
  // 2: usage.
  EXPECT_EQ(Roster({"members"}).exit_code, 2);
  EXPECT_EQ(Roster({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(Roster({"org", "create", "x", "--name", "X", "--preset", "nope", "--email", "a@b.c",
                    "--actor", "a"})
                .exit_code,
            2);
  // Numbers that are negative where a position is meant, or too large to be a time: usage too,
  // never a crash (a 20-digit --time used to abort the CLI) or a silent wrap-around.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"as-of", "org", "acme", "--time", "99999999999999999999"},
           {"activity", "--from", "99999999999999999999"},
           {"as-of", "org", "acme", "--position", "-1"},
           {"members", "acme", "--cursor", "-5"},
           {"tail", "--after", "-1", "--count", "1"},
           {"members", "acme", "--consistency-token", "-1"},
           {"members", "acme", "--limit", " -4294967295"},
           {"tail", "--window", "-2", "--count", "1"}}) {
    CliRun run = Roster(args);
    EXPECT_EQ(run.exit_code, 2) << args[0] << " " << args[1] << ": " << run.err;
    EXPECT_FALSE(run.err.empty()) << args[0];
  }
  // 3: a refused token, and no server at all.
  CliRun bad_token = Roster({"--server", address(), "--token", "wrong", "status"}, {}, false);
  EXPECT_EQ(bad_token.exit_code, 3) << bad_token.err;
  EXPECT_NE(bad_token.err.find("UNAUTHENTICATED"), std::string::npos) << bad_token.err;
  CliRun no_server = Roster({"--server", "127.0.0.1:1", "--token", "x", "status"}, {}, false);
  EXPECT_EQ(no_server.exit_code, 3) << no_server.err;
  // 1: the domain said no; 0: it said yes.
  CreateOrg("acme", "commerce", "olga");
  CliRun last_owner = Roster({"leave", "acme", "--actor", "olga"});
  EXPECT_EQ(last_owner.exit_code, 1);
  EXPECT_NE(last_owner.err.find("LAST_OWNER"), std::string::npos) << last_owner.err;
  // 1 too for a query that finds nothing to answer about.
  EXPECT_EQ(Roster({"check", "nowhere", "olga", "members.view"}).exit_code, 1);
}

TEST_F(ClientE2eTest, CredentialsFromTheEnvironment) {
  CliRun by_env =
      Roster({"status"}, {"ROSTER_SERVER=" + address(), "ROSTER_TOKEN=" + admin_token()}, false);
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
  EXPECT_NE(by_env.out.find("log position"), std::string::npos) << by_env.out;
  CliRun by_file = Roster(
      {"status"}, {"ROSTER_SERVER=" + address(), "ROSTER_TOKEN_FILE=" + token_file()}, false);
  EXPECT_EQ(by_file.exit_code, 0) << by_file.err;
  CliRun none = Roster({"--server", address(), "status"}, {}, false);
  EXPECT_EQ(none.exit_code, 2) << none.err;
}

TEST_F(ClientE2eTest, ARetryWithTheSameCommandIdReturnsTheFirstOutcome) {
  CreateOrg("acme", "commerce", "olga");
  const std::vector<std::string> invite = {"invite", "acme",         "bob@example.test",
                                           "--role", "Editor",       "--actor",
                                           "olga",   "--command-id", "invite-bob-1"};
  auto first = OkJson<CommandResult>(invite);
  auto retry = OkJson<CommandResult>(invite);
  EXPECT_FALSE(first->getDuplicate());
  EXPECT_TRUE(retry->getDuplicate());
  EXPECT_EQ(first->getPosition(), retry->getPosition());
  EXPECT_EQ(LastPosition(), first->getPosition());  // nothing appended by the retry

  // The same id for another command (the TCP API, through the same dispatcher as HTTP): a
  // CONFLICT rejection, not the first outcome, and nothing appended.
  CliRun other = Roster({"invite", "acme", "eve@example.test", "--role", "Owner", "--actor", "olga",
                         "--command-id", "invite-bob-1"});
  EXPECT_EQ(other.exit_code, 1) << other.err;
  EXPECT_NE(other.err.find("CONFLICT"), std::string::npos) << other.err;
  EXPECT_EQ(LastPosition(), first->getPosition());
}

TEST_F(ClientE2eTest, TokensScopesAndVerify) {
  auto issued = OkJson<IssuedToken>({"token", "issue", "audit", "--scope", "auditor"});
  const std::string auditor = issued->getToken().cStr();
  ASSERT_FALSE(auditor.empty());
  EXPECT_NE(Ok({"token", "list"}).find("auditor"), std::string::npos);
  // An auditor reads but may not command: an authorization failure, exit 3.
  CliRun command =
      Roster({"--server", address(), "--token", auditor, "org", "create", "x", "--name", "X",
              "--preset", "api", "--email", "a@example.test", "--actor", "a"},
             {}, false);
  EXPECT_EQ(command.exit_code, 3) << command.err;
  EXPECT_NE(command.err.find("FORBIDDEN"), std::string::npos) << command.err;
  EXPECT_EQ(Roster({"--server", address(), "--token", auditor, "status"}, {}, false).exit_code, 0);
  Ok({"token", "revoke", "audit"});
  EXPECT_EQ(Roster({"--server", address(), "--token", auditor, "status"}, {}, false).exit_code, 3);

  CreateOrg("acme", "commerce", "olga");
  auto verify = OkJson<VerifyResult>({"admin", "verify"});
  EXPECT_TRUE(verify->getOk());
  EXPECT_EQ(verify->getChecked(), LastPosition());
}

// An operator telling memory that fills toward a bound from a leak needs rosterd's parts.
TEST_F(ClientE2eTest, StatusSaysWhereTheMemoryGoes) {
  CreateOrg("acme", "commerce", "olga");
  auto status = OkJson<api::wire::Status>({"status"});
  auto memory = status->getMemory();
  EXPECT_GT(memory.getRssBytes(), uint64_t{1} << 20);
  // The organization's events and rows were just written: both databases hold write buffers.
  EXPECT_GT(memory.getLogMemtableBytes(), 0u);
  EXPECT_GT(memory.getViewsMemtableBytes(), 0u);
  EXPECT_LT(memory.getLogMemtableBytes() + memory.getViewsMemtableBytes(), memory.getRssBytes());
  const std::string text = Ok({"status"});
  EXPECT_NE(text.find("MiB resident"), std::string::npos) << text;
  EXPECT_NE(text.find("views storage:"), std::string::npos) << text;
}

// docs/cli.md: every query takes --consistency-token, status included; with it, every read
// model it lists has reached the command's position.
TEST_F(ClientE2eTest, StatusWaitsForAConsistencyToken) {
  CreateOrg("acme", "commerce", "olga");
  auto sent = OkJson<api::wire::CommandResult>(
      {"invite", "acme", "ann@example.test", "--role", "Editor", "--actor", "olga"});
  const std::string token = std::to_string(sent->getPosition());
  auto status = OkJson<api::wire::Status>({"status", "--consistency-token", token});
  ASSERT_GT(status->getProjections().size(), 0u);
  for (auto p : status->getProjections()) {
    EXPECT_GE(p.getPosition(), sent->getPosition()) << p.getName().cStr();
  }
}

// The wire's 0 means "unchanged" for both settings, so the CLI refuses a 0 rather than send a
// request that silently changes nothing, and the server refuses a change of nothing.
TEST_F(ClientE2eTest, OrgSettingsRefusesAChangeOfNothing) {
  CreateOrg("acme", "commerce", "olga");
  CliRun zero =
      Roster({"org", "settings", "acme", "--invitation-ttl-days", "0", "--actor", "olga"});
  EXPECT_EQ(zero.exit_code, 2) << zero.err;
  CliRun nothing = Roster({"org", "settings", "acme", "--actor", "olga"});
  EXPECT_EQ(nothing.exit_code, 1) << nothing.err;
  EXPECT_NE(nothing.err.find("INVALID_ARGUMENT"), std::string::npos) << nothing.err;
  Ok({"org", "settings", "acme", "--invitation-ttl-days", "3", "--actor", "olga"});
}

// The JSON had when a former membership ended; the table now shows it too.
TEST_F(ClientE2eTest, FormerMembersShowWhenTheyEnded) {
  CreateOrg("acme", "commerce", "olga");
  Join("acme", "olga", "ann", "Editor");
  Ok({"member", "remove", "acme", "ann", "--actor", "olga"});
  const std::string current = Ok({"members", "acme"});
  EXPECT_EQ(current.find("ENDED"), std::string::npos) << current;
  const std::string former = Ok({"members", "acme", "--former"});
  ASSERT_NE(former.find("ENDED"), std::string::npos) << former;
  std::string row = former.substr(former.find("\nann") + 1);
  row = row.substr(0, row.find('\n'));
  row.erase(row.find_last_not_of(' ') + 1);
  EXPECT_NE(row.find("removed"), std::string::npos) << former;
  EXPECT_TRUE(row.ends_with("Z")) << "the last column, ENDED, is a time: " << row;
}

// The listings a Members page needs, from the CLI: the role dropdown for an acting member, the
// settings just changed, the API key whose creator left flagged for rotation.
TEST_F(ClientE2eTest, ListingsShowRolesSettingsAndKeysToRotate) {
  CreateOrg("acme", "commerce", "olga");
  Join("acme", "olga", "max", "Manager");
  const std::string roles = Ok({"roles", "acme", "--viewer", "max"});
  // The words of the table row that starts with `first`.
  auto row_of = [](const std::string& table, const std::string& first) {
    std::string row = table.substr(table.find("\n" + first + " ") + 1);
    std::istringstream words(row.substr(0, row.find('\n')));
    return std::vector<std::string>(std::istream_iterator<std::string>(words), {});
  };
  // ROLE, OWNER, GRANTABLE: a Manager may grant Editor, not Owner.
  EXPECT_EQ(row_of(roles, "Editor")[2], "yes") << roles;
  EXPECT_EQ(row_of(roles, "Owner")[1], "yes") << roles;
  EXPECT_EQ(row_of(roles, "Owner")[2], "no") << roles;
  Ok({"org", "settings", "acme", "--invitation-ttl-days", "3", "--actor", "olga"});
  EXPECT_NE(Ok({"settings", "acme"}).find("3"), std::string::npos);
  const std::string json = Ok({"--json", "settings", "acme"});
  EXPECT_NE(json.find("\"invitationTtlDays\":3"), std::string::npos) << json;

  Ok({"apikey", "create", "acme", "ci", "--actor", "max"});
  Ok({"member", "remove", "acme", "max", "--actor", "olga"});
  const std::string keys = Ok({"apikeys", "acme"});
  EXPECT_EQ(row_of(keys, "ci").back(), "recommended") << keys;
  CliRun stranger = Roster({"apikeys", "acme", "--viewer", "nobody"});
  EXPECT_EQ(stranger.exit_code, 1) << stranger.err;
  EXPECT_NE(stranger.err.find("PERMISSION_DENIED"), std::string::npos) << stranger.err;
}

// Without --test-clock the server's time cannot be moved (issue 21's test clock).
TEST_F(ClientE2eTest, TheClockCannotBeMovedWithoutTheTestClockFlag) {
  auto client = Connect();
  ASSERT_TRUE(client);
  auto reply =
      client->Call([](Request::Builder r) { r.initAdmin().initAdvanceClock().setSeconds(3600); });
  ASSERT_TRUE(reply.has_value());
  ASSERT_TRUE(reply->get().isError());
  EXPECT_EQ(std::string(reply->get().getError().getCode().cStr()), "FAILED_PRECONDITION");
}

// `roster clock` without --test-clock: advance is refused with the server's reason, show says
// the clock is off, and a duration that is not one is a usage error before any request.
TEST_F(ClientE2eTest, TheClockCommandSaysTheServerRunsOnTheSystemClock) {
  CliRun refused = Roster({"clock", "advance", "8d"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("FAILED_PRECONDITION"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--test-clock"), std::string::npos) << refused.err;
  const std::string shown = Ok({"clock"});
  EXPECT_NE(shown.find("off"), std::string::npos) << shown;
  EXPECT_NE(Ok({"clock", "show"}).find("0s (0 s ahead"), std::string::npos);
  for (const std::string& bad : {"0", "0d", "5x", "d", "-3", "1h30", "99999999999"}) {
    CliRun run = Roster({"clock", "advance", bad});
    EXPECT_EQ(run.exit_code, 2) << bad << ": " << run.out << run.err;
    EXPECT_NE(run.err.find(bad), std::string::npos) << bad << ": " << run.err;
  }
}

// rosterd --test-clock: an admin moves the server's time forward, and an invitation expires
// without waiting 7 days: accepting it is refused as expired, and the sweep (woken by the
// move) records the expiry, which the listing shows. The clock never moves back.
class TestClockE2eTest : public RosterdTest {
 protected:
  std::vector<std::string> ExtraArgs() const override { return {"--test-clock"}; }
};

TEST_F(TestClockE2eTest, AnInvitationExpiresWhenTheClockMovesPastItsLifetime) {
  CreateOrg("acme", "commerce", "olga");
  auto sent = OkJson<CommandResult>(
      {"invite", "acme", "carl@example.test", "--role", "Editor", "--actor", "olga"});
  ASSERT_TRUE(sent->getAccepted());
  const std::string invitation = sent->getInvitationId().cStr();
  const std::string token = sent->getInvitationToken().cStr();

  auto client = Connect();
  ASSERT_TRUE(client);
  auto advance = [&](uint32_t seconds) {
    return client->Call(
        [&](Request::Builder r) { r.initAdmin().initAdvanceClock().setSeconds(seconds); });
  };
  auto zero = advance(0);
  ASSERT_TRUE(zero.has_value());
  ASSERT_TRUE(zero->get().isError());
  EXPECT_EQ(std::string(zero->get().getError().getCode().cStr()), "INVALID_ARGUMENT");
  auto moved = advance(8 * 24 * 3600);
  ASSERT_TRUE(moved.has_value());
  ASSERT_TRUE(moved->get().isClock()) << moved->get().which();
  EXPECT_EQ(moved->get().getClock().getOffsetUs(), int64_t{8} * 24 * 3600 * 1'000'000);

  CliRun late = Roster({"accept", "acme", invitation, "--token", token, "--email",
                        "carl@example.test", "--actor", "carl"});
  EXPECT_EQ(late.exit_code, 1) << late.out << late.err;
  EXPECT_NE(late.err.find("INVITATION_EXPIRED"), std::string::npos) << late.err;
  // The sweep runs when the clock moves: the expiry is recorded without waiting for its turn.
  std::string expired;
  for (int i = 0; i < 100; ++i) {
    expired = Ok({"invitations", "acme", "--status", "expired"});
    if (expired.find("carl@example.test") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(expired.find("carl@example.test"), std::string::npos) << expired;
}

// The time of the log's last record (tail --json).
int64_t LastRecordTimeUs(const std::string& tail_json) {
  std::istringstream lines(tail_json);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (!line.empty()) last = line;
  }
  if (last.empty()) return 0;
  return Json<Record>(last)->getTimeUs();
}

int64_t SystemNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The offset is kept in the data directory: after a kill -9 and a restart with --test-clock
// the server's time is still ahead by all the moves so far, so an event recorded after the
// restart is not older than one recorded before it.
TEST_F(TestClockE2eTest, TheOffsetSurvivesAKillAndEventTimesDoNotGoBack) {
  constexpr int64_t kHour = int64_t{3600} * 1'000'000;
  CreateOrg("acme", "commerce", "olga");
  auto moved = OkJson<api::wire::ClockInfo>({"clock", "advance", "8d"});
  EXPECT_EQ(moved->getOffsetUs(), 8 * 24 * kHour);
  EXPECT_GE(moved->getNowUs(), SystemNowUs() + 8 * 24 * kHour - kHour);
  const std::string text = Ok({"clock", "advance", "36h"});
  EXPECT_NE(text.find("9d12h (820800 s ahead"), std::string::npos) << text;
  Ok({"project", "create", "acme", "before", "--actor", "olga"});
  const int64_t before =
      LastRecordTimeUs(Ok({"--json", "tail", "--count", std::to_string(LastPosition())}));
  ASSERT_GE(before, SystemNowUs() + 9 * 24 * kHour);

  ASSERT_EQ(KillAndRestart({"--test-clock"}), "");
  auto status = OkJson<api::wire::Status>({"status"});
  EXPECT_TRUE(status->getTestClock());
  EXPECT_EQ(status->getTestClockOffsetUs(), 228 * kHour);
  const std::string shown = Ok({"clock", "show"});
  EXPECT_NE(shown.find("on"), std::string::npos) << shown;
  EXPECT_NE(shown.find("9d12h (820800 s ahead"), std::string::npos) << shown;
  Ok({"project", "create", "acme", "after", "--actor", "olga"});
  const int64_t after =
      LastRecordTimeUs(Ok({"--json", "tail", "--count", std::to_string(LastPosition())}));
  EXPECT_GE(after, before);
  // The restarted server moves on from the kept offset, and keeps the new one too.
  EXPECT_EQ(OkJson<api::wire::ClockInfo>({"clock", "advance", "90m"})->getOffsetUs(),
            228 * kHour + 90 * 60 * int64_t{1'000'000});
  ASSERT_EQ(KillAndRestart({"--test-clock"}), "");
  EXPECT_EQ(OkJson<api::wire::Status>({"status"})->getTestClockOffsetUs(),
            228 * kHour + 90 * 60 * int64_t{1'000'000});
}

// A data directory whose clock was moved is not opened on the system clock, where new events
// would be older than the ones it holds: rosterd exits with a message that says why and what
// to do.
TEST_F(TestClockE2eTest, AStartWithoutTheFlagIsRefusedOnceTheClockMoved) {
  CreateOrg("acme", "commerce", "olga");
  Ok({"clock", "advance", "45s"});
  const std::string refused = KillAndRestart({});
  ASSERT_NE(refused, "");
  EXPECT_NE(refused.find("exited"), std::string::npos) << refused;
  EXPECT_NE(refused.find("ran with --test-clock, 45 s ahead of the system clock"),
            std::string::npos)
      << refused;
  // With the flag it opens, as far ahead as before.
  ASSERT_EQ(KillAndRestart({"--test-clock"}), "");
  EXPECT_EQ(OkJson<api::wire::Status>({"status"})->getTestClockOffsetUs(), int64_t{45'000'000});
}

TEST_F(ClientE2eTest, TailPrintsEveryRecordInOrder) {
  CreateOrg("acme", "commerce", "olga");
  Join("acme", "olga", "bob", "Editor");
  const uint64_t last = LastPosition();
  ASSERT_GE(last, 3u);
  const std::string out = Ok({"--json", "tail", "--count", std::to_string(last)});
  std::istringstream lines(out);
  std::string line;
  uint64_t expected = 1;
  while (std::getline(lines, line)) {
    Json<Record> record(line);
    EXPECT_EQ(record->getPosition(), expected++);
  }
  EXPECT_EQ(expected, last + 1);
}

TEST_F(ClientE2eTest, ClientPipelinesAndSubscribes) {
  CreateOrg("acme", "commerce", "olga");
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->scope(), "admin");
  // Three requests in flight, answers collected in reverse order. The organization was created
  // by another connection: the checks wait for the access model to reach it.
  const uint64_t created = LastPosition();
  std::vector<uint64_t> ids;
  for (const char* permission : {"members.view", "org.delete", "no.such.permission"}) {
    auto id = client->Send([&](Request::Builder r) {
      auto query = r.initQuery();
      query.setConsistencyToken(created);
      auto c = query.initCheck();
      c.setOrg("acme");
      c.setUser("olga");
      c.setPermission(permission);
    });
    ASSERT_TRUE(id.has_value());
    ids.push_back(*id);
  }
  auto unknown = client->Wait(ids[2]);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_TRUE(unknown->get().isError() || !unknown->get().getCheck().getAllowed());
  for (int i : {1, 0}) {
    auto reply = client->Wait(ids[i]);
    ASSERT_TRUE(reply.has_value());
    ASSERT_TRUE(reply->get().isCheck()) << i;
    EXPECT_TRUE(reply->get().getCheck().getAllowed()) << i;  // olga is the Owner
  }

  // A subscription sees the records already there, then a live one.
  const uint64_t before = LastPosition();
  std::vector<uint64_t> positions;
  bool commanded = false;
  auto followed = client->Subscribe(0, 2, [&](Record::Reader record) {
    positions.push_back(record.getPosition());
    if (record.getPosition() == before && !commanded) {
      commanded = true;
      Ok({"org", "rename", "acme", "Acme Two", "--actor", "olga"});  // another connection
    }
    return record.getPosition() < before + 1;
  });
  ASSERT_TRUE(followed.has_value()) << followed.error().code << ": " << followed.error().message;
  ASSERT_EQ(positions.size(), before + 1);
  for (size_t i = 0; i < positions.size(); ++i) EXPECT_EQ(positions[i], i + 1);
  // The connection is still usable after unsubscribing.
  auto status = client->Call([](Request::Builder r) { r.initQuery().setStatus(); });
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->get().getStatus().getLastPosition(), before + 1);
}

}  // namespace
}  // namespace roster::tests::e2e
