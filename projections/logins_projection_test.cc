// LoginsProjection: given logins in the log, then login history newest first, per user or for
// the whole organization, read back from the log through the index in the projection's table.
#include "projections/logins_projection.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/testing/given.h"
#include "projections/testing/feed.h"

namespace roster::projections {
namespace {

using namespace domain;
using domain::testing::Joined;
using domain::testing::kT0;
using domain::testing::OrgCreated;
using domain::testing::User;
using testing::Feed;

Time Hour(int h) { return kT0 + std::chrono::hours(h); }

MemberLoggedIn Login(std::string_view user, int hour, std::string_view ip = "10.0.0.1") {
  return {User(user), Hour(hour), std::string(ip), "agent/" + std::to_string(hour)};
}

class LoginsProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override { store_.Attach(logins_); }

  // Logins (and other events) in two organizations, one per hour.
  void History() {
    feed_.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"));
    for (int hour = 1; hour <= 6; ++hour) {
      feed_.At(Hour(hour)).Given(Login(hour % 2 ? "ana" : "owner", hour));
    }
    feed_.Given(MemberActive{User("ana"), Hour(6)});
    feed_.In("org-2").Given(Login("ana", 6, "10.9.9.9"));
  }

  // "user hour" of each login of the page.
  std::vector<std::string> Listed(const std::string& user, eventstore::Position cursor = 0,
                                  size_t limit = 100, std::string org = "org-1") {
    store_.Flush(logins_);
    auto page = logins_.History(org, user, cursor, limit, feed_.position());
    EXPECT_TRUE(page.has_value()) << page.error().message;
    std::vector<std::string> out;
    if (!page) return out;
    for (const LoginEntry& e : page->logins) {
      out.push_back(e.user_id + " " + std::to_string((e.time_us - ToMicros(kT0)) / 3'600'000'000));
    }
    return out;
  }

  testing::LogAndViews store_;
  LoginsProjection logins_{store_.log(), store_.codec()};
  Feed feed_ = store_.FeedOf(logins_);
};

TEST_F(LoginsProjectionTest, AUsersHistoryIsNewestFirstWithTimeIpAndUserAgent) {
  History();
  EXPECT_EQ(Listed("ana"), (std::vector<std::string>{"ana 5", "ana 3", "ana 1"}));
  EXPECT_EQ(Listed("owner"), (std::vector<std::string>{"owner 6", "owner 4", "owner 2"}));
  store_.Flush(logins_);
  auto page = logins_.History("org-1", "ana", 0, 1, feed_.position());
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->logins.size(), 1u);
  const LoginEntry& latest = page->logins[0];
  EXPECT_EQ(latest.user_id, "ana");
  EXPECT_EQ(latest.time_us, ToMicros(Hour(5)));
  EXPECT_EQ(latest.ip, "10.0.0.1");
  EXPECT_EQ(latest.user_agent, "agent/5");
  auto records = store_.log().ReadAll(latest.position, 1);
  ASSERT_TRUE(records.has_value() && records->size() == 1u);
  EXPECT_EQ(records->front().type, "member.logged_in");
  EXPECT_EQ(records->front().stream, "activity:org-1");
}

TEST_F(LoginsProjectionTest, WithoutAUserTheWholeOrganizationsHistory) {
  History();
  EXPECT_EQ(Listed(""),
            (std::vector<std::string>{"owner 6", "ana 5", "owner 4", "ana 3", "owner 2", "ana 1"}));
  EXPECT_EQ(Listed("", 0, 100, "org-2"), std::vector<std::string>{"ana 6"});
  EXPECT_TRUE(Listed("", 0, 100, "org-3").empty());
  EXPECT_TRUE(Listed("cy").empty());
}

TEST_F(LoginsProjectionTest, PagesGoBackFromTheCursor) {
  History();
  store_.Flush(logins_);
  auto first = logins_.History("org-1", "", 0, 4, feed_.position());
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->logins.size(), 4u);
  EXPECT_EQ(first->next_cursor, first->logins.back().position);
  EXPECT_EQ(Listed("", first->next_cursor, 4), (std::vector<std::string>{"owner 2", "ana 1"}));
  auto last = logins_.History("org-1", "", first->next_cursor, 4, feed_.position());
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->next_cursor, 0u) << "nothing before the first login";
}

TEST_F(LoginsProjectionTest, OnlyLoginsAreHistory) {
  feed_.Given(OrgCreated("workspace"), Joined("m2", "ana", "Member"),
              MemberActive{User("ana"), kT0}, Login("ana", 0), MemberActive{User("ana"), Hour(1)});
  EXPECT_EQ(Listed("ana"), std::vector<std::string>{"ana 0"});
  EXPECT_EQ(Listed(""), std::vector<std::string>{"ana 0"});
}

TEST_F(LoginsProjectionTest, LoginsPastTheProjectionsPositionAreNotAnswered) {
  feed_.Given(Login("ana", 1));
  const eventstore::Position reached = feed_.position();
  feed_.At(Hour(2)).Given(Login("ana", 2));
  store_.Flush(logins_);
  auto page = logins_.History("org-1", "ana", 0, 100, reached);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->logins.size(), 1u);
  EXPECT_EQ(page->logins[0].position, reached);
}

TEST_F(LoginsProjectionTest, TheIndexIsReadFromTheTableWhateverBatchesWroteIt) {
  for (int hour = 1; hour <= 5; ++hour) {
    feed_.At(Hour(hour)).Given(Login(hour == 3 ? "bo" : "ana", hour));
    store_.Flush(logins_);
  }
  // A new instance on the same table, as after a restart: it applied nothing itself.
  LoginsProjection restarted(store_.log(), store_.codec());
  store_.Attach(restarted);
  for (const std::string user : {"ana", ""}) {
    auto page = restarted.History("org-1", user, 0, 100, feed_.position());
    ASSERT_TRUE(page.has_value());
    std::vector<std::string> users;
    for (const LoginEntry& e : page->logins) users.push_back(e.user_id);
    EXPECT_EQ(users, user.empty() ? (std::vector<std::string>{"ana", "ana", "bo", "ana", "ana"})
                                  : (std::vector<std::string>{"ana", "ana", "ana", "ana"}));
  }
}

}  // namespace
}  // namespace roster::projections
