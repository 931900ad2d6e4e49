// An organization's listings: roles (with what --viewer may grant), projects, apikeys,
// resources, settings. Read from the organization's current state, so they take no
// consistency token (docs/cli.md).
#include <memory>
#include <string>

#include "tools/cli/query_util.h"

namespace roster::tools::cli {
namespace {

using api::wire::OrgListing;
using api::wire::Query;
using api::wire::Response;

struct Options {
  std::string org, viewer;
};

// One listing subcommand: ORG and --viewer, the query member `init`, and how to print the
// answer (as a table; --json prints the protocol's JSON).
template <class Init, class Print>
void Listing(CLI::App& app, Cli& cli, const char* name, const char* description,
             const char* viewer_help, Init init, Print print) {
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand(name, description);
  sub->add_option("org", o->org, "organization id")->required();
  sub->add_option("--viewer", o->viewer, viewer_help);
  sub->callback([o, &cli, init, print] {
    cli.exit_code = RunQuery(
        cli, 0,
        [&](Query::Builder q) {
          OrgListing::Builder r = init(q);
          r.setOrg(o->org);
          r.setViewer(o->viewer);
        },
        [&](Response::Reader response) {
          print(response);
          return int{kOk};
        });
  });
}

template <class List>
void PrintJsonList(List list) {
  std::cout << "[";
  for (unsigned i = 0; i < list.size(); ++i) {
    std::cout << (i ? "," : "") << api::wire::ToJson(list[i]);
  }
  std::cout << "]\n";
}

std::string YesNo(bool b) { return b ? "yes" : "no"; }

}  // namespace

void RegisterListings(CLI::App& app, Cli& cli) {
  Listing(
      app, cli, "roles", "an organization's role catalog, and which roles --viewer may grant",
      "the acting member: GRANTABLE says which roles it may give (empty: none is marked)",
      [](Query::Builder q) { return q.initListRoles(); },
      [&cli](Response::Reader response) {
        auto roles = response.getRoles();
        if (cli.json) return PrintJsonList(roles);
        Table table({"ROLE", "OWNER", "GRANTABLE", "PROJECT ROLE", "PERMISSIONS"});
        for (auto r : roles) {
          std::string permissions;
          for (auto p : r.getPermissions()) {
            permissions += (permissions.empty() ? "" : ",") + std::string(p.cStr());
          }
          table.Add({r.getName().cStr(), YesNo(r.getOwnerRole()), YesNo(r.getGrantable()),
                     OrDash(r.getProjectRole().cStr()), OrDash(permissions)});
        }
        table.Print(std::cout);
      });
  Listing(
      app, cli, "projects", "an organization's projects", "who is looking: needs projects.view",
      [](Query::Builder q) { return q.initListProjects(); },
      [&cli](Response::Reader response) {
        auto projects = response.getProjects();
        if (cli.json) return PrintJsonList(projects);
        Table table({"PROJECT", "NAME", "DIRECT MEMBERS"});
        for (auto p : projects) {
          table.Add(
              {p.getProjectId().cStr(), p.getName().cStr(), std::to_string(p.getDirectMembers())});
        }
        table.Print(std::cout);
      });
  Listing(
      app, cli, "apikeys", "an organization's API keys, with the rotation warning",
      "who is looking: needs apikeys.view", [](Query::Builder q) { return q.initListApiKeys(); },
      [&cli](Response::Reader response) {
        auto keys = response.getApiKeys();
        if (cli.json) return PrintJsonList(keys);
        Table table({"KEY", "NAME", "CREATOR", "PROJECT", "STATUS", "ROTATE"});
        for (auto k : keys) {
          table.Add({k.getApiKeyId().cStr(), k.getName().cStr(), k.getCreator().cStr(),
                     OrDash(k.getProjectId().cStr()), k.getRevoked() ? "revoked" : "active",
                     k.getRotationRecommended() ? "recommended" : "-"});
        }
        table.Print(std::cout);
      });
  Listing(
      app, cli, "resources", "an organization's resources and their owners",
      "who is looking: needs resources.view",
      [](Query::Builder q) { return q.initListResources(); },
      [&cli](Response::Reader response) {
        auto resources = response.getResources();
        if (cli.json) return PrintJsonList(resources);
        Table table({"RESOURCE", "KIND", "NAME", "OWNER", "PROJECT"});
        for (auto r : resources) {
          table.Add({r.getResourceId().cStr(), r.getKind().cStr(), r.getName().cStr(),
                     r.getOwner().cStr(), OrDash(r.getProjectId().cStr())});
        }
        table.Print(std::cout);
      });
  Listing(
      app, cli, "settings", "an organization's settings (change them with `org settings`)",
      "who is looking: an active member", [](Query::Builder q) { return q.initOrgSettings(); },
      [&cli](Response::Reader response) {
        auto s = response.getSettings();
        if (cli.json) {
          std::cout << api::wire::ToJson(s) << "\n";
          return;
        }
        PrintFields(
            std::cout,
            {{"invitation lifetime (days)", std::to_string(s.getInvitationTtlDays())},
             {"pending invitations at most", std::to_string(s.getMaxPendingInvitations())}});
      });
}

}  // namespace roster::tools::cli
