// One scenario per seed page (../shared/seeds), driven through the roster CLI against a real
// rosterd, the way an operator or a script would: exit codes, error codes on stderr, tables on
// stdout and --json decoded into the protocol structs. The domain-level versions of the same
// scenarios are tests/domain/seed_scenarios_test.cc.
#include "tests/e2e/e2e_fixture.h"

namespace roster::tests::e2e {
namespace {

using api::wire::CheckResult;
using api::wire::CommandResult;
using api::wire::InvitationPage;
using api::wire::MemberPage;
using api::wire::UserAccess;

bool HasEvent(CommandResult::Reader result, const std::string& type) {
  for (auto e : result.getEvents()) {
    if (type == e.getType().cStr()) return true;
  }
  return false;
}

class SeedsE2eTest : public RosterdTest {};

// Seed 000 (commerce): a Manager invites and changes roles but cannot delete the org or make
// an Owner; the last Owner cannot be removed, demoted or leave.
TEST_F(SeedsE2eTest, Seed000ManagerAndTheLastOwner) {
  CreateOrg("shop", "commerce", "olga");
  Join("shop", "olga", "mia", "Manager");
  Join("shop", "mia", "ed", "Editor");
  Ok({"role", "change", "shop", "ed", "Billing", "--actor", "mia"});
  Rejected({"role", "change", "shop", "ed", "Owner", "--actor", "mia"}, "ESCALATION");
  Rejected({"invite", "shop", "new@example.test", "--role", "Owner", "--actor", "mia"},
           "ESCALATION");
  Rejected({"org", "delete", "shop", "--actor", "mia"}, "PERMISSION_DENIED");
  Rejected({"member", "remove", "shop", "olga", "--actor", "olga"}, "LAST_OWNER");
  Rejected({"role", "change", "shop", "olga", "Manager", "--actor", "olga"}, "LAST_OWNER");
  Rejected({"leave", "shop", "--actor", "olga"}, "LAST_OWNER");

  // The table shows the roles as they are now.
  const std::string table = Ok({"members", "shop"});
  EXPECT_NE(table.find("ROLE"), std::string::npos) << table;
  auto members = OkJson<MemberPage>({"members", "shop"});
  std::map<std::string, std::string> roles;
  for (auto m : members->getMembers()) roles[m.getUserId().cStr()] = m.getRole().cStr();
  EXPECT_EQ(roles, (std::map<std::string, std::string>{
                       {"ed", "Billing"}, {"mia", "Manager"}, {"olga", "Owner"}}));

  // `check` answers with its exit code: 0 allowed, 1 denied.
  EXPECT_EQ(Roster({"check", "shop", "mia", "members.invite"}).exit_code, 0);
  EXPECT_EQ(Roster({"check", "shop", "mia", "org.delete"}).exit_code, 1);
  EXPECT_EQ(Roster({"check", "shop", "ed", "billing.manage"}).exit_code, 0);

  // The rejected commands appended nothing: the activity log holds only the accepted ones.
  auto activity = Ok({"activity", "--org", "shop", "--action", "member.role_changed"});
  EXPECT_NE(activity.find("Editor"), std::string::npos) << activity;
  EXPECT_EQ(activity.find("Owner"), std::string::npos) << activity;
}

// Seed 001 (workspace): an org Member sees no project until added to it; project-only access
// for a client; removal from the org removes every project access.
TEST_F(SeedsE2eTest, Seed001ProjectsNeedTheirOwnAccess) {
  CreateOrg("ws", "workspace", "olga");
  Ok({"project", "create", "ws", "web", "--name", "Website", "--actor", "olga"});
  Ok({"project", "create", "ws", "app", "--name", "App", "--actor", "olga"});
  Join("ws", "olga", "mia", "Member");

  auto before = OkJson<UserAccess>({"access", "user", "ws", "mia"});
  EXPECT_EQ(std::string(before->getOrgName().cStr()), "ws Inc");
  EXPECT_EQ(std::string(before->getRole().cStr()), "Member");
  EXPECT_EQ(before->getProjects().size(), 0u);
  EXPECT_EQ(Roster({"check", "ws", "mia", "projects.view", "--project", "web"}).exit_code, 1);

  Ok({"project", "add", "ws", "web", "mia", "Editor", "--actor", "olga"});
  Ok({"project", "add", "ws", "app", "mia", "Viewer", "--actor", "olga"});
  Ok({"project", "add", "ws", "web", "client", "Viewer", "--actor", "olga"});  // no org membership
  auto check = OkJson<CheckResult>({"check", "ws", "mia", "projects.view", "--project", "web"});
  EXPECT_TRUE(check->getAllowed());
  EXPECT_EQ(std::string(check->getSource().cStr()), "direct");
  EXPECT_EQ(Roster({"check", "ws", "client", "projects.view", "--project", "web"}).exit_code, 0);
  EXPECT_EQ(Roster({"check", "ws", "client", "members.view"}).exit_code, 1);

  auto removed = OkJson<CommandResult>({"member", "remove", "ws", "mia", "--actor", "olga"});
  EXPECT_TRUE(HasEvent(removed.get(), "member.removed"));
  const std::string position = std::to_string(removed->getPosition());
  for (const char* project : {"web", "app"}) {
    const std::string table =
        Ok({"access", "project", "ws", project, "--consistency-token", position});
    EXPECT_EQ(table.find("mia"), std::string::npos) << project << "\n" << table;
  }
  EXPECT_EQ(Roster({"check", "ws", "mia", "projects.view", "--project", "web"}).exit_code, 1);
  auto after = OkJson<UserAccess>({"access", "user", "ws", "mia"});
  EXPECT_EQ(after->getProjects().size(), 0u);
}

// Seed 002 (platform): a removed member's resources are reassigned to an owner; ownership
// moves by transfer, after which the former owner can be removed.
TEST_F(SeedsE2eTest, Seed002RemovedMembersResourcesGoToAnOwner) {
  CreateOrg("plat", "platform", "olga");
  Join("plat", "olga", "ada", "Admin");
  Join("plat", "ada", "dev", "Developer");
  Ok({"resource", "register", "plat", "agent-1", "--kind", "agent", "--name", "Triage", "--actor",
      "dev"});

  auto removed = OkJson<CommandResult>({"member", "remove", "plat", "dev", "--actor", "ada"});
  ASSERT_TRUE(HasEvent(removed.get(), "resource.reassigned"));
  auto reassigned = Ok({"activity", "--org", "plat", "--action", "resource.reassigned",
                        "--consistency-token", std::to_string(removed->getPosition())});
  EXPECT_NE(reassigned.find("agent-1"), std::string::npos) << reassigned;
  EXPECT_NE(reassigned.find("olga"), std::string::npos) << reassigned;

  Rejected({"member", "remove", "plat", "olga", "--actor", "ada"}, "ESCALATION");
  Rejected({"transfer", "plat", "ada", "--actor", "ada"}, "PERMISSION_DENIED");
  Ok({"transfer", "plat", "ada", "--actor", "olga"});
  Ok({"member", "remove", "plat", "olga", "--actor", "ada"});
  Rejected({"leave", "plat", "--actor", "ada"}, "LAST_OWNER");
}

// Seed 003 (analytics): a Guest cannot list the other members; a User can.
TEST_F(SeedsE2eTest, Seed003GuestsCannotListMembers) {
  CreateOrg("ana", "analytics", "ada");
  Join("ana", "ada", "uma", "User");
  Join("ana", "ada", "gus", "Guest");
  auto as_user = OkJson<MemberPage>({"members", "ana", "--viewer", "uma"});
  EXPECT_EQ(as_user->getMembers().size(), 3u);
  auto as_guest = OkJson<MemberPage>({"members", "ana", "--viewer", "gus"});
  ASSERT_EQ(as_guest->getMembers().size(), 1u);
  EXPECT_EQ(std::string(as_guest->getMembers()[0].getUserId().cStr()), "gus");
  EXPECT_EQ(Roster({"check", "ana", "gus", "members.view"}).exit_code, 1);
  // Nor the invitations, nor anyone else's logins; their own, yes.
  Rejected({"invitations", "ana", "--viewer", "gus"}, "PERMISSION_DENIED");
  Rejected({"logins", "ana", "--viewer", "gus"}, "PERMISSION_DENIED");
  Ok({"logins", "ana", "--user", "gus", "--viewer", "gus"});
  Ok({"invitations", "ana", "--viewer", "uma"});
  // The activity log needs audit.view: the Admin's, not a User's.
  Rejected({"activity", "--org", "ana", "--viewer", "uma"}, "PERMISSION_DENIED");
  Ok({"activity", "--org", "ana", "--viewer", "ada"});
  // So do the org's past and other people's histories; one's own history needs nothing.
  Rejected({"as-of", "org", "ana", "--viewer", "uma"}, "PERMISSION_DENIED");
  Ok({"as-of", "org", "ana", "--viewer", "ada"});
  Ok({"history", "gus", "--viewer", "gus"});
  Rejected({"role", "change", "ana", "gus", "User", "--actor", "uma"}, "PERMISSION_DENIED");
  Ok({"role", "change", "ana", "gus", "User", "--actor", "ada"});
  auto promoted = OkJson<MemberPage>({"members", "ana", "--viewer", "gus"});
  EXPECT_EQ(promoted->getMembers().size(), 3u);
}

// Seed 004 (api): org roles are inherited by every project, invitations expire after 7 days,
// a removed member's API keys are flagged for rotation.
TEST_F(SeedsE2eTest, Seed004InheritanceExpiryAndKeys) {
  CreateOrg("api", "api", "adm");
  Join("api", "adm", "dev", "Developer");
  Ok({"project", "create", "api", "prod", "--actor", "dev"});
  Ok({"project", "create", "api", "staging", "--actor", "adm"});
  auto access = OkJson<UserAccess>({"access", "user", "api", "dev"});
  ASSERT_EQ(access->getProjects().size(), 2u);
  for (auto p : access->getProjects()) EXPECT_EQ(std::string(p.getSource().cStr()), "inherited");

  Ok({"invite", "api", "late@example.test", "--role", "Viewer", "--actor", "adm"});
  auto pending = OkJson<InvitationPage>({"invitations", "api", "--status", "pending"});
  ASSERT_EQ(pending->getInvitations().size(), 1u);
  auto invitation = pending->getInvitations()[0];
  EXPECT_EQ(invitation.getExpiresAtUs() - invitation.getSentAtUs(), 7LL * 24 * 3600 * 1'000'000);

  Ok({"apikey", "create", "api", "key-1", "--name", "CI", "--actor", "dev"});
  auto removed = OkJson<CommandResult>({"member", "remove", "api", "dev", "--actor", "adm"});
  EXPECT_TRUE(HasEvent(removed.get(), "apikey.rotation_recommended"));
  EXPECT_EQ(Roster({"check", "api", "dev", "projects.view", "--project", "prod"}).exit_code, 1);
}

}  // namespace
}  // namespace roster::tests::e2e
