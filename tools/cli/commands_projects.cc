// Commands on what an organization contains: project create|rename|delete|add|role|remove,
// role define|update|delete, apikey create|revoke, resource register|reassign|delete, and the
// activity signals login record / login active.
#include <sstream>

#include "tools/cli/command_spec.h"

namespace roster::tools::cli {
namespace {

using api::wire::Command;

struct ProjectName {
  std::string project, name;
};
struct ProjectMember {
  std::string project, user, role;
};
struct ProjectInvite {
  std::string project, email, role, display_name;
  int ttl_days = 0;
};
struct RoleDefinition {
  std::string name, project_role;
  std::vector<std::string> permissions;
};
struct ApiKey {
  std::string id, name, project;
};
struct Resource {
  std::string id, kind, name, owner, project;
};
struct Reassign {
  std::string id, to_owner;
};
struct Login {
  std::string ip, user_agent;
};

void ProjectOption(CLI::App& sub, std::string& project) {
  sub.add_option("project", project, "project id")->required();
}

// add, role and remove share one wire struct and the same positional arguments.
void FillProjectMember(api::wire::ProjectMember::Builder r, const ProjectMember& o) {
  r.setProjectId(o.project);
  r.setUser(o.user);
  r.setRole(o.role);
}

void ProjectMemberOptions(CLI::App& sub, ProjectMember& o, const char* role_help) {
  ProjectOption(sub, o.project);
  sub.add_option("user", o.user, "user id")->required();
  if (role_help != nullptr) sub.add_option("role", o.role, role_help)->required();
}

void RegisterProjects(CLI::App& app, Cli& cli) {
  auto* project = app.add_subcommand("project", "projects and their direct members");
  project->require_subcommand(1);
  NewCommand<ProjectName>(
      *project, cli, "create", "create a project",
      [](Command::Builder c, const ProjectName& o) {
        auto r = c.initCreateProject();
        r.setProjectId(o.project);
        r.setName(o.name);  // the domain names it after its id when empty
      },
      [](CLI::App& sub, ProjectName& o) {
        ProjectOption(sub, o.project);
        sub.add_option("--name", o.name, "display name (default: the id)");
      });
  NewCommand<ProjectName>(
      *project, cli, "rename", "rename a project",
      [](Command::Builder c, const ProjectName& o) {
        auto r = c.initRenameProject();
        r.setProjectId(o.project);
        r.setName(o.name);
      },
      [](CLI::App& sub, ProjectName& o) {
        ProjectOption(sub, o.project);
        sub.add_option("name", o.name, "new name")->required();
      });
  NewCommand<OneText>(
      *project, cli, "delete", "delete a project",
      [](Command::Builder c, const OneText& o) { c.setDeleteProject(o.value); },
      [](CLI::App& sub, OneText& o) { ProjectOption(sub, o.value); });
  NewCommand<ProjectMember>(
      *project, cli, "add",
      "give a user a direct project role (also someone outside the org: project-only access)",
      [](Command::Builder c, const ProjectMember& o) {
        FillProjectMember(c.initAddProjectMember(), o);
      },
      [](CLI::App& sub, ProjectMember& o) { ProjectMemberOptions(sub, o, "project role"); });
  NewCommand<ProjectInvite>(
      *project, cli, "invite",
      "invite someone by email to the project with a project role; accepting grants project "
      "access without org membership",
      [](Command::Builder c, const ProjectInvite& o) {
        auto r = c.initInviteToProject();
        r.setProjectId(o.project);
        r.setEmail(o.email);
        r.setRole(o.role);
        r.setDisplayName(o.display_name);
        r.setTtlDays(o.ttl_days);
      },
      [](CLI::App& sub, ProjectInvite& o) {
        ProjectOption(sub, o.project);
        sub.add_option("email", o.email, "the invitee's email")->required();
        sub.add_option("--role", o.role, "project role to grant")->required();
        sub.add_option("--display-name", o.display_name, "the invitee's name");
        // On the wire 0 means "the org's default": a 0 typed here would be silently ignored.
        sub.add_option("--ttl-days", o.ttl_days,
                       "the invitation's lifetime in days (default and maximum: the org's "
                       "invitation TTL)")
            ->check(CLI::PositiveNumber);
      });
  NewCommand<ProjectMember>(
      *project, cli, "role", "change a direct project member's role",
      [](Command::Builder c, const ProjectMember& o) {
        FillProjectMember(c.initChangeProjectMemberRole(), o);
      },
      [](CLI::App& sub, ProjectMember& o) { ProjectMemberOptions(sub, o, "new project role"); });
  NewCommand<ProjectMember>(
      *project, cli, "remove", "remove a direct project member",
      [](Command::Builder c, const ProjectMember& o) {
        FillProjectMember(c.initRemoveProjectMember(), o);  // role stays empty: ignored
      },
      [](CLI::App& sub, ProjectMember& o) { ProjectMemberOptions(sub, o, nullptr); });
}

void FillRole(api::wire::RoleDefinition::Builder r, const RoleDefinition& o) {
  r.setName(o.name);
  r.setProjectRole(o.project_role);
  // Accept both repeated --permission flags and comma-separated lists.
  std::vector<std::string> all;
  for (const auto& item : o.permissions) {
    std::stringstream parts(item);
    std::string p;
    while (std::getline(parts, p, ',')) {
      if (!p.empty()) all.push_back(p);
    }
  }
  auto list = r.initPermissions(static_cast<unsigned>(all.size()));
  for (unsigned i = 0; i < all.size(); ++i) list.set(i, all[i]);
}

void RoleOptions(CLI::App& sub, RoleDefinition& o) {
  sub.add_option("name", o.name, "role name")->required();
  sub.add_option("--permission,-p", o.permissions,
                 "a permission such as members.view (repeat, or comma-separate)");
  sub.add_option("--project-role", o.project_role, "project role inherited in every project");
}

void RegisterAssets(CLI::App& app, Cli& cli) {
  auto* apikey = app.add_subcommand("apikey", "API key metadata");
  apikey->require_subcommand(1);
  NewCommand<ApiKey>(
      *apikey, cli, "create", "record an API key created by --actor",
      [](Command::Builder c, const ApiKey& o) {
        auto r = c.initCreateApiKey();
        r.setApiKeyId(o.id);
        r.setName(o.name);
        r.setProjectId(o.project);
      },
      [](CLI::App& sub, ApiKey& o) {
        sub.add_option("key", o.id, "API key id")->required();
        sub.add_option("--name", o.name, "display name (default: the id)");
        sub.add_option("--project", o.project, "project the key belongs to");
      });
  NewCommand<OneText>(
      *apikey, cli, "revoke", "revoke an API key",
      [](Command::Builder c, const OneText& o) { c.setRevokeApiKey(o.value); },
      [](CLI::App& sub, OneText& o) { sub.add_option("key", o.value, "API key id")->required(); });

  auto* resource = app.add_subcommand("resource", "owned resources (agents, dashboards, ...)");
  resource->require_subcommand(1);
  NewCommand<Resource>(
      *resource, cli, "register", "register a resource and its owner",
      [](Command::Builder c, const Resource& o) {
        auto r = c.initRegisterResource();
        r.setResourceId(o.id);
        r.setKind(o.kind);
        r.setName(o.name);
        r.setOwner(o.owner);
        r.setProjectId(o.project);
      },
      [](CLI::App& sub, Resource& o) {
        sub.add_option("resource", o.id, "resource id")->required();
        sub.add_option("--kind", o.kind, "what it is, e.g. agent")->required();
        sub.add_option("--name", o.name, "display name (default: the id)");
        sub.add_option("--owner", o.owner, "owner's user id (default: the actor)");
        sub.add_option("--project", o.project, "project it belongs to");
      });
  NewCommand<Reassign>(
      *resource, cli, "reassign", "give a resource to another member",
      [](Command::Builder c, const Reassign& o) {
        auto r = c.initReassignResource();
        r.setResourceId(o.id);
        r.setToOwner(o.to_owner);
      },
      [](CLI::App& sub, Reassign& o) {
        sub.add_option("resource", o.id, "resource id")->required();
        sub.add_option("owner", o.to_owner, "new owner's user id")->required();
      });
  NewCommand<OneText>(
      *resource, cli, "delete", "delete a resource",
      [](Command::Builder c, const OneText& o) { c.setDeleteResource(o.value); },
      [](CLI::App& sub, OneText& o) {
        sub.add_option("resource", o.value, "resource id")->required();
      });

  auto* login = app.add_subcommand("login", "activity signals from the identity provider");
  login->require_subcommand(1);
  NewCommand<Login>(
      *login, cli, "record", "record that --actor logged in",
      [](Command::Builder c, const Login& o) {
        auto r = c.initRecordLogin();
        r.setIp(o.ip);
        r.setUserAgent(o.user_agent);
      },
      [](CLI::App& sub, Login& o) {
        sub.add_option("--ip", o.ip, "client address");
        sub.add_option("--user-agent", o.user_agent, "client user agent");
      });
  NewCommand<None>(
      *login, cli, "active", "record that --actor was active (coalesced into last-active)",
      [](Command::Builder c, const None&) { c.setRecordActivity(); }, NoOptions);
}

}  // namespace

void RegisterRoleCatalogCommands(CLI::App& role, Cli& cli) {
  NewCommand<RoleDefinition>(
      role, cli, "define", "define a custom role",
      [](Command::Builder c, const RoleDefinition& o) { FillRole(c.initDefineRole(), o); },
      RoleOptions);
  NewCommand<RoleDefinition>(
      role, cli, "update", "replace a custom role's permissions and project role",
      [](Command::Builder c, const RoleDefinition& o) { FillRole(c.initUpdateRole(), o); },
      RoleOptions);
  NewCommand<OneText>(
      role, cli, "delete", "delete a custom role no one holds",
      [](Command::Builder c, const OneText& o) { c.setDeleteRole(o.value); },
      [](CLI::App& sub, OneText& o) { sub.add_option("name", o.value, "role name")->required(); });
}

void RegisterProjectCommands(CLI::App& app, Cli& cli) {
  RegisterProjects(app, cli);
  RegisterAssets(app, cli);
}

}  // namespace roster::tools::cli
