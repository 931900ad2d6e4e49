// The fixed permission vocabulary and sets of permissions.
//
// Permissions are the only thing roles are made of; their wire names ("members.invite") are
// stable and appear in events, the API and the CLI. `projects.members.manage` extends the list
// of SPEC.md section 2 so that managing who is in a project is separate from managing the
// project itself (seed 001: project Editors invite people, but do not own the project).
// PermissionSet is a value type (a bit set).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace roster::domain {

enum class Permission : uint8_t {
  kOrgDelete,
  kOrgSettingsManage,
  kOrgOwnershipTransfer,
  kBillingManage,
  kBillingView,
  kMembersView,
  kMembersInvite,
  kMembersRemove,
  kMembersRoleChange,
  kProjectsCreate,
  kProjectsManage,
  kProjectsView,
  kProjectsMembersManage,
  kResourcesManage,
  kResourcesView,
  kApiKeysManage,
  kApiKeysView,
  kUsageView,
  kAuditView,
};

constexpr size_t kPermissionCount = 19;

std::string_view PermissionName(Permission p);
std::optional<Permission> ParsePermission(std::string_view name);
// Every permission, in declaration order.
std::span<const Permission> AllPermissions();

class PermissionSet {
 public:
  constexpr PermissionSet() = default;
  constexpr PermissionSet(std::initializer_list<Permission> ps) {
    for (Permission p : ps) bits_ |= Bit(p);
  }
  static constexpr PermissionSet FromBits(uint32_t bits) { return PermissionSet(bits); }
  static constexpr PermissionSet All() { return PermissionSet((1u << kPermissionCount) - 1); }

  constexpr bool Has(Permission p) const { return (bits_ & Bit(p)) != 0; }
  constexpr bool IsSubsetOf(PermissionSet other) const { return (bits_ & ~other.bits_) == 0; }
  constexpr PermissionSet Union(PermissionSet o) const { return PermissionSet(bits_ | o.bits_); }
  constexpr PermissionSet Minus(PermissionSet o) const { return PermissionSet(bits_ & ~o.bits_); }
  constexpr uint32_t bits() const { return bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  size_t size() const { return static_cast<size_t>(__builtin_popcount(bits_)); }
  std::vector<Permission> List() const;
  // Comma-separated wire names, for messages.
  std::string ToString() const;
  constexpr bool operator==(const PermissionSet&) const = default;

 private:
  constexpr explicit PermissionSet(uint32_t bits) : bits_(bits) {}
  static constexpr uint32_t Bit(Permission p) { return 1u << static_cast<uint8_t>(p); }
  uint32_t bits_ = 0;
};

}  // namespace roster::domain
