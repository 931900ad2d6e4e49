// SPEC.md section 3, rule 9: logins and last-active times are recorded without flooding the
// log. Logins are always recorded; last-active marks are coalesced; only people with access to
// the org (members, project-only members) are recorded.
#include <gtest/gtest.h>

#include <chrono>

#include "domain/activity.h"
#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;
using std::chrono::minutes;
using std::chrono::seconds;

// Given org events and activity events / when an activity command / then events or rejection.
class Activity {
 public:
  explicit Activity(Scenario org) : org_(std::move(org)) {}

  Decision When(std::string_view actor, const ActivityCommand& c, Time now,
                const ActivityPolicy& policy = {}) const {
    return DecideActivity(org_.state(), activity_, User(actor), c, now, policy);
  }
  // Decides, requires acceptance, applies.
  std::vector<Event> Run(std::string_view actor, const ActivityCommand& c, Time now) {
    Decision d = When(actor, c, now);
    EXPECT_TRUE(d.has_value()) << Describe(d.error());
    if (!d) return {};
    for (const Event& e : *d) ApplyActivity(activity_, e);
    return *d;
  }
  const ActivityState& state() const { return activity_; }

 private:
  Scenario org_;
  ActivityState activity_;
};

// The rejection code, or nothing when accepted (never calls error() on an accepted decision).
std::optional<ErrorCode> CodeOf(const Decision& d) {
  return d ? std::nullopt : std::optional<ErrorCode>(d.error().code);
}

Scenario Org() {
  return Given(OrgCreated("analytics", "ada"), Joined("m2", "uma", "User"), ProjectMade("p1"),
               ProjectMember("p1", "client", "Viewer"), Joined("m3", "gone", "Guest"),
               MemberRemoved{MembershipId("m3"), User("gone"), Mail("gone@example.com"), "Guest"});
}

TEST(Rule9Test, EveryLoginIsRecorded) {
  Activity a(Org());
  EXPECT_EQ(a.Run("uma", RecordLogin{"10.0.0.1", "Firefox"}, kT0),
            (std::vector<Event>{MemberLoggedIn{User("uma"), kT0, "10.0.0.1", "Firefox"}}));
  // A second login a second later is a login too: never coalesced.
  EXPECT_EQ(
      a.Run("uma", RecordLogin{"10.0.0.2", "Chrome"}, kT0 + seconds(1)),
      (std::vector<Event>{MemberLoggedIn{User("uma"), kT0 + seconds(1), "10.0.0.2", "Chrome"}}));
  EXPECT_EQ(a.state().last_seen.at(User("uma")), kT0 + seconds(1));
}

TEST(Rule9Test, LastActiveMarksAreCoalesced) {
  Activity a(Org());
  EXPECT_EQ(a.Run("uma", RecordActivity{}, kT0),
            (std::vector<Event>{MemberActive{User("uma"), kT0}}));
  for (auto t : {seconds(1), seconds(60), minutes(4) + seconds(59)}) {
    EXPECT_TRUE(a.Run("uma", RecordActivity{}, kT0 + t).empty()) << t.count();
  }
  // The window is measured from the last recorded mark, not from the last request.
  EXPECT_EQ(a.Run("uma", RecordActivity{}, kT0 + minutes(5)),
            (std::vector<Event>{MemberActive{User("uma"), kT0 + minutes(5)}}));
  EXPECT_EQ(a.state().last_seen.at(User("uma")), kT0 + minutes(5));
}

TEST(Rule9Test, ALoginCountsAsActivity) {
  Activity a(Org());
  a.Run("uma", RecordLogin{"10.0.0.1", ""}, kT0);
  EXPECT_TRUE(a.Run("uma", RecordActivity{}, kT0 + minutes(1)).empty());
  EXPECT_EQ(a.Run("uma", RecordActivity{}, kT0 + minutes(6)).size(), 1u);
}

TEST(Rule9Test, UsersAreCoalescedSeparately) {
  Activity a(Org());
  a.Run("uma", RecordActivity{}, kT0);
  EXPECT_EQ(a.Run("ada", RecordActivity{}, kT0 + seconds(1)).size(), 1u);
}

TEST(Rule9Test, TheWindowIsAPolicy) {
  Activity a(Org());
  a.Run("uma", RecordActivity{}, kT0);
  const ActivityPolicy one_minute{minutes(1)};
  EXPECT_EQ(a.When("uma", RecordActivity{}, kT0 + minutes(2), one_minute)->size(), 1u);
  EXPECT_EQ(a.When("uma", RecordActivity{}, kT0 + minutes(2))->size(), 0u);
}

TEST(Rule9Test, OnlyPeopleWithAccessAreRecorded) {
  Activity a(Org());
  for (const char* who : {"stranger", "gone", ""}) {
    for (auto c :
         {ActivityCommand(RecordLogin{"1.1.1.1", ""}), ActivityCommand(RecordActivity{})}) {
      EXPECT_EQ(CodeOf(a.When(who, c, kT0)), ErrorCode::kNotFound) << who;
    }
  }
  EXPECT_TRUE(a.When("client", RecordLogin{"1.1.1.1", ""}, kT0).has_value());
  EXPECT_TRUE(a.When("client", RecordActivity{}, kT0).has_value());
}

TEST(Rule9Test, LoginDetailsAreValidated) {
  Activity a(Org());
  EXPECT_EQ(CodeOf(a.When("uma", RecordLogin{"1.1.1.1\n", ""}, kT0)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(a.When("uma", RecordLogin{std::string(65, '1'), ""}, kT0)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(a.When("uma", RecordLogin{"", std::string(513, 'a')}, kT0)),
            ErrorCode::kInvalidArgument);
}

TEST(Rule9Test, ActivityKeepsTheLatestTimeAndStaysOutOfTheAggregate) {
  ActivityState s;
  ApplyActivity(s, MemberActive{User("uma"), kT0 + minutes(10)});
  ApplyActivity(s, MemberLoggedIn{User("uma"), kT0, "", ""});  // late delivery of an older one
  EXPECT_EQ(s.last_seen.at(User("uma")), kT0 + minutes(10));
  ApplyActivity(s, MemberRoleChanged{});  // not an activity event
  EXPECT_EQ(s.last_seen.size(), 1u);

  const Scenario org = Org();
  OrganizationState after = org.state();
  Apply(after, MemberLoggedIn{User("uma"), kT0, "", ""});
  Apply(after, MemberActive{User("uma"), kT0});
  EXPECT_EQ(after, org.state());
  EXPECT_TRUE(IsActivityEvent(MemberLoggedIn{}));
  EXPECT_TRUE(IsActivityEvent(MemberActive{}));
  EXPECT_FALSE(IsActivityEvent(MemberJoined{}));
}

}  // namespace
}  // namespace roster::domain
