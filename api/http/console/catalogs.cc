// roster_console_catalogs OUTPUT: writes the preset role catalogs as JSON for the console (run
// at build time, see CMakeLists.txt). For each preset: its org roles with their permissions and
// inherited project role, the owner role, and for each role the roles it covers
// (RoleCatalog::Covers, the no-escalation rule): what a member of that role may grant, remove or
// invite as.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "domain/permission.h"
#include "domain/presets.h"

int main(int argc, char** argv) {
  using namespace roster::domain;
  if (argc != 2) {
    std::cerr << "usage: roster_console_catalogs OUTPUT\n";
    return 2;
  }
  nlohmann::json doc;
  nlohmann::json permissions = nlohmann::json::array();
  for (Permission p : AllPermissions()) permissions.push_back(std::string(PermissionName(p)));
  doc["permissions"] = permissions;
  for (std::string_view name : PresetNames()) {
    const auto catalog = PresetCatalog(name);
    if (!catalog) {
      std::cerr << "roster_console_catalogs: no preset " << name << "\n";
      return 1;
    }
    nlohmann::json roles = nlohmann::json::array();
    for (const Role& role : catalog->roles()) {
      nlohmann::json perms = nlohmann::json::array();
      for (Permission p : role.permissions.List()) perms.push_back(std::string(PermissionName(p)));
      nlohmann::json covers = nlohmann::json::array();
      for (const Role& target : catalog->roles()) {
        if (catalog->Covers(role, target)) covers.push_back(target.name);
      }
      roles.push_back({{"name", role.name},
                       {"permissions", perms},
                       {"projectRole", role.project_role},
                       {"covers", covers}});
    }
    doc["presets"][std::string(name)] = {{"ownerRole", catalog->owner_role()}, {"roles", roles}};
  }
  std::ofstream out(argv[1]);
  out << doc.dump(1) << "\n";
  if (!out.flush()) {
    std::cerr << "roster_console_catalogs: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
