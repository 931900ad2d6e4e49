#include "domain/permission.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace roster::domain {
namespace {

using P = Permission;

TEST(PermissionTest, EveryPermissionHasAStableUniqueNameThatParsesBack) {
  std::set<std::string_view> names;
  ASSERT_EQ(AllPermissions().size(), kPermissionCount);
  for (Permission p : AllPermissions()) {
    const std::string_view name = PermissionName(p);
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
    EXPECT_EQ(ParsePermission(name), p) << name;
  }
  // The vocabulary of SPEC.md section 2 (plus projects.members.manage) is on the wire forever.
  for (std::string_view name :
       {"org.delete", "org.settings.manage", "org.ownership.transfer", "billing.manage",
        "billing.view", "members.view", "members.invite", "members.remove", "members.role.change",
        "projects.create", "projects.manage", "projects.view", "projects.members.manage",
        "resources.manage", "resources.view", "apikeys.manage", "apikeys.view", "usage.view",
        "audit.view"}) {
    EXPECT_TRUE(names.contains(name)) << name;
  }
  EXPECT_EQ(names.size(), 19u);
}

TEST(PermissionTest, ParseRejectsUnknownAndDifferentlySpelledNames) {
  EXPECT_EQ(ParsePermission(""), std::nullopt);
  EXPECT_EQ(ParsePermission("members"), std::nullopt);
  EXPECT_EQ(ParsePermission("Members.View"), std::nullopt);
  EXPECT_EQ(ParsePermission(" members.view"), std::nullopt);
}

TEST(PermissionSetTest, SetAlgebra) {
  const PermissionSet a{P::kMembersView, P::kMembersInvite};
  const PermissionSet b{P::kMembersView};
  EXPECT_TRUE(a.Has(P::kMembersInvite));
  EXPECT_FALSE(b.Has(P::kMembersInvite));
  EXPECT_TRUE(b.IsSubsetOf(a));
  EXPECT_FALSE(a.IsSubsetOf(b));
  EXPECT_TRUE(a.IsSubsetOf(a));
  EXPECT_TRUE(PermissionSet().IsSubsetOf(b));
  EXPECT_EQ(b.Union({P::kMembersInvite}), a);
  EXPECT_EQ(a.Minus(b), PermissionSet{P::kMembersInvite});
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(PermissionSet().empty());
  EXPECT_EQ(PermissionSet::FromBits(a.bits()), a);
}

TEST(PermissionSetTest, AllHoldsEveryPermissionAndNothingElse) {
  const PermissionSet all = PermissionSet::All();
  EXPECT_EQ(all.size(), kPermissionCount);
  for (Permission p : AllPermissions()) EXPECT_TRUE(all.Has(p)) << PermissionName(p);
  EXPECT_EQ(all.List().size(), kPermissionCount);
  // No bit beyond the vocabulary: otherwise "subset of the actor's" could be fooled.
  EXPECT_EQ(all.bits() >> kPermissionCount, 0u);
}

TEST(PermissionSetTest, ListAndToStringFollowDeclarationOrder) {
  const PermissionSet s{P::kAuditView, P::kOrgDelete, P::kMembersView};
  EXPECT_EQ(s.List(), (std::vector<Permission>{P::kOrgDelete, P::kMembersView, P::kAuditView}));
  EXPECT_EQ(s.ToString(), "org.delete, members.view, audit.view");
  EXPECT_EQ(PermissionSet().ToString(), "");
}

}  // namespace
}  // namespace roster::domain
