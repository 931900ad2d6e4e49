// The command service end to end on a real log: decide, append, idempotency, conflicts,
// snapshots and read-your-writes.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "api/service/accept_token.h"
#include "api/service/secrets.h"
#include "eventstore/codec/streams.h"
#include "projections/row_codec.h"
#include "tests/service/node_fixture.h"

namespace roster::tests {
namespace {

using namespace domain;

class CommandServiceTest : public NodeFixture {
 protected:
  void SetUp() override {
    Open();
    auto created = Exec("acme", "olive",
                        CreateOrganization{OrgId("acme"),
                                           "Acme",
                                           "commerce",
                                           UserId("olive"),
                                           "olive@acme.test",
                                           "Olive",
                                           {},
                                           {}});
    ASSERT_TRUE(created.accepted());
  }

  // Invites `user` as `role` and accepts; returns the accept's outcome.
  api::service::CommandOutcome Join(const std::string& user, const std::string& role) {
    auto invited = Exec("acme", "olive", InviteMember{user + "@acme.test", "", role, ""});
    EXPECT_TRUE(invited.accepted());
    EXPECT_FALSE(invited.invitation_token.empty());
    const auto& sent = std::get<InvitationSent>(invited.events.back());
    return Exec("acme", user,
                AcceptInvitation{sent.invitation_id,
                                 api::service::HashSecretToken(invited.invitation_token).value(),
                                 user + "@acme.test", ""});
  }

  size_t StreamLength(const std::string& org) {
    auto records = node_->log().ReadStream(eventstore::codec::OrgStream(OrgId(org)), 0, 1'000'000);
    EXPECT_TRUE(records.has_value());
    return records ? records->size() : 0;
  }
};

TEST_F(CommandServiceTest, InvitationTokenIsReturnedOnceAndOnlyItsHashIsStored) {
  auto invited = Exec("acme", "olive", InviteMember{"ana@acme.test", "Ana", "Editor", ""});
  ASSERT_TRUE(invited.accepted());
  ASSERT_EQ(invited.invitation_token.size(), 43u);  // 256 bits, base64url
  const auto& sent = std::get<InvitationSent>(invited.events.back());
  EXPECT_EQ(sent.token_hash, api::service::HashSecretToken(invited.invitation_token).value());
  auto records = node_->log().ReadAll(1, 100);
  ASSERT_TRUE(records.has_value());
  for (const auto& r : *records) {
    EXPECT_EQ(r.payload.find(invited.invitation_token), std::string::npos);
  }
  auto wrong =
      Exec("acme", "ana",
           AcceptInvitation{sent.invitation_id, api::service::HashSecretToken("guess").value(),
                            "ana@acme.test", ""});
  ASSERT_TRUE(wrong.rejection.has_value());
  EXPECT_EQ(wrong.rejection->code, ErrorCode::kInvalidToken);
  EXPECT_TRUE(Join("bo", "Editor").accepted());
}

// Logs hold the hashes of tokens already handed out: the hash must stay SHA-256 in lowercase
// hex, or every pending invitation in an existing log would stop accepting its token.
TEST(InvitationTokenHash, IsSha256InLowercaseHexOnEveryThread) {
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  EXPECT_EQ(api::service::HashSecretToken("abc").value(), abc);
  EXPECT_EQ(api::service::HashSecretToken("").value(), empty);
  EXPECT_EQ(api::service::HashSecretToken("abc").value(), abc);  // the reused context starts afresh
  std::string other_thread;
  std::thread([&] { other_thread = api::service::HashSecretToken("abc").value(); }).join();
  EXPECT_EQ(other_thread, abc);
}

TEST(InvitationToken, IsFresh256BitsOfBase64UrlEveryTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = api::service::NewSecretToken().value();
    ASSERT_EQ(token.size(), 43u);
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << token;
    EXPECT_TRUE(seen.insert(token).second) << "drawn twice: " << token;
  }
}

TEST_F(CommandServiceTest, RetryWithSameCommandIdReturnsFirstOutcomeAndAppendsNothing) {
  auto first = Exec("acme", "olive", InviteMember{"ana@acme.test", "", "Editor", ""}, "cmd-1");
  ASSERT_TRUE(first.accepted());
  const size_t length = StreamLength("acme");
  auto retry = Exec("acme", "olive", InviteMember{"ana@acme.test", "", "Editor", ""}, "cmd-1");
  EXPECT_TRUE(retry.accepted());
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.position, first.position);
  EXPECT_EQ(retry.events, first.events);
  EXPECT_TRUE(retry.invitation_token.empty());  // the secret is handed out once
  EXPECT_EQ(StreamLength("acme"), length);
  // After a restart too.
  Reopen();
  auto again = Exec("acme", "olive", InviteMember{"ana@acme.test", "", "Editor", ""}, "cmd-1");
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.events, first.events);
  EXPECT_EQ(StreamLength("acme"), length);
}

// InviteMembers: one outcome per entry, a token per accepted one; the accepted entries' events
// are one append; a retry (also after a restart) gives the same ids and refusals, without the
// secrets, and appends nothing.
TEST_F(CommandServiceTest, BulkInviteAnswersEveryEntryAndARetryTheSameOutcomes) {
  Join("ana", "Editor");
  const InviteMembers bulk{{
      InviteMember{"bo@acme.test", "", "Editor", ""},
      InviteMember{"ana@acme.test", "", "Editor", ""},
      InviteMember{"BO@acme.test", "", "Billing", ""},
      InviteMember{"cy@acme.test", "", "Billing", "", 3},
  }};
  const size_t before = StreamLength("acme");
  auto first = Exec("acme", "olive", bulk, "bulk-1");
  ASSERT_TRUE(first.accepted());
  ASSERT_EQ(first.entries.size(), 4u);
  EXPECT_EQ(first.entries[0].invitation_id, "i2");
  EXPECT_EQ(first.entries[0].invitation_token.size(), 43u);
  EXPECT_EQ(first.entries[1].rejection->code, ErrorCode::kAlreadyMember);
  EXPECT_EQ(first.entries[2].rejection->code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(first.entries[3].invitation_id, "i3");
  EXPECT_NE(first.entries[3].invitation_token, first.entries[0].invitation_token);
  EXPECT_EQ(StreamLength("acme"), before + 2);
  // Each token accepts its own invitation.
  const auto& sent = std::get<InvitationSent>(first.events.back());
  EXPECT_EQ(sent.expires_at - sent.sent_at, Days(3));
  EXPECT_EQ(sent.token_hash,
            api::service::HashSecretToken(first.entries[3].invitation_token).value());

  Reopen();
  auto retry = Exec("acme", "olive", bulk, "bulk-1");
  EXPECT_TRUE(retry.duplicate);
  ASSERT_EQ(retry.entries.size(), 4u);
  EXPECT_EQ(retry.entries[0].invitation_id, "i2");
  EXPECT_TRUE(retry.entries[0].invitation_token.empty());  // handed out once
  EXPECT_EQ(retry.entries[1].rejection, first.entries[1].rejection);
  EXPECT_EQ(retry.entries[2].rejection, first.entries[2].rejection);
  EXPECT_EQ(retry.entries[3].invitation_id, "i3");
  EXPECT_EQ(StreamLength("acme"), before + 2);

  // Every entry refused: accepted with nothing appended, and a retry answers the same.
  const InviteMembers none{{InviteMember{"ana@acme.test", "", "Editor", ""}}};
  auto refused = Exec("acme", "olive", none, "bulk-2");
  ASSERT_TRUE(refused.accepted());
  ASSERT_EQ(refused.entries.size(), 1u);
  EXPECT_EQ(refused.entries[0].rejection->code, ErrorCode::kAlreadyMember);
  auto refused_again = Exec("acme", "olive", none, "bulk-2");
  EXPECT_TRUE(refused_again.duplicate);
  ASSERT_EQ(refused_again.entries.size(), 1u);
  EXPECT_EQ(refused_again.entries[0].rejection, refused.entries[0].rejection);
  EXPECT_EQ(StreamLength("acme"), before + 2);
}

// A crash can lose the outcome row a bulk invite writes after its append: a retry then still
// pairs each sent invitation with its own email (the log says which were sent), and says that
// the reason for the others was not kept.
TEST_F(CommandServiceTest, BulkRetryAfterItsOutcomeRowWasLostPairsInvitationsWithTheirEmails) {
  Join("ana", "Editor");
  const InviteMembers bulk{{
      InviteMember{"ana@acme.test", "", "Editor", ""},
      InviteMember{"bo@acme.test", "", "Editor", ""},
      InviteMember{"cy@acme.test", "", "Billing", ""},
  }};
  auto first = Exec("acme", "olive", bulk, "bulk-lost");
  ASSERT_TRUE(first.accepted());
  ASSERT_EQ(first.entries.size(), 3u);
  ASSERT_TRUE(first.entries[0].rejection.has_value());
  auto outcomes = node_->views().OpenTable("outcomes");
  ASSERT_TRUE(outcomes.has_value());
  projections::ViewBatch lose;
  lose.Delete(**outcomes, "bulk-lost");
  ASSERT_TRUE(node_->views().Write(lose).has_value());

  Reopen();
  auto retry = Exec("acme", "olive", bulk, "bulk-lost");
  EXPECT_TRUE(retry.duplicate);
  ASSERT_EQ(retry.entries.size(), 3u);
  ASSERT_TRUE(retry.entries[0].rejection.has_value());
  EXPECT_NE(retry.entries[0].rejection->message.find("not kept"), std::string::npos);
  EXPECT_EQ(retry.entries[1].invitation_id, first.entries[1].invitation_id);
  EXPECT_EQ(retry.entries[2].invitation_id, first.entries[2].invitation_id);
}

TEST(AcceptTokenTest, CarriesTheOrganizationTheInvitationAndTheSecret) {
  const std::string token = api::service::MakeAcceptToken("acme-1", "i42", "s3cr-t_x");
  EXPECT_EQ(token.rfind("rinv_", 0), 0u);
  EXPECT_EQ(token.find('='), std::string::npos);
  auto parts = api::service::ParseAcceptToken(token);
  ASSERT_TRUE(parts.has_value()) << parts.error().message;
  EXPECT_EQ(parts->org, "acme-1");
  EXPECT_EQ(parts->invitation_id, "i42");
  EXPECT_EQ(parts->secret, "s3cr-t_x");
  for (const std::string bad :
       {std::string(""), std::string("rinv_"), std::string("rinv_!!!"), std::string("abc"),
        token.substr(5), "rinv_" + std::string("YWNtZQ"),  // "acme": no parts
        api::service::MakeAcceptToken("acme", "i1", "")}) {
    auto p = api::service::ParseAcceptToken(bad);
    ASSERT_FALSE(p.has_value()) << bad;
    EXPECT_EQ(p.error().code, "INVALID_ARGUMENT");
  }
}

TEST_F(CommandServiceTest, RetryOfARejectedCommandReturnsTheRejectionEvenIfItWouldNowPass) {
  auto first = Exec("acme", "ana", InviteMember{"x@acme.test", "", "Editor", ""}, "cmd-2");
  ASSERT_TRUE(first.rejection.has_value());
  EXPECT_EQ(first.rejection->code, ErrorCode::kPermissionDenied);
  Join("ana", "Manager");  // now ana could invite
  const size_t length = StreamLength("acme");
  auto retry = Exec("acme", "ana", InviteMember{"x@acme.test", "", "Editor", ""}, "cmd-2");
  ASSERT_TRUE(retry.rejection.has_value());
  EXPECT_EQ(retry.rejection->code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(StreamLength("acme"), length);
}

// The API layer digests what a command asks (api/dispatch/commands.cc); here the digests are
// stand-ins, since the service only compares them.
TEST_F(CommandServiceTest, CommandIdReusedForADifferentRequestIsAConflictAcrossARestart) {
  const InviteMember ana{"ana@acme.test", "", "Editor", ""};
  const InviteMember eve{"eve@acme.test", "", "Owner", ""};
  auto first = Exec("acme", "olive", ana, "key-1", "digest-ana");
  ASSERT_TRUE(first.accepted());
  const size_t length = StreamLength("acme");
  auto check = [&] {
    auto same = Exec("acme", "olive", ana, "key-1", "digest-ana");
    EXPECT_TRUE(same.accepted());
    EXPECT_TRUE(same.duplicate);
    EXPECT_EQ(same.position, first.position);
    EXPECT_EQ(same.events, first.events);
    auto other = Exec("acme", "olive", eve, "key-1", "digest-eve");
    ASSERT_TRUE(other.rejection.has_value());
    EXPECT_EQ(other.rejection->code, ErrorCode::kConflict);
    EXPECT_NE(other.rejection->message.find("different request"), std::string::npos)
        << other.rejection->message;
    EXPECT_FALSE(other.duplicate);  // not the first outcome: a refusal of this request
    EXPECT_TRUE(other.events.empty());
    EXPECT_EQ(StreamLength("acme"), length);  // eve was never invited
  };
  check();
  Reopen();
  check();
}

TEST_F(CommandServiceTest, RejectedCommandIdReusedForADifferentRequestIsAConflictAcrossARestart) {
  auto first = Exec("acme", "olive", RemoveMember{UserId("olive")}, "key-2", "digest-remove");
  ASSERT_TRUE(first.rejection.has_value());
  EXPECT_EQ(first.rejection->code, ErrorCode::kLastOwner);
  Reopen();
  auto same = Exec("acme", "olive", RemoveMember{UserId("olive")}, "key-2", "digest-remove");
  ASSERT_TRUE(same.rejection.has_value());
  EXPECT_EQ(same.rejection->code, ErrorCode::kLastOwner);
  EXPECT_TRUE(same.duplicate);
  const size_t length = StreamLength("acme");
  auto other = Exec("acme", "olive", RenameOrganization{"Acme 2"}, "key-2", "digest-rename");
  ASSERT_TRUE(other.rejection.has_value());
  EXPECT_EQ(other.rejection->code, ErrorCode::kConflict);
  EXPECT_EQ(StreamLength("acme"), length);
  EXPECT_EQ(node_->commands().State(OrgId("acme"))->name, "Acme");
}

TEST_F(CommandServiceTest, CommandIdWithoutDigestsIsNotCompared) {
  // Callers that send no digest (and outcomes recorded before digests were kept) get the
  // first outcome back, as before.
  auto first = Exec("acme", "olive", RenameOrganization{"Acme 2"}, "key-3", "digest-2");
  ASSERT_TRUE(first.accepted());
  auto retry = Exec("acme", "olive", RenameOrganization{"Acme 3"}, "key-3");
  EXPECT_TRUE(retry.accepted());
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.events, first.events);
}

TEST_F(CommandServiceTest, CommandIdReusedOnAnotherOrganizationIsAConflict) {
  Exec("globex", "gus",
       CreateOrganization{
           OrgId("globex"), "Globex", "api", UserId("gus"), "gus@globex.test", "", {}, {}});
  ASSERT_TRUE(Exec("acme", "olive", RenameOrganization{"Acme 2"}, "shared-id").accepted());
  auto reused = Exec("globex", "gus", RenameOrganization{"Globex 2"}, "shared-id");
  ASSERT_TRUE(reused.rejection.has_value());
  EXPECT_EQ(reused.rejection->code, ErrorCode::kConflict);
  auto state = node_->commands().State(OrgId("globex"));
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->name, "Globex");
}

TEST_F(CommandServiceTest, RejectedCommandAppendsNothing) {
  const eventstore::Position before = node_->log().LastPosition();
  auto last_owner = Exec("acme", "olive", RemoveMember{UserId("olive")});
  ASSERT_TRUE(last_owner.rejection.has_value());
  EXPECT_EQ(last_owner.rejection->code, ErrorCode::kLastOwner);
  EXPECT_EQ(node_->log().LastPosition(), before);
}

TEST_F(CommandServiceTest, AppendBehindTheServicesBackIsDetectedAndTheCommandDecidedAgain) {
  ASSERT_TRUE(Join("ana", "Editor").accepted());
  // Another writer changes ana's role directly in the log; the service's cached state is stale.
  auto state = node_->commands().State(OrgId("acme"));
  ASSERT_TRUE(state.has_value());
  const Member& ana = state->members.at(UserId("ana"));
  eventstore::AppendRequest direct;
  direct.stream = eventstore::codec::OrgStream(OrgId("acme"));
  direct.expected = eventstore::ExpectedVersion::Any();
  direct.events.push_back(node_->codec().Encode(
      MemberRoleChanged{ana.membership_id, UserId("ana"), "Editor", "Billing"}));
  ASSERT_TRUE(node_->log().Append(direct).has_value());
  // Deciding on the stale state would emit Editor -> Manager; the service must see Billing.
  auto changed = Exec("acme", "olive", ChangeRole{UserId("ana"), "Manager"});
  ASSERT_TRUE(changed.accepted());
  ASSERT_EQ(changed.events.size(), 1u);
  EXPECT_EQ(std::get<MemberRoleChanged>(changed.events[0]).from_role, "Billing");
}

TEST_F(CommandServiceTest, SnapshotsLoadToTheSameStateAsAFullReplay) {
  Close();
  sync_ = false;
  auto options = Options();
  options.commands.snapshot_every = 7;
  auto node = api::service::Node::Open(dir_.path(), clock_, logger_, options);
  ASSERT_TRUE(node.has_value());
  node_ = std::move(*node);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(Join("u" + std::to_string(i), i % 2 ? "Editor" : "Billing").accepted());
  }
  auto cached = node_->commands().State(OrgId("acme"));
  ASSERT_TRUE(cached.has_value());
  auto snapshot_row = node_->views().OpenTable("snapshots");
  ASSERT_TRUE(snapshot_row.has_value());
  auto row = (*snapshot_row)->Get("acme");
  ASSERT_TRUE(row.has_value() && row->has_value()) << "a snapshot was written";
  node_->commands().DropCache();
  auto loaded = node_->commands().State(OrgId("acme"));
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(*loaded, *cached);
  // And equal to replaying every event from scratch.
  auto replayed = projections::ReplayOrganization(node_->log(), node_->codec(), OrgId("acme"), {});
  ASSERT_TRUE(replayed.has_value());
  EXPECT_EQ(replayed->state, *cached);
}

TEST_F(CommandServiceTest, SnapshotOfAnotherFormatIsIgnored) {
  ASSERT_TRUE(Join("ana", "Editor").accepted());
  auto table = node_->views().OpenTable("snapshots");
  ASSERT_TRUE(table.has_value());
  projections::ViewBatch batch;
  // A snapshot claiming a future format and a bogus state must not be trusted.
  batch.Put(**table, "acme",
            projections::RowWriter().U32(999).I64(100).U64(100).Str("garbage").Take());
  ASSERT_TRUE(node_->views().Write(batch).has_value());
  node_->commands().DropCache();
  auto state = node_->commands().State(OrgId("acme"));
  ASSERT_TRUE(state.has_value());
  EXPECT_TRUE(state->members.contains(UserId("ana")));
}

TEST_F(CommandServiceTest, EveryEventCarriesItsMetadata) {
  auto outcome = node_->commands().Execute(
      OrgId("acme"), RenameOrganization{"Acme Corp"},
      api::service::CommandContext{UserId("olive"), "cmd-meta", "corr-7", "svc-billing", {}});
  ASSERT_TRUE(outcome.has_value());
  auto records = node_->log().ReadAll(outcome->position, 1);
  ASSERT_TRUE(records.has_value());
  const auto& m = records->at(0).metadata;
  EXPECT_EQ(m.actor, "olive");
  EXPECT_EQ(m.command_id, "cmd-meta");
  EXPECT_EQ(m.correlation_id, "corr-7");
  EXPECT_EQ(m.source, "svc-billing");
  EXPECT_EQ(m.time_us, ToMicros(clock_.Now()));
}

TEST_F(CommandServiceTest, ReadYourWritesWithTheConsistencyToken) {
  for (int i = 0; i < 300; ++i) {
    const std::string user = "rw" + std::to_string(i);
    auto joined = Join(user, "Editor");
    ASSERT_TRUE(joined.accepted());
    auto page =
        node_->queries().ListMembers(domain::OrgId("acme"), {}, false, 0, 1000, joined.position);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    EXPECT_EQ(page->members.back().user_id, user);
    auto changed = Exec("acme", "olive", ChangeRole{UserId(user), "Manager"});
    auto check = node_->queries().Check(domain::OrgId("acme"), domain::UserId(user),
                                        "members.invite", std::nullopt, changed.position);
    ASSERT_TRUE(check.has_value());
    EXPECT_TRUE(check->allowed) << check->reason;
  }
}

TEST_F(CommandServiceTest, LoginsGoToTheActivityStreamAndNeverConflictWithCommands) {
  ASSERT_TRUE(Join("ana", "Editor").accepted());
  const size_t length = StreamLength("acme");
  for (int i = 0; i < 20; ++i) {
    auto login = node_->commands().ExecuteActivity(
        OrgId("acme"), RecordLogin{"198.51.100.7", "test"},
        api::service::CommandContext{UserId("ana"), "", "", "test", {}});
    ASSERT_TRUE(login.has_value());
    EXPECT_EQ(login->events.size(), 1u);
  }
  EXPECT_EQ(StreamLength("acme"), length) << "logins stay off the organization stream";
  auto stranger = node_->commands().ExecuteActivity(
      OrgId("acme"), RecordLogin{"", ""},
      api::service::CommandContext{UserId("zed"), "", "", "test", {}});
  ASSERT_TRUE(stranger.has_value());
  ASSERT_TRUE(stranger->rejection.has_value());
}

}  // namespace
}  // namespace roster::tests
