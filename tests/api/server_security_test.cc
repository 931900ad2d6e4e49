// Every refusal leaves the log as it was: unauthenticated, wrong scope, and domain rules
// enforced for requests arriving over the network.
#include <set>

#include "tests/api/server_fixture.h"

namespace roster::tests {
namespace {

class ServerSecurityTest : public ServerFixture {
 protected:
  std::string InviteAs(api::client::Client& c, const std::string& org, const std::string& actor) {
    auto reply = c.Call([&](Request::Builder r) {
      auto cmd = r.initCommand();
      cmd.setOrg(org);
      cmd.setActor(actor);
      cmd.setCommandId("invite-mallory-as-owner");
      auto invite = cmd.initInviteMember();
      invite.setEmail("mallory@example.com");
      invite.setRole("Owner");
    });
    if (!reply) return "client error " + reply.error().code;
    auto r = reply->get();
    if (r.isError()) return r.getError().getCode().cStr();
    if (!r.isCommand()) return "unexpected response";
    if (r.getCommand().getAccepted()) return "accepted";
    return r.getCommand().getRejection().getCode().cStr();
  }
};

TEST_F(ServerSecurityTest, RequestBeforeHelloIsRefusedAndClosed) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "acme", "alice", "platform");
  const auto before = LastPosition();

  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send(Encode([](Request::Builder r) {
    r.setId(7);
    auto cmd = r.initCommand();
    cmd.setOrg("acme");
    cmd.setActor("alice");
    cmd.setCommandId("rename-before-hello");
    cmd.setRenameOrganization("pwned");
  })));
  auto m = raw.Read();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->get().getId(), 7u);
  ASSERT_TRUE(m->get().isError());
  EXPECT_STREQ(m->get().getError().getCode().cStr(), "UNAUTHENTICATED");
  EXPECT_TRUE(raw.Closed());
  EXPECT_EQ(LastPosition(), before);
  bool logged = false;
  for (const auto& line : sink_->Lines()) {
    logged |=
        line.find("refused") != std::string::npos && line.find("127.0.0.1") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(ServerSecurityTest, WrongTokenIsRefusedAndLoggedWithoutTheToken) {
  const std::string bad = "not-a-token-" + std::string(20, 'x');
  auto c = api::client::Client::Connect(ClientFor(bad));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, "UNAUTHENTICATED");

  int warnings = 0;
  for (const auto& line : sink_->Lines()) {
    EXPECT_EQ(line.find(bad), std::string::npos) << line;
    if (line.find("refused") != std::string::npos) {
      ++warnings;
      EXPECT_NE(line.find("127.0.0.1"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(warnings, 1);
  EXPECT_EQ(LastPosition(), 0u);
  ExpectServing();
}

// A client that does not wait for the hello's answer: the commands it pipelined behind a bad
// or empty token are never run.
TEST_F(ServerSecurityTest, CommandsPipelinedBehindARefusedHelloAreNotRun) {
  for (const char* token : {"wrong-token", ""}) {
    RawConnection raw(server_->port());
    ASSERT_TRUE(raw.connected());
    std::string bytes = Hello(token, 1);
    bytes += Encode([](Request::Builder r) {
      r.setId(2);
      auto cmd = r.initCommand();
      cmd.setOrg("sneaky");
      cmd.setActor("mallory");
      cmd.setCommandId("create-sneaky");
      auto create = cmd.initCreateOrganization();
      create.setName("Sneaky");
      create.setPreset("platform");
      create.setOwnerEmail("mallory@example.com");
    });
    ASSERT_TRUE(raw.Send(bytes));
    auto m = raw.Read();
    ASSERT_TRUE(m.has_value()) << "token '" << token << "'";
    ASSERT_TRUE(m->get().isError());
    EXPECT_EQ(m->get().getId(), 1u);
    EXPECT_STREQ(m->get().getError().getCode().cStr(), "UNAUTHENTICATED");
    EXPECT_TRUE(raw.Closed());
  }
  EXPECT_EQ(LastPosition(), 0u);
  ExpectServing();
}

TEST_F(ServerSecurityTest, AuditorCannotSendCommands) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "acme", "alice", "platform");
  const auto before = LastPosition();
  auto auditor = Connect(auditor_token_);
  ASSERT_NE(auditor, nullptr);
  EXPECT_EQ(auditor->scope(), "auditor");
  EXPECT_EQ(InviteAs(*auditor, "acme", "alice"), "FORBIDDEN");
  EXPECT_EQ(LastPosition(), before);
  // Queries stay allowed on the same connection.
  auto reply = auditor->Call([](Request::Builder r) { r.initQuery().setStatus(); });
  ASSERT_TRUE(reply.has_value());
  EXPECT_TRUE(reply->get().isStatus());
}

TEST_F(ServerSecurityTest, ServiceTokenCannotSubscribe) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "acme", "alice", "platform");
  const auto before = LastPosition();
  auto service = Connect(service_token_);
  ASSERT_NE(service, nullptr);
  int records = 0;
  auto ended = service->Subscribe(0, 10, [&](api::wire::Record::Reader) {
    ++records;
    return true;
  });
  ASSERT_FALSE(ended.has_value());
  EXPECT_EQ(ended.error().code, "FORBIDDEN");
  EXPECT_EQ(records, 0);
  EXPECT_EQ(LastPosition(), before);
}

TEST_F(ServerSecurityTest, ActorWithoutThePermissionIsRejectedByTheDomain) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "acme", "alice", "platform");
  AddMember(*admin, "acme", "alice", "victor", "Viewer");
  const auto before = LastPosition();
  auto service = Connect(service_token_);
  EXPECT_EQ(InviteAs(*service, "acme", "victor"), "PERMISSION_DENIED");
  EXPECT_EQ(LastPosition(), before);
}

TEST_F(ServerSecurityTest, GuestListingMembersSeesOnlyItself) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "lab", "alice", "analytics");
  AddMember(*admin, "lab", "alice", "uma", "User");
  AddMember(*admin, "lab", "alice", "gus", "Guest");
  const auto before = LastPosition();
  auto list = [&](const std::string& viewer) {
    std::vector<std::string> users;
    auto reply = admin->Call([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(before);
      auto lm = q.initListMembers();
      lm.setOrg("lab");
      lm.setViewer(viewer);
    });
    EXPECT_TRUE(reply.has_value());
    if (!reply) return users;
    EXPECT_TRUE(reply->get().isMembers());
    if (!reply->get().isMembers()) return users;
    for (auto m : reply->get().getMembers().getMembers()) users.push_back(m.getUserId().cStr());
    return users;
  };
  EXPECT_EQ(list("gus"), std::vector<std::string>{"gus"});
  EXPECT_EQ(list("uma").size(), 3u);  // a User may view members: the contrast
  EXPECT_EQ(LastPosition(), before);
}

// Every listing that names a viewer refuses one without the permission reading it needs, and
// lets the same viewer read what is theirs. The backend itself (no viewer) reads everything.
TEST_F(ServerSecurityTest, ViewersNeedThePermissionOfWhatTheyRead) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "lab", "alice", "analytics");
  AddMember(*admin, "lab", "alice", "uma", "User");
  AddMember(*admin, "lab", "alice", "gus", "Guest");
  for (const auto& [command, fill] :
       std::vector<std::pair<std::string, std::function<void(api::wire::Command::Builder)>>>{
           {"create",
            [](auto c) {
              auto p = c.initCreateProject();
              p.setProjectId("dash");
              p.setName("Dashboards");
            }},
           {"add client", [](auto c) {
              auto m = c.initAddProjectMember();
              m.setProjectId("dash");
              m.setUser("client");
              m.setRole("Viewer");
            }}}) {
    std::optional<api::client::Reply> keep;
    auto r = Cmd(*admin, keep, "lab", "alice", fill);
    ASSERT_TRUE(r.isCommand() && r.getCommand().getAccepted()) << command;
  }
  const auto before = LastPosition();
  auto service = Connect(service_token_);
  // "ok" or the error code of the answer.
  auto ask = [&](const std::function<void(api::wire::Query::Builder)>& fill) -> std::string {
    auto reply = service->Call([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(before);
      fill(q);
    });
    if (!reply) return "no reply: " + reply.error().message;
    if (reply->get().isError()) return reply->get().getError().getCode().cStr();
    return "ok";
  };
  auto invitations = [&](const std::string& viewer) {
    return ask([&](auto q) {
      auto r = q.initListInvitations();
      r.setOrg("lab");
      r.setViewer(viewer);
    });
  };
  EXPECT_EQ(invitations("gus"), "PERMISSION_DENIED");  // a Guest cannot view members
  EXPECT_EQ(invitations("stranger"), "PERMISSION_DENIED");
  EXPECT_EQ(invitations("uma"), "ok");
  EXPECT_EQ(invitations(""), "ok");

  auto activity = [&](const std::string& org, const std::string& viewer) {
    return ask([&](auto q) {
      auto r = q.initActivity();
      r.setOrg(org);
      r.setViewer(viewer);
    });
  };
  EXPECT_EQ(activity("lab", "uma"), "PERMISSION_DENIED");  // audit.view: the Admin's alone
  EXPECT_EQ(activity("lab", "alice"), "ok");
  EXPECT_EQ(activity("", "alice"), "INVALID_ARGUMENT");  // a viewer reads one org's log
  EXPECT_EQ(activity("", ""), "ok");

  auto logins = [&](const std::string& user, const std::string& viewer) {
    return ask([&](auto q) {
      auto r = q.initLogins();
      r.setOrg("lab");
      r.setUser(user);
      r.setViewer(viewer);
    });
  };
  EXPECT_EQ(logins("gus", "gus"), "ok");  // one's own
  EXPECT_EQ(logins("uma", "gus"), "PERMISSION_DENIED");
  EXPECT_EQ(logins("", "gus"), "PERMISSION_DENIED");
  EXPECT_EQ(logins("", "uma"), "ok");

  auto user_access = [&](const std::string& user, const std::string& viewer) {
    return ask([&](auto q) {
      auto r = q.initUserAccess();
      r.setOrg("lab");
      r.setUser(user);
      r.setViewer(viewer);
    });
  };
  EXPECT_EQ(user_access("gus", "gus"), "ok");
  EXPECT_EQ(user_access("uma", "gus"), "PERMISSION_DENIED");
  EXPECT_EQ(user_access("gus", "uma"), "ok");

  auto project_access = [&](const std::string& viewer) {
    return ask([&](auto q) {
      auto r = q.initProjectAccess();
      r.setOrg("lab");
      r.setProjectId("dash");
      r.setViewer(viewer);
    });
  };
  EXPECT_EQ(project_access("client"), "ok");  // project-only Viewer
  EXPECT_EQ(project_access("gus"), "ok");     // inherits Editor
  EXPECT_EQ(project_access("stranger"), "PERMISSION_DENIED");
  EXPECT_EQ(LastPosition(), before);
}

// As-of and history are audit reads: an org's past needs audit.view in it; a user's past shows
// another viewer only the orgs where that viewer holds audit.view, and the user all of theirs.
TEST_F(ServerSecurityTest, ThePastIsShownOnlyWhereTheViewerMayAudit) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "lab", "alice", "analytics");
  AddMember(*admin, "lab", "alice", "uma", "User");
  AddMember(*admin, "lab", "alice", "gus", "Guest");
  CreateOrg(*admin, "home", "uma", "platform");
  const auto before = LastPosition();
  auto service = Connect(service_token_);
  auto call = [&](const std::function<void(api::wire::AsOf::Builder)>& fill,
                  api::wire::AsOf::Builder (*which)(api::wire::Query::Builder&)) {
    return service->Call([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(before);
      fill(which(q));
    });
  };
  auto org_as_of = [&](const std::string& viewer) -> std::string {
    auto reply = call(
        [&](auto r) {
          r.setOrg("lab");
          r.setViewer(viewer);
        },
        [](api::wire::Query::Builder& q) { return q.initOrganizationAsOf(); });
    if (!reply) return "no reply: " + reply.error().message;
    if (reply->get().isError()) return reply->get().getError().getCode().cStr();
    return std::to_string(reply->get().getOrganizationAsOf().getMembers().size()) + " members";
  };
  EXPECT_EQ(org_as_of("uma"), "PERMISSION_DENIED");  // a User holds no audit.view
  EXPECT_EQ(org_as_of("stranger"), "PERMISSION_DENIED");
  EXPECT_EQ(org_as_of("alice"), "3 members");
  EXPECT_EQ(org_as_of(""), "3 members");  // the backend itself

  // The orgs of uma's past a viewer is shown, sorted, or the error code.
  auto orgs_of_uma = [&](bool history, const std::string& viewer) -> std::string {
    auto reply = call(
        [&](auto r) {
          r.setUser("uma");
          r.setViewer(viewer);
        },
        history ? +[](api::wire::Query::Builder& q) { return q.initUserHistory(); }
                : +[](api::wire::Query::Builder& q) { return q.initUserAccessAsOf(); });
    if (!reply) return "no reply: " + reply.error().message;
    if (reply->get().isError()) return reply->get().getError().getCode().cStr();
    std::set<std::string> orgs;
    if (history) {
      for (auto h : reply->get().getUserHistory()) orgs.insert(h.getOrg().cStr());
    } else {
      for (auto a : reply->get().getUserAccessAsOf()) orgs.insert(a.getOrg().cStr());
    }
    std::string out;
    for (const auto& o : orgs) out += (out.empty() ? "" : ",") + o;
    return "[" + out + "]";
  };
  for (bool history : {false, true}) {
    SCOPED_TRACE(history ? "history" : "as-of user");
    EXPECT_EQ(orgs_of_uma(history, "uma"), "[home,lab]");  // one's own past, everywhere
    EXPECT_EQ(orgs_of_uma(history, ""), "[home,lab]");
    EXPECT_EQ(orgs_of_uma(history, "alice"), "[lab]");  // home is not alice's to audit
    EXPECT_EQ(orgs_of_uma(history, "gus"), "[]");       // a Guest audits nothing
  }
  EXPECT_EQ(LastPosition(), before);
}

TEST_F(ServerSecurityTest, OneOrganizationsOwnerCannotActOnAnother) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "acme", "alice", "platform");
  CreateOrg(*admin, "globex", "carol", "platform");
  const auto before = LastPosition();
  const std::string code = InviteAs(*admin, "globex", "alice");
  EXPECT_NE(code, "accepted");
  EXPECT_TRUE(code == "PERMISSION_DENIED" || code == "NOT_FOUND") << code;
  EXPECT_EQ(LastPosition(), before);
}

// Revoking a token refuses later hellos and also closes the connections it already opened;
// other principals' connections are untouched.
TEST_F(ServerSecurityTest, RevokingATokenClosesTheConnectionsItOpened) {
  auto admin = Connect(admin_token_);
  CreateOrg(*admin, "acme", "alice", "platform");
  auto service = Connect(service_token_);
  auto auditor = Connect(auditor_token_);
  ASSERT_NE(service, nullptr);
  ASSERT_NE(auditor, nullptr);
  auto status = [](api::client::Client& c) {
    return c.Call([](Request::Builder r) { r.initQuery().setStatus(); });
  };
  ASSERT_TRUE(status(*service).has_value());

  auto revoked =
      admin->Call([](Request::Builder r) { r.initAdmin().setRevokeToken("billing-service"); });
  ASSERT_TRUE(revoked.has_value()) << revoked.error().message;
  ASSERT_FALSE(revoked->get().isError());

  const auto before = LastPosition();
  // alice may invite an Owner: served, this would be accepted and appended.
  const std::string invited = InviteAs(*service, "acme", "alice");
  EXPECT_EQ(invited.rfind("client error", 0), 0u) << invited;
  auto after = status(*service);
  EXPECT_FALSE(after.has_value()) << "a connection of the revoked token is still served";
  EXPECT_EQ(LastPosition(), before);
  auto again = api::client::Client::Connect(ClientFor(service_token_));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, "UNAUTHENTICATED");

  // The admin and the auditor keep their connections.
  EXPECT_TRUE(status(*admin).has_value());
  EXPECT_TRUE(status(*auditor).has_value());
  bool logged = false;
  for (const auto& line : sink_->Lines()) {
    logged = logged || line.find("'billing-service' was revoked") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace roster::tests
