#include "domain/permission.h"

#include <array>

namespace roster::domain {
namespace {

constexpr std::array<std::string_view, kPermissionCount> kNames = {
    "org.delete",
    "org.settings.manage",
    "org.ownership.transfer",
    "billing.manage",
    "billing.view",
    "members.view",
    "members.invite",
    "members.remove",
    "members.role.change",
    "projects.create",
    "projects.manage",
    "projects.view",
    "projects.members.manage",
    "resources.manage",
    "resources.view",
    "apikeys.manage",
    "apikeys.view",
    "usage.view",
    "audit.view",
};

constexpr std::array<Permission, kPermissionCount> MakeAll() {
  std::array<Permission, kPermissionCount> all{};
  for (size_t i = 0; i < kPermissionCount; ++i) all[i] = static_cast<Permission>(i);
  return all;
}
constexpr std::array<Permission, kPermissionCount> kAll = MakeAll();

}  // namespace

std::string_view PermissionName(Permission p) { return kNames[static_cast<size_t>(p)]; }

std::optional<Permission> ParsePermission(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Permission>(i);
  }
  return std::nullopt;
}

std::span<const Permission> AllPermissions() { return kAll; }

std::vector<Permission> PermissionSet::List() const {
  std::vector<Permission> out;
  for (Permission p : kAll) {
    if (Has(p)) out.push_back(p);
  }
  return out;
}

std::string PermissionSet::ToString() const {
  std::string out;
  for (Permission p : List()) {
    if (!out.empty()) out += ", ";
    out += PermissionName(p);
  }
  return out;
}

}  // namespace roster::domain
