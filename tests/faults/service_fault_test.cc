// Commands and queries of a node whose log's disk fails (a WAL write fails or is torn, or a
// sync fails) while four clients send invitations to their organizations. Every command is
// answered: accepted before the failure, UNAVAILABLE from it on, never accepted after; queries
// keep answering from what was durable. After a restart on a healed disk every acknowledged
// command is in the log (its resend is a duplicate at the same position), every failed one
// resent with its command id takes effect exactly once, and the read models equal a rebuild.
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <map>
#include <thread>

#include "tests/faults/node_fault_fixture.h"

namespace roster::tests {
namespace {

using eventstore::Position;

struct Sent {
  std::string org;
  std::string command_id;
  std::string email;
  api::service::Result<api::service::CommandOutcome> outcome;
};

class ServiceFaultTest : public NodeFaultFixture, public ::testing::WithParamInterface<Fault> {
 protected:
  ServiceFaultTest() {
    sync_ = true;  // a failing sync is one of the faults
    log_faults_.OnlyFilesNamed(".log");
    logger_ = std::make_shared<spdlog::logger>("node", lines_);
  }

  // How many logged lines contain `part`.
  size_t Logged(std::string_view part) {
    size_t n = 0;
    for (const std::string& line : lines_->last_formatted()) {
      if (line.find(part) != std::string::npos) ++n;
    }
    return n;
  }

  api::service::Result<api::service::CommandOutcome> Invite(const Sent& s) {
    return node_->commands().Execute(
        domain::OrgId(s.org), domain::InviteMember{s.email, "", "Editor", ""},
        api::service::CommandContext{
            domain::UserId("owner-" + s.org), s.command_id, "", "test", {}});
  }
  // The invitations the model holds for `org`, by email, as of `token`.
  std::map<std::string, int> InvitedEmails(const std::string& org, Position token) {
    auto page = node_->queries().Invitations(domain::OrgId(org), std::nullopt, 0, 1000, token);
    EXPECT_TRUE(page.has_value()) << page.error().message;
    std::map<std::string, int> emails;
    if (page) {
      for (const auto& v : page->invitations) ++emails[v.email];
    }
    return emails;
  }

  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> lines_ =
      std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10000);
};

TEST_P(ServiceFaultTest, CommandsFailUnavailableQueriesServeAndARestartKeepsEveryAcknowledgedOne) {
  constexpr int kClients = 4;
  constexpr int kMaxInvites = 40;  // below the organization's limit of pending invitations
  Open();
  for (int c = 0; c < kClients; ++c) {
    const std::string org = "org" + std::to_string(c);
    domain::CreateOrganization create;
    create.name = org;
    create.preset = "commerce";
    create.owner = domain::UserId("owner-" + org);
    create.owner_email = "owner@" + org + ".test";
    Exec(org, "owner-" + org, create, "create-" + org);
  }
  Arm(log_faults_, GetParam(), 10);
  std::vector<std::vector<Sent>> sent(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      const std::string org = "org" + std::to_string(c);
      for (int i = 0; i < kMaxInvites; ++i) {
        Sent s{org,
               org + "-invite-" + std::to_string(i),
               "u" + std::to_string(i) + "@" + org + ".test",
               {}};
        s.outcome = Invite(s);
        const bool ok = s.outcome.has_value();
        sent[c].push_back(std::move(s));
        if (!ok) return;
      }
    });
  }
  for (auto& client : clients) client.join();

  std::vector<const Sent*> failed;
  std::map<std::string, Position> acked_head;  // per organization: its last acknowledged position
  for (const auto& list : sent) {
    for (const Sent& s : list) {
      if (s.outcome) {
        ASSERT_TRUE(s.outcome->accepted()) << s.command_id << ": " << s.outcome->rejection->message;
        acked_head[s.org] = std::max(acked_head[s.org], s.outcome->position);
        continue;
      }
      failed.push_back(&s);
      EXPECT_EQ(s.outcome.error().code, "UNAVAILABLE") << s.outcome.error().message;
    }
  }
  ASSERT_EQ(failed.size(), static_cast<size_t>(kClients)) << "the disk never failed";
  // The operator is told once, whatever the number of commands that fail.
  EXPECT_EQ(Logged("the event log stopped accepting writes"), 1u);
  EXPECT_EQ(Logged("injected by FaultInjection"), 1u);

  // From now on every command fails at once, and says why.
  auto later = node_->commands().Execute(
      domain::OrgId("org0"), domain::InviteMember{"late@org0.test", "", "Editor", ""},
      api::service::CommandContext{domain::UserId("owner-org0"), "late", "", "test", {}});
  ASSERT_FALSE(later.has_value());
  EXPECT_EQ(later.error().code, "UNAVAILABLE");
  EXPECT_NE(later.error().message.find("stopped accepting writes"), std::string::npos)
      << later.error().message;
  auto login = node_->commands().ExecuteActivity(
      domain::OrgId("org0"), domain::RecordLogin{"10.0.0.1", "test"},
      api::service::CommandContext{domain::UserId("owner-org0"), "login", "", "test", {}});
  ASSERT_FALSE(login.has_value());
  EXPECT_EQ(login.error().code, "UNAVAILABLE");
  EXPECT_EQ(Logged("the event log stopped accepting writes"), 1u);

  // Queries answer what was acknowledged, even those waiting for a client's last token.
  for (const auto& list : sent) {
    const std::string& org = list.front().org;
    const auto emails = InvitedEmails(org, acked_head[org]);
    for (const Sent& s : list) EXPECT_EQ(emails.count(s.email), s.outcome ? 1u : 0u) << s.email;
    auto check = node_->queries().Check(domain::OrgId(org), domain::UserId("owner-" + org),
                                        "members.invite", std::nullopt, acked_head[org]);
    ASSERT_TRUE(check.has_value()) << check.error().message;
    EXPECT_TRUE(check->allowed);
  }

  RestartHealed();
  auto report = node_->log().Verify(0, 0);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->first_bad << ": " << report->problem;
  // Every acknowledged command is there: resent, it is a duplicate at the same position.
  for (const auto& list : sent) {
    for (const Sent& s : list) {
      if (!s.outcome) continue;
      auto again = Invite(s);
      ASSERT_TRUE(again.has_value()) << again.error().message;
      EXPECT_TRUE(again->duplicate) << s.command_id;
      EXPECT_EQ(again->position, s.outcome->position) << s.command_id;
    }
  }
  // A failed one takes effect once: a duplicate where its write reached the log after all.
  for (const Sent* s : failed) {
    auto again = Invite(*s);
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_TRUE(again->accepted()) << s->command_id;
    if (GetParam() != Fault::kSyncFails) {
      EXPECT_FALSE(again->duplicate) << s->command_id;
    }
    auto twice = Invite(*s);
    ASSERT_TRUE(twice.has_value());
    EXPECT_TRUE(twice->duplicate);
  }
  const Position last = node_->log().LastPosition();
  for (const auto& list : sent) {
    const auto emails = InvitedEmails(list.front().org, last);
    EXPECT_EQ(emails.size(), list.size());
    for (const Sent& s : list) EXPECT_EQ(emails.count(s.email) ? emails.at(s.email) : 0, 1);
  }
  ExpectEqualsRebuildFromScratch();
}

INSTANTIATE_TEST_SUITE_P(Faults, ServiceFaultTest,
                         ::testing::Values(Fault::kWriteFails, Fault::kTornWrite,
                                           Fault::kSyncFails),
                         FaultName);

}  // namespace
}  // namespace roster::tests
