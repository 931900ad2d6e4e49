// The upgrade path: tests/fixtures/rev1 was written by revision-1 code (invitation.sent with an
// absolute deadline, invitations projection version 1). Opened by the current code, it replays
// to exactly the expected state through the revision-1 upcaster, the stale projection is
// rebuilt automatically and serves queries, and not one stored log byte changes.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <sstream>

#include "api/service/audit_queries.h"
#include "eventstore/testing/raw_rocks.h"
#include "tests/audit/year_fixture.h"
#include "tests/fixtures/rev1_history.h"

namespace roster::tests {
namespace {

using Stored = std::vector<std::pair<std::string, std::string>>;

// Every stored byte of the log's families (records, stream heads, command outcomes and the
// store's own metadata), each key prefixed with its family.
Stored LogFamily(const std::filesystem::path& log_dir) {
  eventstore::testing::RawRocks raw(log_dir);
  Stored out;
  for (const char* family : {"log", "streams", "commands", "default"}) {
    std::unique_ptr<rocksdb::Iterator> it(
        raw.db()->NewIterator(rocksdb::ReadOptions(), raw.family(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.emplace_back(std::string(family) + "/" + it->key().ToString(), it->value().ToString());
    }
  }
  return out;
}

std::string Day(int64_t us) {
  return std::to_string((us - fixtures::kRev1Start) / 86'400'000'000) + "d+" +
         std::to_string((us - fixtures::kRev1Start) % 86'400'000'000 / 60'000'000) + "m";
}

// Everything the aggregate holds that a rule reads, in a fixed order.
std::string Render(const domain::OrganizationState& s) {
  std::ostringstream o;
  o << s.org_id.value << " \"" << s.name << "\" " << (s.status == domain::OrgStatus::kActive)
    << " preset=" << s.catalog.preset() << " owner_role=" << s.catalog.owner_role()
    << " ttl=" << s.settings.invitation_ttl_days << " max=" << s.settings.max_pending_invitations
    << " memberships=" << s.memberships_created << " invitations=" << s.invitations_created << "\n";
  std::map<uint64_t, const domain::Member*> members;
  for (const auto& [u, m] : s.members) members[m.join_seq] = &m;
  for (const auto& [seq, m] : members) {
    o << "member " << m->user_id.value << " " << m->membership_id.value << " " << m->email.value()
      << " \"" << m->display_name << "\" " << m->role << "\n";
  }
  std::map<std::string, const domain::Invitation*> invitations;
  for (const auto& [id, inv] : s.invitations) invitations[id.value] = &inv;
  for (const auto& [id, inv] : invitations) {
    o << "invitation " << id << " " << inv->email.value() << " " << inv->role << " by "
      << inv->inviter.value << " " << domain::InvitationStatusName(inv->status) << " sent "
      << Day(domain::ToMicros(inv->sent_at)) << " expires "
      << Day(domain::ToMicros(inv->expires_at)) << " resends " << inv->resend_count << " token "
      << inv->token_hash << "\n";
  }
  for (const auto& [at, id] : s.pending_by_expiry) o << "pending " << id.value << "\n";
  std::map<std::string, const domain::Project*> projects;
  for (const auto& [id, p] : s.projects) projects[id.value] = &p;
  for (const auto& [id, p] : projects) {
    o << "project " << id << " \"" << p->name << "\"" << (p->deleted ? " deleted" : "");
    std::map<std::string, std::string> direct;
    for (const auto& [u, r] : p->direct_members) direct[u.value] = r;
    for (const auto& [u, r] : direct) o << " " << u << "=" << r;
    o << "\n";
  }
  return o.str();
}

const char* kAcme =
    R"(acme "Acme Corp" 1 preset=platform owner_role=Owner ttl=7 max=50 memberships=3 invitations=5
member alice m1 alice@example.com "alice" Owner
member bob m2 bob@example.com "bob" Admin
invitation i1 bob@example.com Developer by alice accepted sent 1d+0m expires 8d+0m resends 0 token h-bob
invitation i2 carol@example.com Admin by alice accepted sent 5d+0m expires 12d+0m resends 1 token h-carol-2
invitation i3 dave@example.com Viewer by alice expired sent 3d+10m expires 10d+10m resends 0 token h-dave
invitation i4 frank@example.com Developer by alice revoked sent 31d+0m expires 38d+0m resends 0 token h-frank
invitation i5 gina@example.com Viewer by carol pending sent 40d+0m expires 47d+0m resends 0 token h-gina
pending i5
project p-web "Website" erin=Viewer
)";

const char* kGlobex =
    R"(globex "Globex Corporation" 1 preset=workspace owner_role=Owner ttl=7 max=50 memberships=2 invitations=1
member olga m1 olga@example.com "olga" Owner
invitation i1 bob@example.com Member by olga accepted sent 11d+0m expires 18d+0m resends 0 token h-bob-g
project p-ops "Ops"
)";

class UpgradeTest : public NodeFixture {
 protected:
  void SetUp() override {
    std::filesystem::copy(ROSTER_FIXTURES_DIR "/rev1", dir_.path(),
                          std::filesystem::copy_options::recursive);
    clock_.Set(domain::FromMicros(fixtures::kRev1Start) + domain::Days(41));
  }
};

TEST_F(UpgradeTest, TheFixtureIsRevisionOneAndTheGeneratorStillWritesItsBytes) {
  const Stored fixture = LogFamily(dir_.path() / "log");
  ASSERT_EQ(std::count_if(fixture.begin(), fixture.end(),
                          [](const auto& kv) { return kv.first.starts_with("log/"); }),
            30);  // records
  eventstore::testing::TempDir fresh("roster-rev1-regen");
  {
    eventstore::StoreOptions options;
    options.sync = false;
    auto store = eventstore::OpenRocksEventStore(fresh.path() / "log", options);
    ASSERT_TRUE(store.has_value());
    eventstore::codec::EventCodec codec;
    fixtures::WriteRev1History(**store, codec);
  }
  EXPECT_EQ(LogFamily(fresh.path() / "log"), fixture);
}

TEST_F(UpgradeTest, ReplaysToExactlyTheExpectedStateWithoutRewritingTheLog) {
  const Stored before = LogFamily(dir_.path() / "log");
  Open();  // rebuilds the version-1 invitations projection, then serves
  for (const auto& s : node_->engine().Describe()) {
    EXPECT_TRUE(s.ready) << s.name;
    EXPECT_EQ(s.position, 30u) << s.name;
    if (s.name == "invitations") {
      EXPECT_EQ(s.version, 3u);     // 2: validFor; 3: project invitations (issue 21)
      EXPECT_EQ(s.generation, 2u);  // rebuilt beside generation 1
    }
    if (s.name == "members") {
      EXPECT_EQ(s.generation, 1u);  // unchanged: loaded, not rebuilt
    }
  }
  // Every invitation.sent in the log is revision 1 and decodes through the upcaster.
  auto records = node_->log().ReadAll(1, 100);
  ASSERT_TRUE(records.has_value());
  size_t sent = 0;
  for (const auto& r : *records) {
    if (r.type != "invitation.sent") continue;
    ++sent;
    EXPECT_EQ(r.revision, 1);
    EXPECT_TRUE(node_->codec().Decode(r).has_value());
  }
  EXPECT_EQ(sent, 6u);
  EXPECT_EQ(node_->codec().CurrentRevision("invitation.sent"), 2);

  auto acme =
      api::service::OrganizationAsOf(node_->log(), node_->codec(), domain::OrgId("acme"), {});
  ASSERT_TRUE(acme.has_value());
  EXPECT_EQ(Render(acme->at.state), kAcme);
  auto globex =
      api::service::OrganizationAsOf(node_->log(), node_->codec(), domain::OrgId("globex"), {});
  ASSERT_TRUE(globex.has_value());
  EXPECT_EQ(Render(globex->at.state), kGlobex);

  // The rebuilt projection answers in its new shape.
  auto invitations = node_->queries().Invitations(domain::OrgId("acme"), std::nullopt, 0, 100, 0);
  ASSERT_TRUE(invitations.has_value());
  ASSERT_EQ(invitations->invitations.size(), 5u);
  for (const auto& inv : invitations->invitations) {
    EXPECT_EQ(inv.valid_for_us, domain::Days(7).count()) << inv.invitation_id;
  }
  EXPECT_EQ(invitations->invitations.back().status, domain::InvitationStatus::kPending);
  auto members =
      node_->queries().ListMembers(domain::OrgId("acme"), api::service::Viewer{}, false, 0, 100, 0);
  ASSERT_TRUE(members.has_value());
  ASSERT_EQ(members->members.size(), 2u);
  EXPECT_EQ(members->members[1].role, "Admin");
  auto check = node_->queries().Check(domain::OrgId("acme"), domain::UserId("erin"),
                                      "projects.view", domain::ProjectId("p-web"), 0);
  ASSERT_TRUE(check.has_value());
  EXPECT_TRUE(check->allowed);
  auto history = node_->queries().UserHistory(domain::UserId("bob"), {});
  ASSERT_TRUE(history.has_value());
  // One row per command: leaving globex (member.left and the end of the p-ops grant) is one.
  EXPECT_EQ(history->size(), 6u);
  Close();
  EXPECT_EQ(LogFamily(dir_.path() / "log"), before);
}

TEST_F(UpgradeTest, StatsNamesTheStaleProjectionBeforeTheUpgradeOpens) {
  Captured c;
  ASSERT_EQ(tools::admin::RunStats(dir_.path(), c.io), 0) << c.err.str();
  EXPECT_NE(c.out.str().find("invitations: version 1, position 30, lag 0, STALE: this binary "
                             "has version 3"),
            std::string::npos)
      << c.out.str();
}

}  // namespace
}  // namespace roster::tests
