// The TCP server and the client library over a node whose log's disk fails (a WAL write fails
// or is torn, or a sync fails). A command answers an UNAVAILABLE error, never an
// acknowledgement; queries on the same connection keep answering from what was durable; after
// the disk is repaired and the server restarted, every acknowledged command is there (resent,
// a duplicate at its position) and each failed one resent with its command id takes effect
// once.
#include <gtest/gtest.h>

#include <map>

#include "tests/api/server_fixture.h"
#include "tests/faults/node_fault_fixture.h"

namespace roster::tests {
namespace {

class ServerFaultTest : public ServerFixture, public ::testing::WithParamInterface<Fault> {
 protected:
  ServerFaultTest() {
    sync_ = true;  // a failing sync is one of the faults
    log_faults_.OnlyFilesNamed(".log");
    log_env_ = log_faults_.env();
  }

  // A command with a chosen id, so that it can be resent.
  static Response::Reader Send(api::client::Client& c, std::optional<api::client::Reply>& keep,
                               const std::string& command_id, const std::string& actor,
                               const std::function<void(api::wire::Command::Builder)>& fill) {
    auto reply = c.Call([&](Request::Builder r) {
      auto cmd = r.initCommand();
      cmd.setOrg("acme");
      cmd.setActor(actor);
      cmd.setCommandId(command_id);
      fill(cmd);
    });
    EXPECT_TRUE(reply.has_value()) << (reply ? "" : reply.error().message);
    keep.emplace(std::move(*reply));
    return keep->get();
  }
  static auto Invite(const std::string& email) {
    return [email](api::wire::Command::Builder cmd) {
      auto invite = cmd.initInviteMember();
      invite.setEmail(email);
      invite.setRole("Editor");
    };
  }
  static auto Promote(const std::string& user) {
    return [user](api::wire::Command::Builder cmd) {
      auto change = cmd.initChangeRole();
      change.setUser(user);
      change.setRole("Manager");
    };
  }

  // acme's members (user -> role) and invited emails (email -> count), as of `token`.
  std::pair<std::map<std::string, std::string>, std::map<std::string, int>> Acme(
      api::client::Client& c, uint64_t token) {
    std::map<std::string, std::string> members;
    std::map<std::string, int> invited;
    auto listed = c.Call([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(token);
      q.initListMembers().setOrg("acme");
    });
    EXPECT_TRUE(listed.has_value());
    if (listed) {
      EXPECT_TRUE(listed->get().isMembers()) << listed->get().getError().getMessage().cStr();
      if (listed->get().isMembers()) {
        for (auto m : listed->get().getMembers().getMembers()) {
          members[m.getUserId().cStr()] = m.getRole().cStr();
        }
      }
    }
    auto invitations = c.Call([&](Request::Builder r) {
      auto q = r.initQuery();
      q.setConsistencyToken(token);
      q.initListInvitations().setOrg("acme");
    });
    EXPECT_TRUE(invitations.has_value());
    if (invitations) {
      EXPECT_TRUE(invitations->get().isInvitations())
          << invitations->get().getError().getMessage().cStr();
      if (invitations->get().isInvitations()) {
        for (auto i : invitations->get().getInvitations().getInvitations()) {
          ++invited[i.getEmail().cStr()];
        }
      }
    }
    return {members, invited};
  }

  FaultInjection log_faults_;
};

TEST_P(ServerFaultTest, CommandsAnswerUnavailableQueriesServeAndARestartKeepsTheAcknowledged) {
  auto c = Connect(admin_token_);
  ASSERT_NE(c, nullptr);
  CreateOrg(*c, "acme", "olive", "commerce");
  AddMember(*c, "acme", "olive", "bob", "Editor");
  std::optional<api::client::Reply> k1, k2, k3;
  auto acked = Send(*c, k1, "invite-carol", "olive", Invite("carol@example.com"));
  ASSERT_TRUE(acked.isCommand() && acked.getCommand().getAccepted());
  const uint64_t acked_position = acked.getCommand().getPosition();

  Arm(log_faults_, GetParam(), 1);
  for (auto [id, fill] :
       {std::pair{std::string("invite-dave"), std::function(Invite("dave@example.com"))},
        std::pair{std::string("promote-bob"), std::function(Promote("bob"))}}) {
    auto failed = Send(*c, k2, id, "olive", fill);
    ASSERT_TRUE(failed.isError()) << id << " was answered as a command";
    EXPECT_EQ(std::string(failed.getError().getCode().cStr()), "UNAVAILABLE") << id;
  }

  // Queries on the same connection answer what was acknowledged.
  auto [members, invited] = Acme(*c, acked_position);
  EXPECT_EQ(members, (std::map<std::string, std::string>{{"olive", "Owner"}, {"bob", "Editor"}}));
  EXPECT_EQ(invited,
            (std::map<std::string, int>{{"bob@example.com", 1}, {"carol@example.com", 1}}));
  auto status = c->Call([](Request::Builder r) { r.initQuery().setStatus(); });
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(status->get().isStatus());
  EXPECT_EQ(status->get().getStatus().getLastPosition(), acked_position);

  c.reset();
  StopServer();
  log_faults_.Heal();
  StartServer();
  c = Connect(admin_token_);
  ASSERT_NE(c, nullptr);
  auto again = Send(*c, k1, "invite-carol", "olive", Invite("carol@example.com"));
  ASSERT_TRUE(again.isCommand());
  EXPECT_TRUE(again.getCommand().getDuplicate());
  EXPECT_EQ(again.getCommand().getPosition(), acked_position);
  uint64_t last = 0;
  for (auto [id, fill] :
       {std::pair{std::string("invite-dave"), std::function(Invite("dave@example.com"))},
        std::pair{std::string("promote-bob"), std::function(Promote("bob"))}}) {
    auto resent = Send(*c, k2, id, "olive", fill);
    ASSERT_TRUE(resent.isCommand()) << resent.getError().getMessage().cStr();
    EXPECT_TRUE(resent.getCommand().getAccepted()) << id;
    if (GetParam() != Fault::kSyncFails) {
      EXPECT_FALSE(resent.getCommand().getDuplicate()) << id;
    }
    auto twice = Send(*c, k3, id, "olive", fill);
    ASSERT_TRUE(twice.isCommand());
    EXPECT_TRUE(twice.getCommand().getDuplicate()) << id;
    last = std::max(last, resent.getCommand().getPosition());
  }
  std::tie(members, invited) = Acme(*c, last);
  EXPECT_EQ(members, (std::map<std::string, std::string>{{"olive", "Owner"}, {"bob", "Manager"}}));
  EXPECT_EQ(invited,
            (std::map<std::string, int>{
                {"bob@example.com", 1}, {"carol@example.com", 1}, {"dave@example.com", 1}}));
}

INSTANTIATE_TEST_SUITE_P(Faults, ServerFaultTest,
                         ::testing::Values(Fault::kWriteFails, Fault::kTornWrite,
                                           Fault::kSyncFails),
                         FaultName);

}  // namespace
}  // namespace roster::tests
