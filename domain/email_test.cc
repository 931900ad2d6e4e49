#include "domain/email.h"

#include <gtest/gtest.h>

#include <string>

namespace roster::domain {
namespace {

std::string Normalized(std::string_view raw) {
  auto e = Email::Parse(raw);
  EXPECT_TRUE(e.has_value()) << "'" << raw << "' was rejected: " << (e ? "" : e.error().message);
  return e ? e->value() : "";
}

TEST(EmailTest, TrimsAndLowerCases) {
  EXPECT_EQ(Normalized(" Bob@Example.COM "), "bob@example.com");
  EXPECT_EQ(Normalized("\tBOB@EXAMPLE.com\r\n"), "bob@example.com");
  EXPECT_EQ(Email::Parse(" Bob@Example.COM ").value(), Email::Parse("bob@example.com").value());
}

TEST(EmailTest, AcceptsPracticalAddresses) {
  EXPECT_EQ(Normalized("first.last+tag@sub.example.co.uk"), "first.last+tag@sub.example.co.uk");
  EXPECT_EQ(Normalized("o'neil@example.com"), "o'neil@example.com");
  EXPECT_EQ(Normalized("a@b.c"), "a@b.c");
  EXPECT_EQ(Normalized("x_y-z@my-host.example"), "x_y-z@my-host.example");
  EXPECT_EQ(Normalized(std::string(64, 'a') + "@example.com"),
            std::string(64, 'a') + "@example.com");
}

TEST(EmailTest, RejectsInvalidAddressesWithInvalidArgument) {
  const std::string long_local = std::string(65, 'a') + "@example.com";
  const std::string long_label = "a@" + std::string(64, 'b') + ".com";
  std::string long_domain = "a@";
  while (long_domain.size() < 260) long_domain += "abcdefghi.";
  long_domain += "com";
  for (std::string_view raw : {
           "",
           "   ",
           "bob",
           "bob@",
           "@example.com",
           "bob@@example.com",
           "bob@x@example.com",
           "bob@example",
           "bob@.example.com",
           "bob@example.com.",
           "bob@example..com",
           ".bob@example.com",
           "bob.@example.com",
           "bo..b@example.com",
           "bo b@example.com",
           "bob@exa mple.com",
           "bob@-example.com",
           "bob@example-.com",
           "bob@exa_mple.com",
           "bob(comment)@example.com",
           "\"bob\"@example.com",
           "b\xc3\xb6"
           "b@example.com",
           "bob@ex\xc3\xa4mple.com",
           "bob\n@example.com",
       }) {
    auto e = Email::Parse(raw);
    EXPECT_FALSE(e.has_value()) << "'" << raw << "' was accepted as " << (e ? e->value() : "");
    if (!e) {
      EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument) << raw;
    }
  }
  for (const std::string& raw : {long_local, long_label, long_domain}) {
    EXPECT_FALSE(Email::Parse(raw).has_value()) << raw.size() << " bytes: " << raw;
  }
}

TEST(EmailTest, MessageNamesTheAddressAndTheProblem) {
  auto e = Email::Parse("Bob@Example");
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("bob@example"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("domain"), std::string::npos) << e.error().message;
}

TEST(EmailTest, OrderingAndHashFollowTheNormalizedValue) {
  const Email a = Email::Parse("A@Example.com").value();
  const Email b = Email::Parse("a@example.com").value();
  EXPECT_EQ(a, b);
  EXPECT_EQ(EmailHash{}(a), EmailHash{}(b));
  EXPECT_LT(Email::Parse("a@example.com").value(), Email::Parse("b@example.com").value());
  EXPECT_TRUE(Email().empty());
}

}  // namespace
}  // namespace roster::domain
