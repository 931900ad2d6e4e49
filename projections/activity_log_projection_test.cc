// ActivityLogProjection: given events in the log, then the entries a filter selects (by
// organization, actor, subject, action and time, oldest or newest first), read back from the log
// through the index the projection wrote to its table.
#include "projections/activity_log_projection.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/testing/given.h"
#include "projections/testing/feed.h"

namespace roster::projections {
namespace {

using namespace domain;
using domain::testing::Invited;
using domain::testing::Joined;
using domain::testing::kT0;
using domain::testing::Mail;
using domain::testing::OrgCreated;
using domain::testing::ProjectMade;
using domain::testing::User;
using testing::Feed;

const Time kT1 = kT0 + Days(1);
const Time kT2 = kT0 + Days(2);
const Time kT3 = kT0 + Days(3);

// An ActivityFilter set field by field (designated initializers would leave its optionals to a
// -Wmissing-field-initializers warning).
class Filter {
 public:
  Filter& Org(std::string org) { return Set(filter_.org, std::move(org)); }
  Filter& Actor(std::string actor) { return Set(filter_.actor, std::move(actor)); }
  Filter& Subject(std::string subject) { return Set(filter_.subject, std::move(subject)); }
  Filter& Action(std::string action) { return Set(filter_.action, std::move(action)); }
  Filter& From(Time t) { return Set(filter_.from_us, ToMicros(t)); }
  Filter& To(Time t) { return Set(filter_.to_us, ToMicros(t)); }
  Filter& NewestFirst(bool newest_first = true) { return Set(filter_.newest_first, newest_first); }
  operator const ActivityFilter&() const { return filter_; }

 private:
  template <class Field, class Value>
  Filter& Set(Field& field, Value value) {
    field = std::move(value);
    return *this;
  }
  ActivityFilter filter_;
};

class ActivityLogProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override { store_.Attach(activity_); }

  // Membership events of two organizations, by three actors over four days, with logins between.
  void History() {
    feed_.By("owner").Given(OrgCreated("workspace"),
                            Invited("i1", "ana@example.com", "Member", "owner", "hash"));
    feed_.By("ana").At(kT1).Given(InvitationAccepted{InvitationId("i1"), Mail("ana@example.com"),
                                                     User("ana"), MembershipId("m2")},
                                  Joined("m2", "ana", "Member"),
                                  MemberLoggedIn{User("ana"), kT1, "10.0.0.1", "curl"});
    feed_.By("owner").At(kT2).Given(
        MemberRoleChanged{MembershipId("m2"), User("ana"), "Member", "Owner"},
        MemberActive{User("owner"), kT2}, ProjectMade("web"));
    feed_.At(kT3).Given(OwnershipTransferred{User("owner"), User("ana"), "Member", "Member"});
    feed_.In("org-2").By("cy").Given(OrgCreated("api", "cy", "org-2"));
  }

  // The entries the filter selects among everything fed, after the index is written.
  std::vector<ActivityEntry> Entries(const ActivityFilter& filter, size_t limit = 100) {
    store_.Flush(activity_);
    auto page = activity_.Query(filter, limit, feed_.position());
    EXPECT_TRUE(page.has_value()) << page.error().message;
    return page ? page->entries : std::vector<ActivityEntry>{};
  }
  // "action subject" of each entry.
  std::vector<std::string> Listed(const ActivityFilter& filter) {
    std::vector<std::string> out;
    for (const ActivityEntry& e : Entries(filter)) out.push_back(e.action + " " + e.subject);
    return out;
  }

  testing::LogAndViews store_;
  ActivityLogProjection activity_{store_.log(), store_.codec()};
  Feed feed_ = store_.FeedOf(activity_);
};

TEST_F(ActivityLogProjectionTest, EveryMembershipEventOfTheOrganizationIsAnEntryOldestFirst) {
  History();
  EXPECT_EQ(
      Listed(Filter().Org("org-1")),
      (std::vector<std::string>{
          "organization.created org-1", "member.joined owner", "invitation.sent ana@example.com",
          "invitation.accepted ana@example.com", "member.joined ana", "member.role_changed ana",
          "project.created web", "ownership.transferred ana"}))
      << "logins and last-active marks are not membership events";
  EXPECT_EQ(Listed(Filter().Org("org-2")),
            (std::vector<std::string>{"organization.created org-2", "member.joined cy"}));
}

TEST_F(ActivityLogProjectionTest, AnEntryIsItsRecordDescribed) {
  History();
  const auto entries = Entries(Filter().Org("org-1").Action("member.role_changed"));
  ASSERT_EQ(entries.size(), 1u);
  const ActivityEntry& e = entries[0];
  auto records = store_.log().ReadAll(e.position, 1);
  ASSERT_TRUE(records.has_value() && records->size() == 1u);
  const eventstore::Record& r = records->front();
  EXPECT_EQ(r.type, "member.role_changed");
  EXPECT_EQ(e.time_us, ToMicros(kT2));
  EXPECT_EQ(e.time_us, r.metadata.time_us);
  EXPECT_EQ(e.org, "org-1");
  EXPECT_EQ(e.actor, "owner");
  EXPECT_EQ(e.subject, "ana");
  EXPECT_EQ(e.also_subject, "");
  EXPECT_EQ(e.project, "");
  EXPECT_EQ(e.before, "Member");
  EXPECT_EQ(e.after, "Owner");
  EXPECT_EQ(e.command_id, r.metadata.command_id);
  EXPECT_EQ(e.correlation_id, r.metadata.correlation_id);
  EXPECT_EQ(e.source, r.metadata.source);
  EXPECT_EQ(e.hash, r.hash);
}

TEST_F(ActivityLogProjectionTest, FiltersByActorSubjectAndAction) {
  History();
  EXPECT_EQ(Listed(Filter().Actor("ana")),
            (std::vector<std::string>{"invitation.accepted ana@example.com", "member.joined ana"}));
  EXPECT_EQ(Listed(Filter().Subject("ana@example.com")),
            (std::vector<std::string>{"invitation.sent ana@example.com",
                                      "invitation.accepted ana@example.com"}));
  EXPECT_EQ(Listed(Filter().Subject("web")), std::vector<std::string>{"project.created web"});
  EXPECT_EQ(Listed(Filter().Org("org-1").Actor("owner").Subject("ana")),
            (std::vector<std::string>{"member.role_changed ana", "ownership.transferred ana"}));
  // Without an organization, actor or subject there is no index to walk: the log is read.
  EXPECT_EQ(
      Listed(Filter().Action("member.joined")),
      (std::vector<std::string>{"member.joined owner", "member.joined ana", "member.joined cy"}));
  EXPECT_TRUE(Listed(Filter().Actor("nobody")).empty());
}

TEST_F(ActivityLogProjectionTest, TimeRangeIncludesItsStartAndExcludesItsEnd) {
  History();
  Filter day_one = Filter().Org("org-1").From(kT1).To(kT2);
  EXPECT_EQ(Listed(day_one),
            (std::vector<std::string>{"invitation.accepted ana@example.com", "member.joined ana"}));
  EXPECT_EQ(Listed(day_one.NewestFirst()),
            (std::vector<std::string>{"member.joined ana", "invitation.accepted ana@example.com"}));
  EXPECT_EQ(Listed(Filter().From(kT3)),
            (std::vector<std::string>{"ownership.transferred ana", "organization.created org-2",
                                      "member.joined cy"}));
}

TEST_F(ActivityLogProjectionTest, NewestFirstPagesBackwardsByPosition) {
  History();
  ActivityFilter filter = Filter().Org("org-1").NewestFirst();
  store_.Flush(activity_);
  auto first = activity_.Query(filter, 3, feed_.position());
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->entries.size(), 3u);
  EXPECT_EQ(first->entries[0].action, "ownership.transferred");
  EXPECT_EQ(first->entries[2].action, "member.role_changed");
  EXPECT_EQ(first->next_cursor, first->entries[2].position);
  filter.cursor = first->next_cursor;
  EXPECT_EQ(Listed(filter),
            (std::vector<std::string>{"member.joined ana", "invitation.accepted ana@example.com",
                                      "invitation.sent ana@example.com", "member.joined owner",
                                      "organization.created org-1"}));
  auto last = activity_.Query(filter, 5, feed_.position());
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->next_cursor, 0u) << "nothing before the oldest entry";
}

TEST_F(ActivityLogProjectionTest, OwnershipTransferIsFoundUnderBothOwners) {
  History();
  for (const std::string who : {"ana", "owner"}) {
    const auto entries =
        Entries(Filter().Org("org-1").Subject(who).Action("ownership.transferred"));
    ASSERT_EQ(entries.size(), 1u) << who;
    EXPECT_EQ(entries[0].subject, "ana");
    EXPECT_EQ(entries[0].also_subject, "owner");
    EXPECT_EQ(entries[0].before, "Member");
    EXPECT_EQ(entries[0].after, "owner (from owner, now Member)");
  }
}

// "What happened to ana's resources" is asked by ana's id: a reassignment away from her is
// found under her as well as under the resource.
TEST_F(ActivityLogProjectionTest, AResourceReassignmentIsFoundUnderItsPreviousOwner) {
  History();
  feed_.In("org-1").By("owner").Given(
      ResourceReassigned{ResourceId("agent-1"), User("ana"), User("owner"), "manual"});
  for (const std::string subject : {"ana", "agent-1"}) {
    const auto entries =
        Entries(Filter().Org("org-1").Subject(subject).Action("resource.reassigned"));
    ASSERT_EQ(entries.size(), 1u) << subject;
    EXPECT_EQ(entries[0].subject, "agent-1");
    EXPECT_EQ(entries[0].also_subject, "ana");
    EXPECT_EQ(entries[0].before, "ana");
    EXPECT_EQ(entries[0].after, "owner");
  }
}

TEST_F(ActivityLogProjectionTest, EntriesPastTheProjectionsPositionAreNotAnswered) {
  feed_.Given(OrgCreated("workspace"));
  const eventstore::Position reached = feed_.position();
  feed_.Given(Joined("m2", "ana", "Member"));
  store_.Flush(activity_);
  for (bool newest_first : {false, true}) {
    auto page = activity_.Query(Filter().Org("org-1").NewestFirst(newest_first), 100, reached);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->entries.size(), 2u) << "created and the owner's join, not ana's";
  }
}

TEST_F(ActivityLogProjectionTest, TheIndexIsReadFromTheTableWhateverBatchesWroteIt) {
  // Written one event per batch, so each key's positions span many chunk rows.
  feed_.Given(OrgCreated("workspace"));
  store_.Flush(activity_);
  for (int i = 2; i <= 6; ++i) {
    feed_.Given(Joined("m" + std::to_string(i), "u" + std::to_string(i), "Member"));
    store_.Flush(activity_);
  }
  // A new instance on the same table, as after a restart: it applied nothing itself.
  ActivityLogProjection restarted(store_.log(), store_.codec());
  store_.Attach(restarted);
  auto page = restarted.Query(Filter().Actor("owner").NewestFirst(), 100, feed_.position());
  ASSERT_TRUE(page.has_value());
  std::vector<std::string> subjects;
  for (const ActivityEntry& e : page->entries) subjects.push_back(e.subject);
  EXPECT_EQ(subjects, (std::vector<std::string>{"u6", "u5", "u4", "u3", "u2", "owner", "org-1"}));
}

}  // namespace
}  // namespace roster::projections
