// The audit views over the API from the command line: `roster export` writes the file
// `roster-admin export` writes, byte for byte, and verify-export accepts it; auditors may
// export and services may not; as-of and history print their streamed parts as one table or
// one JSON document.
#include <fstream>
#include <sstream>

#include "tests/e2e/e2e_fixture.h"

namespace roster::tests::e2e {
namespace {

using api::wire::IssuedToken;
using api::wire::OrganizationAsOf;
using api::wire::Request;

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class AuditE2eTest : public RosterdTest {
 protected:
  std::string IssueToken(const std::string& name, const std::string& scope) {
    auto issued = OkJson<IssuedToken>({"token", "issue", name, "--scope", scope});
    return issued->getToken().cStr();
  }
  CliRun As(const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", address(), "--token", token});
    return Roster(args, {}, false);
  }
};

TEST_F(AuditE2eTest, ExportWritesRosterAdminsFileAndVerifyExportAcceptsIt) {
  CreateOrg("acme", "platform", "olga");
  Join("acme", "olga", "bob", "Developer");
  Ok({"role", "change", "acme", "bob", "Admin", "--actor", "olga"});
  CreateOrg("beta", "commerce", "bea");
  const auto api_file = dir_.path() / "api.jsonl";
  const auto admin_file = dir_.path() / "admin.jsonl";
  CliRun api = Roster({"export", "--output", api_file.string()});
  ASSERT_EQ(api.exit_code, 0) << api.err;
  EXPECT_NE(api.err.find("export: "), std::string::npos) << api.err;
  CliRun admin = RosterAdmin({"export", "-o", admin_file.string()});
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  ASSERT_FALSE(Slurp(admin_file).empty());
  EXPECT_EQ(Slurp(api_file), Slurp(admin_file));
  CliRun verified = RosterAdmin({"verify-export", api_file.string()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("verify-export: ok"), std::string::npos) << verified.out;

  // One organization, a time range, CSV, to stdout.
  const std::vector<std::string> csv = {"export", "--format", "csv",       "--org",
                                        "acme",   "--from",   "2020-01-01"};
  CliRun api_csv = Roster(csv);
  ASSERT_EQ(api_csv.exit_code, 0) << api_csv.err;
  CliRun admin_csv = RosterAdmin(csv);
  ASSERT_EQ(admin_csv.exit_code, 0) << admin_csv.err;
  EXPECT_EQ(api_csv.out, admin_csv.out);
  EXPECT_NE(api_csv.out.find("acme"), std::string::npos);
  EXPECT_EQ(api_csv.out.find("org:beta"), std::string::npos) << "beta's records are filtered out";

  // An auditor may export; a service may not, and is left no file.
  CliRun auditor = As(IssueToken("audit", "auditor"), {"export"});
  EXPECT_EQ(auditor.exit_code, 0) << auditor.err;
  EXPECT_EQ(auditor.out, Slurp(admin_file));
  const auto refused_file = dir_.path() / "refused.jsonl";
  CliRun service = As(IssueToken("billing", "service"), {"export", "-o", refused_file.string()});
  EXPECT_EQ(service.exit_code, 3) << service.err;
  EXPECT_NE(service.err.find("FORBIDDEN"), std::string::npos) << service.err;
  EXPECT_FALSE(std::filesystem::exists(refused_file));
}

// Bad usage of roster-admin exits 2 with a message (docs/admin.md), as roster's does: a negative
// position or count is not read as 2^64 - 1, and an unknown projection is named, with the
// known ones, by roster-admin and by the server alike.
TEST_F(AuditE2eTest, BadUsageExitsTwoAndSaysWhy) {
  CreateOrg("acme", "commerce", "olga");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"as-of", "acme", "--position", "-1"},
                                             {"dump", "--from", "-1"},
                                             {"dump", "--count", "-3"},
                                             {"as-of"},
                                             {"no-such-command"}}) {
    CliRun run = RosterAdmin(args);
    EXPECT_EQ(run.exit_code, 2) << args[0] << ": " << run.err;
    EXPECT_FALSE(run.err.empty()) << args[0];
    EXPECT_TRUE(run.out.empty()) << args[0] << " printed: " << run.out;
  }
  CliRun rebuild = Roster({"admin", "rebuild", "members", "nosuch"});
  EXPECT_NE(rebuild.exit_code, 0);
  EXPECT_NE(rebuild.err.find("'nosuch'"), std::string::npos) << rebuild.err;
  EXPECT_NE(rebuild.err.find("known: members"), std::string::npos) << rebuild.err;
}

TEST_F(AuditE2eTest, AsOfAndHistoryPrintEveryPart) {
  Ok({"org", "create", "big", "--name", "Big", "--preset", "workspace", "--email",
      "olga@example.test", "--actor", "olga", "--max-pending", "1000"});
  // 1100 members through the client library, pipelined: the as-of answer needs several parts.
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  constexpr int kMembers = 1100, kBatch = 100;
  for (int first = 0; first < kMembers; first += kBatch) {
    std::vector<uint64_t> invites;
    for (int i = first; i < first + kBatch; ++i) {
      auto id = c->Send([&](Request::Builder r) {
        auto cmd = r.initCommand();
        cmd.setOrg("big");
        cmd.setActor("olga");
        cmd.setCommandId("invite-u" + std::to_string(i));
        auto invite = cmd.initInviteMember();
        invite.setEmail("u" + std::to_string(i) + "@example.test");
        invite.setRole("Member");
      });
      ASSERT_TRUE(id.has_value());
      invites.push_back(*id);
    }
    std::vector<uint64_t> accepts;
    for (int i = first; i < first + kBatch; ++i) {
      auto sent = c->Wait(invites[i - first]);
      ASSERT_TRUE(sent.has_value());
      auto result = sent->get().getCommand();
      ASSERT_TRUE(result.getAccepted()) << result.getRejection().getMessage().cStr();
      const std::string invitation = result.getInvitationId().cStr();
      const std::string token = result.getInvitationToken().cStr();
      auto id = c->Send([&](Request::Builder r) {
        auto cmd = r.initCommand();
        cmd.setOrg("big");
        cmd.setActor("u" + std::to_string(i));
        cmd.setCommandId("accept-u" + std::to_string(i));
        auto accept = cmd.initAcceptInvitation();
        accept.setInvitationId(invitation);
        accept.setToken(token);
        accept.setVerifiedEmail("u" + std::to_string(i) + "@example.test");
      });
      ASSERT_TRUE(id.has_value());
      accepts.push_back(*id);
    }
    for (uint64_t id : accepts) {
      auto joined = c->Wait(id);
      ASSERT_TRUE(joined.has_value());
      ASSERT_TRUE(joined->get().getCommand().getAccepted());
    }
  }
  Ok({"role", "change", "big", "u7", "Owner", "--actor", "olga"});

  auto json = OkJson<OrganizationAsOf>({"as-of", "org", "big"});
  EXPECT_EQ(json->getMembers().size(), kMembers + 1u);
  EXPECT_EQ(std::string(json->getOrg().cStr()), "big");
  const std::string table = Ok({"as-of", "org", "big"});
  EXPECT_EQ(Count(table, "@example.test"), kMembers + 1u);  // every member, one row each
  EXPECT_EQ(Count(table, "USER  "), 1u);                    // under one header
  EXPECT_NE(table.find("deleted:"), std::string::npos);

  const std::string history = Ok({"history", "u7"});
  EXPECT_NE(history.find("member.role_changed"), std::string::npos) << history;
  const std::string history_json = Ok({"--json", "history", "u7"});
  EXPECT_TRUE(history_json.starts_with("[{") && history_json.ends_with("}]\n")) << history_json;
  EXPECT_EQ(Count(history_json, "\"position\""), 2u) << history_json;  // joined, then promoted
  const std::string access = Ok({"as-of", "user", "u7"});
  EXPECT_NE(access.find("Owner"), std::string::npos) << access;
  EXPECT_EQ(Ok({"--json", "as-of", "user", "nobody"}), "[]\n");

  // roster-admin reads the same data directory offline and prints the same JSON documents.
  const CliRun admin_as_of = RosterAdmin({"as-of", "big", "--json"});
  ASSERT_EQ(admin_as_of.exit_code, 0) << admin_as_of.err;
  EXPECT_EQ(admin_as_of.out, Ok({"--json", "as-of", "org", "big"}));
  const CliRun admin_history = RosterAdmin({"history", "u7", "--json"});
  ASSERT_EQ(admin_history.exit_code, 0) << admin_history.err;
  EXPECT_EQ(admin_history.out, history_json);
}

// The members of an organization as of a point show the last login and activity they had by
// then, as the live members view does.
TEST_F(AuditE2eTest, AsOfMembersShowTheirLastLoginAndActivityThen) {
  CreateOrg("acme", "commerce", "olga");
  Join("acme", "olga", "ann", "Editor");
  const uint64_t before_login = LastPosition();
  auto login = OkJson<api::wire::CommandResult>({"login", "record", "acme", "--actor", "ann"});
  const std::string token = std::to_string(login->getPosition());
  auto live = OkJson<api::wire::MemberPage>({"members", "acme", "--consistency-token", token});
  auto now = OkJson<OrganizationAsOf>({"as-of", "org", "acme"});
  auto then = OkJson<OrganizationAsOf>(
      {"as-of", "org", "acme", "--position", std::to_string(before_login)});
  auto find = [](auto members, const std::string& user) {
    for (auto m : members) {
      if (std::string(m.getUserId().cStr()) == user) return m;
    }
    ADD_FAILURE() << user << " is not listed";
    return *members.begin();
  };
  const auto live_ann = find(live->getMembers(), "ann");
  ASSERT_GT(live_ann.getLastLoginUs(), 0);
  EXPECT_EQ(find(now->getMembers(), "ann").getLastLoginUs(), live_ann.getLastLoginUs());
  EXPECT_EQ(find(now->getMembers(), "ann").getLastActiveUs(), live_ann.getLastActiveUs());
  EXPECT_EQ(find(then->getMembers(), "ann").getLastLoginUs(), 0);
}

// History rows are per command: a removal that also ends a project grant is one row, never the
// state between its two events ("not a member; web=Editor (direct)").
TEST_F(AuditE2eTest, HistoryHasOneRowPerCommand) {
  CreateOrg("ws", "workspace", "olga");
  Ok({"project", "create", "ws", "web", "--actor", "olga"});
  Join("ws", "olga", "ann", "Member");
  Ok({"project", "add", "ws", "web", "ann", "Editor", "--actor", "olga"});
  auto removed =
      OkJson<api::wire::CommandResult>({"member", "remove", "ws", "ann", "--actor", "olga"});
  ASSERT_GE(removed->getEvents().size(), 2u) << "the removal should also end the project grant";
  const std::string json = Ok({"--json", "history", "ann"});
  EXPECT_EQ(json.find("not a member; web"), std::string::npos) << json;
  const std::string table = Ok({"history", "ann"});
  EXPECT_EQ(Count(table, "not a member"), 2u) << table;  // before joining, and after the removal
  EXPECT_NE(table.find("member.removed"), std::string::npos) << table;
  EXPECT_EQ(Count(json, "\"position\""), 3u) << json;  // joined, project grant, removal
}

// One definition: the activity log is membership actions. Logins are asked of `logins`; asking
// the activity log for them says so instead of answering an empty page. The export carries the
// login records too (its chain must be whole), marked by their action.
TEST_F(AuditE2eTest, LoginsAreNotInTheActivityLogButAreInTheExport) {
  CreateOrg("acme", "commerce", "olga");
  Ok({"login", "record", "acme", "--actor", "olga"});
  CliRun asked = Roster({"activity", "--org", "acme", "--action", "member.logged_in"});
  EXPECT_EQ(asked.exit_code, 1) << asked.err;
  EXPECT_NE(asked.err.find("INVALID_ARGUMENT"), std::string::npos) << asked.err;
  EXPECT_NE(asked.err.find("logins"), std::string::npos) << asked.err;
  EXPECT_EQ(Ok({"activity", "--org", "acme"}).find("member.logged_in"), std::string::npos);
  EXPECT_NE(Ok({"logins", "acme"}).find("olga"), std::string::npos);
}

}  // namespace
}  // namespace roster::tests::e2e
