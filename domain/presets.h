// The preset role catalogs, one per seed page in ../shared/seeds (see docs/domain.md for
// the reading of each page). An organization is created with one of these and may define
// custom roles later.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "domain/role_catalog.h"

namespace roster::domain {

// "commerce", "workspace", "platform", "analytics", "api".
std::span<const std::string_view> PresetNames();
std::optional<RoleCatalog> PresetCatalog(std::string_view name);

}  // namespace roster::domain
