// The preset catalogs against SPEC.md section 2's table and the seed pages (../shared/seeds).
//
// Each non-owner role is checked against what its seed page says it can and cannot do: the
// "must" sets are what the page grants in so many words, the "must not" sets what it denies.
// Where the page is silent the preset may choose; those choices are not pinned here.
#include "domain/presets.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace roster::domain {
namespace {

using P = Permission;

struct RoleReading {
  std::string role;
  PermissionSet must;
  PermissionSet must_not;
};

RoleCatalog Preset(std::string_view name) {
  auto c = PresetCatalog(name);
  EXPECT_TRUE(c.has_value()) << name;
  return c.value_or(RoleCatalog());
}

std::vector<std::string> RoleNames(const RoleCatalog& c) {
  std::vector<std::string> out;
  for (const Role& r : c.roles()) out.push_back(r.name);
  return out;
}

void ExpectReading(const RoleCatalog& c, const RoleReading& reading) {
  const Role* r = c.FindRole(reading.role);
  ASSERT_NE(r, nullptr) << c.preset() << " has no role " << reading.role;
  EXPECT_TRUE(reading.must.IsSubsetOf(r->permissions))
      << c.preset() << "/" << reading.role << " lacks "
      << reading.must.Minus(r->permissions).ToString();
  const PermissionSet forbidden_held{
      PermissionSet::FromBits(r->permissions.bits() & reading.must_not.bits())};
  EXPECT_TRUE(forbidden_held.empty())
      << c.preset() << "/" << reading.role << " must not hold " << forbidden_held.ToString();
}

const PermissionSet kOrgOnly{P::kOrgDelete, P::kOrgSettingsManage, P::kOrgOwnershipTransfer};
const PermissionSet kMemberAdmin{P::kMembersInvite, P::kMembersRemove, P::kMembersRoleChange};
const PermissionSet kMembersAll = kMemberAdmin.Union({P::kMembersView});
const PermissionSet kBilling{P::kBillingManage, P::kBillingView};
const PermissionSet kApiKeys{P::kApiKeysManage, P::kApiKeysView};

TEST(PresetsTest, ThereAreExactlyTheFivePresetsOfTheSpec) {
  std::vector<std::string_view> names(PresetNames().begin(), PresetNames().end());
  EXPECT_EQ(names, (std::vector<std::string_view>{"commerce", "workspace", "platform", "analytics",
                                                  "api"}));
  for (std::string_view n : names) EXPECT_EQ(Preset(n).preset(), n);
  EXPECT_FALSE(PresetCatalog("Commerce").has_value());
  EXPECT_FALSE(PresetCatalog("").has_value());
  EXPECT_FALSE(PresetCatalog("custom").has_value());
}

// SPEC.md section 2's table: roles, owner role first.
TEST(PresetsTest, RolesAreThoseOfTheSpecTableWithTheOwnerRoleFirst) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> table = {
      {"commerce", {"Owner", "Manager", "Editor", "Billing"}},
      {"workspace", {"Owner", "Member"}},
      {"platform", {"Owner", "Admin", "Developer", "Billing", "Viewer"}},
      {"analytics", {"Admin", "User", "Guest"}},
      {"api", {"Administrator", "Developer", "Billing Manager", "Viewer"}},
  };
  for (const auto& [preset, roles] : table) {
    const RoleCatalog c = Preset(preset);
    EXPECT_EQ(RoleNames(c), roles) << preset;
    EXPECT_EQ(c.owner_role(), roles.front()) << preset;
  }
}

TEST(PresetsTest, EveryOwnerRoleHoldsEveryPermissionAndTheTopProjectRole) {
  for (std::string_view name : PresetNames()) {
    const RoleCatalog c = Preset(name);
    const Role* owner = c.FindRole(c.owner_role());
    ASSERT_NE(owner, nullptr) << name;
    EXPECT_EQ(owner->permissions, PermissionSet::All()) << name;
    EXPECT_EQ(c.ProjectRank(owner->project_role), static_cast<int>(c.project_roles().size()) - 1)
        << name << ": the owner role should inherit the most privileged project role";
    // The owner role covers every other role, so an owner can always fix any membership.
    for (const Role& r : c.roles()) EXPECT_TRUE(c.Covers(*owner, r)) << name << "/" << r.name;
    // Only one role is the owner role.
    int owners = 0;
    for (const Role& r : c.roles()) owners += c.IsOwnerRole(r.name) ? 1 : 0;
    EXPECT_EQ(owners, 1) << name;
  }
}

TEST(PresetsTest, InheritedProjectRolesExistInTheCatalog) {
  for (std::string_view name : PresetNames()) {
    const RoleCatalog c = Preset(name);
    EXPECT_FALSE(c.project_roles().empty()) << name;
    for (const Role& r : c.roles()) {
      if (!r.project_role.empty()) {
        EXPECT_NE(c.FindProjectRole(r.project_role), nullptr) << name << "/" << r.name;
      }
      EXPECT_EQ(c.ValidateRole(r), std::nullopt) << name << "/" << r.name;
    }
  }
}

// Seed 000 (Closient, "Team Management").
//   Owner   "Everything ... Can delete the organization."
//   Manager "Manage billing, invite/remove members, manage products and offers, create API
//           keys. Cannot delete the org." Org settings are listed for the Owner only, and
//           "Owners and Managers can change any member's role".
//   Editor  "Manage products and offers. Cannot access billing, members, or API keys."
//   Billing "Manage billing and subscriptions only. Cannot manage products, members, or API keys."
// Products and offers are resources.
TEST(PresetsTest, CommerceMatchesSeed000) {
  const RoleCatalog c = Preset("commerce");
  ExpectReading(c, {"Manager",
                    kBilling.Union(kMembersAll)
                        .Union({P::kResourcesManage, P::kResourcesView, P::kApiKeysManage}),
                    kOrgOnly});
  ExpectReading(c, {"Editor",
                    {P::kResourcesManage, P::kResourcesView},
                    kBilling.Union(kMembersAll).Union(kApiKeys).Union(kOrgOnly)});
  ExpectReading(c, {"Billing", kBilling,
                    kMembersAll.Union(kApiKeys).Union(kOrgOnly).Union(
                        {P::kResourcesManage, P::kProjectsManage, P::kProjectsCreate})});
  // "only": nothing beyond billing and what billing shows (usage).
  EXPECT_TRUE(c.FindRole("Billing")->permissions.IsSubsetOf(kBilling.Union({P::kUsageView})));
  // A Manager cannot reach the Owner role (rule 2 makes that "cannot make an Owner").
  EXPECT_FALSE(c.Covers(*c.FindRole("Manager"), *c.FindRole("Owner")));
}

// Seed 001 (SMAQ, "Members & invitations").
//   Owner  "Manage billing, all members, all projects, org-level settings."
//   Member "Has org membership (required for project access) but can't change org settings.
//          Project-level access controlled per-project." and "Org members don't automatically
//          have access to any projects": Member inherits no project role.
//   Project roles Owner / Editor / Viewer; "You (or another project Owner/Editor) need to invite
//   them to specific projects": project Editors manage project members, Viewers do not.
TEST(PresetsTest, WorkspaceMatchesSeed001) {
  const RoleCatalog c = Preset("workspace");
  ExpectReading(c, {"Member",
                    {},
                    kOrgOnly.Union(kBilling)
                        .Union(kMemberAdmin)
                        .Union({P::kProjectsManage, P::kProjectsMembersManage, P::kProjectsView})});
  EXPECT_EQ(c.FindRole("Member")->project_role, "");
  EXPECT_TRUE(
      c.FindProjectRole(c.FindRole("Owner")->project_role)->permissions.Has(P::kProjectsManage));
  std::vector<std::string> project_roles;
  for (const ProjectRole& r : c.project_roles()) project_roles.push_back(r.name);
  EXPECT_EQ(project_roles, (std::vector<std::string>{"Viewer", "Editor", "Owner"}));
  EXPECT_TRUE(c.FindProjectRole("Editor")->permissions.Has(P::kProjectsMembersManage));
  EXPECT_TRUE(c.FindProjectRole("Owner")->permissions.Has(P::kProjectsMembersManage));
  EXPECT_FALSE(c.FindProjectRole("Viewer")->permissions.Has(P::kProjectsMembersManage));
  EXPECT_FALSE(c.FindProjectRole("Viewer")->permissions.Has(P::kResourcesManage));
  EXPECT_TRUE(c.FindProjectRole("Viewer")->permissions.Has(P::kProjectsView));
}

// Seed 002 ("Team Management", agents platform).
//   Owner     "Full access ... Can manage billing, delete the organization, and transfer
//             ownership."
//   Admin     "Full access to all resources except billing management and organization
//             deletion. Can manage team members." (transfer is named for the Owner only)
//   Developer "Can create and manage agents, view conversations, and access knowledge bases.
//             Cannot manage team or billing."
//   Billing   "Can view and manage billing settings, invoices, and payment methods. No access
//             to agents or conversations."
//   Viewer    "Read-only access to agents, conversations, and knowledge bases. Cannot create,
//             modify, or delete resources."
// Agents, conversations and knowledge bases are resources.
TEST(PresetsTest, PlatformMatchesSeed002) {
  const RoleCatalog c = Preset("platform");
  const PermissionSet changes =
      kOrgOnly.Union(kMemberAdmin)
          .Union({P::kBillingManage, P::kProjectsCreate, P::kProjectsManage,
                  P::kProjectsMembersManage, P::kResourcesManage, P::kApiKeysManage});
  ExpectReading(c, {"Admin",
                    kMemberAdmin.Union({P::kMembersView, P::kResourcesManage, P::kResourcesView,
                                        P::kProjectsManage}),
                    {P::kBillingManage, P::kOrgDelete, P::kOrgOwnershipTransfer}});
  ExpectReading(c, {"Developer",
                    {P::kResourcesManage, P::kResourcesView},
                    kMemberAdmin.Union(kBilling).Union(kOrgOnly)});
  ExpectReading(c, {"Billing", kBilling,
                    kMemberAdmin.Union(kOrgOnly).Union({P::kResourcesManage, P::kResourcesView})});
  EXPECT_EQ(c.FindRole("Billing")->project_role, "") << "no access to agents";
  ExpectReading(c, {"Viewer", {P::kResourcesView}, changes});
  ASSERT_NE(c.FindProjectRole(c.FindRole("Viewer")->project_role), nullptr);
  EXPECT_FALSE(
      c.FindProjectRole(c.FindRole("Viewer")->project_role)->permissions.Has(P::kResourcesManage));
}

// Seed 003 (Allium, "User Management").
//   Admin "Full access to all organizational settings and member capabilities" (owner role)
//   User  "Full access to platform features within the organization"
//   Guest "Full platform access but cannot view other organization members"
// So Guest is exactly User without members.view, and neither manages members or settings.
TEST(PresetsTest, AnalyticsMatchesSeed003) {
  const RoleCatalog c = Preset("analytics");
  EXPECT_EQ(c.owner_role(), "Admin");
  ExpectReading(c, {"User",
                    {P::kMembersView, P::kResourcesManage, P::kResourcesView},
                    kMemberAdmin.Union(kOrgOnly)});
  ExpectReading(c,
                {"Guest", {P::kResourcesManage, P::kResourcesView}, kMembersAll.Union(kOrgOnly)});
  EXPECT_EQ(c.FindRole("Guest")->permissions,
            c.FindRole("User")->permissions.Minus({P::kMembersView}));
  EXPECT_EQ(c.FindRole("Guest")->project_role, c.FindRole("User")->project_role);
}

// Seed 004 (API platform, "Team").
//   Administrator   "Full control over the organization — manage members, billing, settings,
//                   and all projects."
//   Developer       "Build and ship — create projects, manage API keys, and view usage."
//   Billing Manager "Handle finances — manage credits and subscriptions, view usage (no API
//                   access)."
//   Viewer          "Read-only access — view everything, change nothing."
//   "Organization roles are automatically inherited by every project within the organization."
TEST(PresetsTest, ApiMatchesSeed004) {
  const RoleCatalog c = Preset("api");
  ExpectReading(c, {"Developer",
                    {P::kProjectsCreate, P::kApiKeysManage, P::kUsageView},
                    kMemberAdmin.Union(kOrgOnly).Union({P::kBillingManage})});
  ExpectReading(c, {"Billing Manager",
                    {P::kBillingManage, P::kBillingView, P::kUsageView},
                    kApiKeys.Union(kMemberAdmin)
                        .Union(kOrgOnly)
                        .Union({P::kProjectsCreate, P::kResourcesManage})});
  // "view everything, change nothing": exactly the permissions that only read.
  PermissionSet views;
  for (Permission p : AllPermissions()) {
    const std::string_view n = PermissionName(p);
    if (n.ends_with(".view")) views = views.Union({p});
  }
  EXPECT_EQ(c.FindRole("Viewer")->permissions, views);
  // Every org role is inherited in every project, as the project role of the same name.
  for (const Role& r : c.roles()) {
    EXPECT_EQ(LowerAscii(r.project_role), LowerAscii(r.name)) << r.name;
    EXPECT_NE(c.FindProjectRole(r.project_role), nullptr) << r.name;
  }
  EXPECT_FALSE(c.FindProjectRole("Viewer")->permissions.Has(P::kApiKeysManage));
  EXPECT_FALSE(c.FindProjectRole("Billing Manager")->permissions.Has(P::kApiKeysView));
}

}  // namespace
}  // namespace roster::domain
