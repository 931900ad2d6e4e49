#include "domain/presets.h"

#include <array>

namespace roster::domain {
namespace {

using P = Permission;

// The project roles of seeds 000, 002 and 003, whose pages show the same three.
std::vector<ProjectRole> ViewerEditorAdminProjectRoles() {
  return {
      {"Viewer", {P::kProjectsView, P::kResourcesView}},
      {"Editor", {P::kProjectsView, P::kResourcesView, P::kResourcesManage}},
      {"Admin",
       {P::kProjectsView, P::kProjectsManage, P::kProjectsMembersManage, P::kResourcesView,
        P::kResourcesManage, P::kApiKeysView, P::kApiKeysManage, P::kUsageView}},
  };
}

// Seed 000 (commerce): Owner does everything; Manager everything but deleting the org, its
// settings and ownership; Editor manages products (resources) only; Billing manages billing only.
RoleCatalog Commerce() {
  const PermissionSet owner_only{P::kOrgDelete, P::kOrgSettingsManage, P::kOrgOwnershipTransfer};
  return RoleCatalog(
      "commerce",
      {
          {"Owner", PermissionSet::All(), "Admin"},
          {"Manager", PermissionSet::All().Minus(owner_only), "Admin"},
          {"Editor", {P::kProjectsView, P::kResourcesManage, P::kResourcesView}, "Editor"},
          {"Billing", {P::kBillingManage, P::kBillingView, P::kUsageView}, ""},
      },
      ViewerEditorAdminProjectRoles(), "Owner");
}

// Seed 001 (workspace): org roles Owner and Member; project access is per project with project
// roles Owner / Editor / Viewer. Owners own every project; Members inherit nothing.
RoleCatalog Workspace() {
  return RoleCatalog(
      "workspace",
      {
          {"Owner", PermissionSet::All(), "Owner"},
          {"Member", {P::kMembersView}, ""},
      },
      {
          {"Viewer", {P::kProjectsView, P::kResourcesView}},
          {"Editor",
           {P::kProjectsView, P::kResourcesView, P::kResourcesManage, P::kProjectsMembersManage}},
          {"Owner",
           {P::kProjectsView, P::kProjectsManage, P::kProjectsMembersManage, P::kResourcesView,
            P::kResourcesManage, P::kApiKeysView, P::kApiKeysManage, P::kUsageView}},
      },
      "Owner");
}

// Seed 002 (platform): Owner; Admin = all but billing management, deletion and ownership
// transfer; Developer builds agents (resources); Billing handles billing; Viewer reads.
RoleCatalog Platform() {
  return RoleCatalog(
      "platform",
      {
          {"Owner", PermissionSet::All(), "Admin"},
          {"Admin",
           PermissionSet::All().Minus({P::kBillingManage, P::kOrgDelete, P::kOrgOwnershipTransfer}),
           "Admin"},
          {"Developer",
           {P::kMembersView, P::kProjectsCreate, P::kProjectsView, P::kResourcesManage,
            P::kResourcesView, P::kApiKeysView, P::kUsageView},
           "Editor"},
          {"Billing", {P::kBillingManage, P::kBillingView, P::kUsageView}, ""},
          {"Viewer", {P::kProjectsView, P::kResourcesView}, "Viewer"},
      },
      ViewerEditorAdminProjectRoles(), "Owner");
}

// Seed 003 (analytics): Admin (the owner role) manages everything; User has full platform
// access; Guest the same but cannot view other members.
RoleCatalog Analytics() {
  const PermissionSet platform{P::kProjectsCreate, P::kProjectsView,  P::kResourcesManage,
                               P::kResourcesView,  P::kApiKeysManage, P::kApiKeysView,
                               P::kUsageView};
  return RoleCatalog("analytics",
                     {
                         {"Admin", PermissionSet::All(), "Admin"},
                         {"User", platform.Union({P::kMembersView}), "Editor"},
                         {"Guest", platform, "Editor"},
                     },
                     ViewerEditorAdminProjectRoles(), "Admin");
}

// Seed 004 (api): Administrator controls everything; Developer builds (projects, API keys,
// usage); Billing Manager handles finances; Viewer reads everything. Org roles are inherited
// by every project as the project role of the same name.
RoleCatalog Api() {
  const PermissionSet all_views{P::kBillingView,   P::kMembersView, P::kProjectsView,
                                P::kResourcesView, P::kApiKeysView, P::kUsageView,
                                P::kAuditView};
  const PermissionSet developer{P::kMembersView,     P::kProjectsCreate, P::kProjectsView,
                                P::kResourcesManage, P::kResourcesView,  P::kApiKeysManage,
                                P::kApiKeysView,     P::kUsageView};
  const PermissionSet billing{P::kBillingManage, P::kBillingView, P::kUsageView};
  return RoleCatalog(
      "api",
      {
          {"Administrator", PermissionSet::All(), "Administrator"},
          {"Developer", developer, "Developer"},
          {"Billing Manager", billing, "Billing Manager"},
          {"Viewer", all_views, "Viewer"},
      },
      {
          {"Billing Manager", billing},
          {"Viewer",
           {P::kBillingView, P::kProjectsView, P::kResourcesView, P::kApiKeysView, P::kUsageView}},
          {"Developer",
           {P::kProjectsView, P::kResourcesManage, P::kResourcesView, P::kApiKeysManage,
            P::kApiKeysView, P::kUsageView}},
          {"Administrator",
           {P::kProjectsView, P::kProjectsManage, P::kProjectsMembersManage, P::kResourcesView,
            P::kResourcesManage, P::kApiKeysView, P::kApiKeysManage, P::kUsageView, P::kBillingView,
            P::kBillingManage}},
      },
      "Administrator");
}

constexpr std::array<std::string_view, 5> kPresetNames = {"commerce", "workspace", "platform",
                                                          "analytics", "api"};

}  // namespace

std::span<const std::string_view> PresetNames() { return kPresetNames; }

std::optional<RoleCatalog> PresetCatalog(std::string_view name) {
  if (name == "commerce") return Commerce();
  if (name == "workspace") return Workspace();
  if (name == "platform") return Platform();
  if (name == "analytics") return Analytics();
  if (name == "api") return Api();
  return std::nullopt;
}

}  // namespace roster::domain
