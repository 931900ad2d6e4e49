// Issue 21's invitation features against a real rosterd, over the TCP API (the client library)
// and through the roster CLI: an invitation's own lifetime, inviting to a project by email
// (seed 001's client), the one opaque accept token, and many invitations in one command.
#include <kj/encoding.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.h"

namespace roster::tests::e2e {
namespace {

using api::wire::CheckResult;
using api::wire::CommandResult;
using api::wire::InvitationPage;
using api::wire::Request;
using api::wire::UserAccess;

class InvitationsE2eTest : public RosterdTest {};

// Seed 001: "For client access, skip org membership. Invite clients directly to specific
// projects as Viewers". The client has no account; the link carries one token.
TEST_F(InvitationsE2eTest, Seed001ClientInvitedToAProjectByEmailAcceptsWithTheLinksToken) {
  CreateOrg("smaq", "workspace", "olga");
  Ok({"project", "create", "smaq", "website", "--actor", "olga"});
  Ok({"project", "create", "smaq", "internal", "--actor", "olga"});
  auto sent = OkJson<CommandResult>({"project", "invite", "smaq", "website", "Client@Brand.example",
                                     "--role", "Viewer", "--ttl-days", "3", "--actor", "olga"});
  ASSERT_TRUE(sent->getAccepted());
  const std::string link_token = sent->getAcceptToken().cStr();
  ASSERT_EQ(link_token.rfind("rinv_", 0), 0u) << link_token;
  EXPECT_FALSE(sent->getInvitationToken().size() == 0);

  // The listing shows the project, its role and the lifetime.
  const std::string sent_at = std::to_string(sent->getPosition());
  auto pending = OkJson<InvitationPage>(
      {"invitations", "smaq", "--status", "pending", "--consistency-token", sent_at});
  ASSERT_EQ(pending->getInvitations().size(), 1u);
  auto inv = pending->getInvitations()[0];
  EXPECT_EQ(std::string(inv.getProjectId().cStr()), "website");
  EXPECT_EQ(std::string(inv.getProjectRole().cStr()), "Viewer");
  EXPECT_EQ(std::string(inv.getRole().cStr()), "");
  EXPECT_EQ(inv.getValidForUs(), int64_t{3} * 24 * 3600 * 1'000'000);
  EXPECT_NE(Ok({"invitations", "smaq"}).find("Viewer in project website"), std::string::npos);

  // A wrong email, then the right one: only the token, no org and no invitation id.
  CliRun wrong = Roster(
      {"accept", "--token", link_token, "--email", "someone@else.example", "--actor", "client-7"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("EMAIL_MISMATCH"), std::string::npos) << wrong.err;
  auto accepted = OkJson<CommandResult>(
      {"accept", "--token", link_token, "--email", "client@brand.example", "--actor", "client-7"});
  EXPECT_TRUE(accepted->getAccepted());

  // The client views that project only, and is not an org member.
  auto view =
      OkJson<CheckResult>({"check", "smaq", "client-7", "projects.view", "--project", "website",
                           "--consistency-token", std::to_string(accepted->getPosition())});
  EXPECT_TRUE(view->getAllowed());
  EXPECT_EQ(std::string(view->getSource().cStr()), "direct");
  CliRun denied = Roster({"check", "smaq", "client-7", "projects.view", "--project", "internal"});
  EXPECT_EQ(denied.exit_code, 1) << denied.out << denied.err;
  const std::string at = std::to_string(accepted->getPosition());
  auto access =
      OkJson<UserAccess>({"access", "user", "smaq", "client-7", "--consistency-token", at});
  EXPECT_EQ(std::string(access->getRole().cStr()), "");
  ASSERT_EQ(access->getProjects().size(), 1u);
  EXPECT_EQ(std::string(access->getProjects()[0].getProjectId().cStr()), "website");
  EXPECT_EQ(Ok({"members", "smaq", "--consistency-token", at}).find("client-7"), std::string::npos);
}

// Over the TCP API directly: the accept token alone (no org, no invitation id), a malformed
// one, one with a wrong secret, and the old form still working.
TEST_F(InvitationsE2eTest, TheAcceptTokenAloneAcceptsOverTheProtocol) {
  CreateOrg("acme", "commerce", "olga");
  auto client = Connect();
  ASSERT_TRUE(client);
  int n = 0;
  auto command = [&](const std::string& org, const std::string& actor, auto fill) {
    return client->Call([&](Request::Builder r) {
      auto c = r.initCommand();
      c.setOrg(org);
      c.setActor(actor);
      c.setCommandId("tcp-" + std::to_string(++n));
      fill(c);
    });
  };
  auto invite = [&](const std::string& email, int32_t ttl) {
    return command("acme", "olga", [&](api::wire::Command::Builder c) {
      auto i = c.initInviteMember();
      i.setEmail(email);
      i.setRole("Editor");
      i.setTtlDays(ttl);
    });
  };
  auto accept = [&](const std::string& org, const std::string& token, const std::string& email) {
    return command(org, email.substr(0, email.find('@')), [&](api::wire::Command::Builder c) {
      auto a = c.initAcceptInvitation();
      a.setAcceptToken(token);
      a.setVerifiedEmail(email);
    });
  };
  // A lifetime beyond the org's maximum (7 days) is refused with the range.
  auto too_long = invite("bo@example.test", 8);
  ASSERT_TRUE(too_long.has_value());
  ASSERT_TRUE(too_long->get().isCommand());
  EXPECT_FALSE(too_long->get().getCommand().getAccepted());
  EXPECT_EQ(std::string(too_long->get().getCommand().getRejection().getCode().cStr()),
            "INVALID_ARGUMENT");
  EXPECT_NE(std::string(too_long->get().getCommand().getRejection().getMessage().cStr())
                .find("1 to 7 days"),
            std::string::npos);

  auto sent = invite("bo@example.test", 2);
  ASSERT_TRUE(sent.has_value());
  auto result = sent->get().getCommand();
  ASSERT_TRUE(result.getAccepted());
  const std::string token = result.getAcceptToken().cStr();
  const std::string secret = result.getInvitationToken().cStr();
  const std::string id = result.getInvitationId().cStr();

  auto malformed = accept("", "rinv_%%%", "bo@example.test");
  ASSERT_TRUE(malformed.has_value());
  ASSERT_TRUE(malformed->get().isError());
  EXPECT_EQ(std::string(malformed->get().getError().getCode().cStr()), "INVALID_ARGUMENT");

  // The right org and invitation with a wrong secret: the error a wrong secret always gets.
  // (Built as the server builds tokens: rinv_ + base64url("acme\n<id>\nwrong").)
  const std::string plain = "acme\n" + id + "\nwrong";
  auto forged_bytes = kj::encodeBase64Url(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(plain.data()), plain.size()));
  std::string forged = "rinv_" + std::string(forged_bytes.cStr());
  while (forged.back() == '=') forged.pop_back();
  auto wrong = accept("", forged, "bo@example.test");
  ASSERT_TRUE(wrong.has_value());
  ASSERT_TRUE(wrong->get().isCommand());
  EXPECT_EQ(std::string(wrong->get().getCommand().getRejection().getCode().cStr()),
            "INVALID_TOKEN");
  // A token for another organization than the one the request names.
  auto other_org = accept("globex", token, "bo@example.test");
  ASSERT_TRUE(other_org.has_value());
  ASSERT_TRUE(other_org->get().isError());
  EXPECT_EQ(std::string(other_org->get().getError().getCode().cStr()), "INVALID_ARGUMENT");

  auto ok = accept("", token, "bo@example.test");
  ASSERT_TRUE(ok.has_value());
  ASSERT_TRUE(ok->get().isCommand());
  EXPECT_TRUE(ok->get().getCommand().getAccepted())
      << ok->get().getCommand().getRejection().getMessage().cStr();
  EXPECT_FALSE(ok->get().getCommand().getMembershipId().size() == 0);

  // The old form: org + invitation id + secret.
  auto cy = invite("cy@example.test", 0);
  ASSERT_TRUE(cy.has_value());
  Ok({"accept", "acme", cy->get().getCommand().getInvitationId().cStr(), "--token",
      cy->get().getCommand().getInvitationToken().cStr(), "--email", "cy@example.test", "--actor",
      "cy"});
  (void)secret;
}

// invite-many: an outcome per email in one command; a retry with the same command id answers
// the same outcomes and appends nothing.
TEST_F(InvitationsE2eTest, InviteManyAnswersEveryEmail) {
  CreateOrg("acme", "commerce", "olga");
  Join("acme", "olga", "ann", "Editor");
  const std::string file = (dir_.path() / "emails.txt").string();
  {
    std::ofstream out(file);
    out << "# the second batch\n\ncy@example.test,Billing,Cy\nann@example.test\n";
  }
  const std::vector<std::string> args = {
      "invite-many", "acme",         "bo@example.test", "BO@example.test", "not-an-email",
      "--file",      file,           "--role",          "Editor",          "--actor",
      "olga",        "--command-id", "bulk-1"};
  auto first = OkJson<CommandResult>(args);
  ASSERT_TRUE(first->getAccepted());
  auto outcomes = first->getInvitationOutcomes();
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_TRUE(outcomes[0].getAccepted());
  EXPECT_EQ(std::string(outcomes[0].getAcceptToken().cStr()).rfind("rinv_", 0), 0u);
  EXPECT_EQ(std::string(outcomes[1].getRejection().getCode().cStr()), "INVALID_ARGUMENT");
  EXPECT_EQ(std::string(outcomes[2].getRejection().getCode().cStr()), "INVALID_ARGUMENT");
  EXPECT_TRUE(outcomes[3].getAccepted());
  EXPECT_EQ(std::string(outcomes[3].getEmail().cStr()), "cy@example.test");
  EXPECT_EQ(std::string(outcomes[4].getRejection().getCode().cStr()), "ALREADY_MEMBER");
  const uint64_t position = LastPosition();

  auto retry = OkJson<CommandResult>(args);
  EXPECT_TRUE(retry->getDuplicate());
  ASSERT_EQ(retry->getInvitationOutcomes().size(), 5u);
  EXPECT_EQ(std::string(retry->getInvitationOutcomes()[3].getInvitationId().cStr()),
            std::string(outcomes[3].getInvitationId().cStr()));
  EXPECT_EQ(retry->getInvitationOutcomes()[3].getAcceptToken().size(), 0u);
  EXPECT_EQ(std::string(retry->getInvitationOutcomes()[4].getRejection().getCode().cStr()),
            "ALREADY_MEMBER");
  EXPECT_EQ(LastPosition(), position);

  // The table names every email and its outcome.
  CliRun table = Roster({"invite-many", "acme", "dee@example.test", "ann@example.test", "--role",
                         "Editor", "--actor", "olga"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("dee@example.test"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("ALREADY_MEMBER"), std::string::npos) << table.out;
  // Cy accepts with the link's token from the bulk answer.
  Ok({"accept", "--token", outcomes[3].getAcceptToken().cStr(), "--email", "cy@example.test",
      "--actor", "cy"});
}

}  // namespace
}  // namespace roster::tests::e2e
