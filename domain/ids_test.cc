#include "domain/ids.h"

#include <gtest/gtest.h>

#include <string>

#include "domain/testing/given.h"

namespace roster::domain {
namespace {

using namespace roster::domain::testing;

TEST(IdTest, AcceptsOneTo128PrintableCharacters) {
  EXPECT_TRUE(IsValidId("a"));
  EXPECT_TRUE(IsValidId("org-1_x.y:z~!"));
  EXPECT_TRUE(IsValidId(std::string(kMaxIdLength, 'a')));
}

TEST(IdTest, RefusesEmptyLongSpacedControlAndNonAsciiIds) {
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(kMaxIdLength + 1, 'a')));
  EXPECT_FALSE(IsValidId("a b"));
  EXPECT_FALSE(IsValidId("a\tb"));
  EXPECT_FALSE(IsValidId(std::string("a\0b", 3)));
  EXPECT_FALSE(IsValidId("a\x7f"));
  EXPECT_FALSE(IsValidId("caf\xc3\xa9"));
}

// Decide applies the same rule, and its rejection says which part of it an id breaks.
TEST(IdTest, DecideRejectsWhatIsValidIdRefuses) {
  const auto create = [](std::string id) {
    return CreateOrganization{OrgId(std::move(id)), "Acme", "commerce",   User("owner"),
                              "owner@example.com",  "",     std::nullopt, std::nullopt};
  };
  const auto too_long = Given()
                            .When("owner", create(std::string(kMaxIdLength + 1, 'a')))
                            .ThenRejected(ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_long.rejection().message, "Organization id must be 1 to 128 characters long.");
  const auto spaced =
      Given().When("owner", create("a b")).ThenRejected(ErrorCode::kInvalidArgument);
  EXPECT_EQ(spaced.rejection().message,
            "Organization id may only use printable ASCII characters without spaces.");
  Given().When("owner", create(std::string(kMaxIdLength, 'a'))).ThenAccepted();
}

}  // namespace
}  // namespace roster::domain
