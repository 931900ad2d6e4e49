// Current-state queries: members, orgs-of, invitations, access project|user, check.
#include <memory>

#include "tools/cli/query_util.h"

namespace roster::tools::cli {
namespace {

using api::wire::Query;
using api::wire::Response;

struct Paging {
  uint64_t cursor = 0;
  uint32_t limit = 0;
};

void AddPaging(CLI::App& sub, Paging& paging) {
  sub.add_option("--cursor", paging.cursor, "continue after this cursor (from the previous page)")
      ->check(NotNegative());
  sub.add_option("--limit", paging.limit, "entries per page (default 100, at most 1000)")
      ->check(NotNegative());
}

void RegisterMembers(CLI::App& app, Cli& cli) {
  struct Options {
    std::string org, viewer;
    bool former = false;
    Paging paging;
    uint64_t consistency = 0;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand("members", "list an organization's members");
  sub->add_option("org", o->org, "organization id")->required();
  sub->add_option("--viewer", o->viewer,
                  "who is looking: without members.view a member sees only itself (empty: the "
                  "service itself, sees all)");
  sub->add_flag("--former", o->former, "include removed members and those who left");
  AddPaging(*sub, o->paging);
  AddConsistencyOption(*sub, o->consistency);
  sub->callback([o, &cli] {
    cli.exit_code = RunQuery(
        cli, o->consistency,
        [&](Query::Builder q) {
          auto r = q.initListMembers();
          r.setOrg(o->org);
          r.setViewer(o->viewer);
          r.setIncludeFormer(o->former);
          r.setCursor(o->paging.cursor);
          r.setLimit(o->paging.limit);
        },
        [&](Response::Reader response) {
          auto page = response.getMembers();
          if (cli.json) {
            std::cout << api::wire::ToJson(page) << "\n";
            return int{kOk};
          }
          // With --former, when each membership ended (removed or left) is part of the answer.
          std::vector<std::string> columns = {"USER",   "EMAIL",  "NAME",       "ROLE",
                                              "STATUS", "JOINED", "LAST ACTIVE"};
          if (o->former) columns.push_back("ENDED");
          Table table(columns);
          for (auto m : page.getMembers()) {
            std::vector<std::string> row = {m.getUserId().cStr(),
                                            m.getEmail().cStr(),
                                            OrDash(m.getDisplayName().cStr()),
                                            m.getRole().cStr(),
                                            m.getStatus().cStr(),
                                            TimeOrDash(m.getJoinedAtUs()),
                                            TimeOrDash(m.getLastActiveUs())};
            if (o->former) row.push_back(TimeOrDash(m.getEndedAtUs()));
            table.Add(row);
          }
          table.Print(std::cout);
          PrintNextCursor(page.getNextCursor());
          return int{kOk};
        });
  });
}

void RegisterOrgsOf(CLI::App& app, Cli& cli) {
  struct Options {
    std::string user;
    uint64_t consistency = 0;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand("orgs-of", "the organizations a user belongs to (org switcher)");
  sub->add_option("user", o->user, "user id")->required();
  AddConsistencyOption(*sub, o->consistency);
  sub->callback([o, &cli] {
    cli.exit_code = RunQuery(
        cli, o->consistency, [&](Query::Builder q) { q.setOrganizationsOf(o->user); },
        [&](Response::Reader response) {
          auto orgs = response.getOrganizations();
          if (cli.json) {
            std::cout << "[";
            for (unsigned i = 0; i < orgs.size(); ++i)
              std::cout << (i ? "," : "") << api::wire::ToJson(orgs[i]);
            std::cout << "]\n";
            return int{kOk};
          }
          Table table({"ORG", "NAME", "ROLE", "MEMBERSHIP", "JOINED", "LAST ACTIVE"});
          for (auto u : orgs) {
            table.Add({u.getOrg().cStr(), u.getName().cStr(), u.getRole().cStr(),
                       u.getMembershipId().cStr(), TimeOrDash(u.getJoinedAtUs()),
                       TimeOrDash(u.getLastActiveUs())});
          }
          table.Print(std::cout);
          return int{kOk};
        });
  });
}

// An invitation's lifetime as days (and hours when not whole days).
std::string Lifetime(int64_t us) {
  if (us <= 0) return "-";
  constexpr int64_t kHour = 3'600'000'000;
  const int64_t hours = us / kHour;
  if (hours % 24 == 0) return std::to_string(hours / 24) + "d";
  return std::to_string(hours / 24) + "d" + std::to_string(hours % 24) + "h";
}

void RegisterInvitations(CLI::App& app, Cli& cli) {
  struct Options {
    std::string org, status = "any", viewer;
    Paging paging;
    uint64_t consistency = 0;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand("invitations", "list an organization's invitations");
  sub->add_option("org", o->org, "organization id")->required();
  sub->add_option("--status", o->status, "any, pending, accepted, revoked, expired")
      ->check(CLI::IsMember({"any", "pending", "accepted", "revoked", "expired"}));
  sub->add_option("--viewer", o->viewer, "who is looking: needs members.view (empty: the service)");
  AddPaging(*sub, o->paging);
  AddConsistencyOption(*sub, o->consistency);
  sub->callback([o, &cli] {
    using api::wire::InvitationStatus;
    const InvitationStatus status = o->status == "pending"    ? InvitationStatus::PENDING
                                    : o->status == "accepted" ? InvitationStatus::ACCEPTED
                                    : o->status == "revoked"  ? InvitationStatus::REVOKED
                                    : o->status == "expired"  ? InvitationStatus::EXPIRED
                                                              : InvitationStatus::ANY;
    cli.exit_code = RunQuery(
        cli, o->consistency,
        [&](Query::Builder q) {
          auto r = q.initListInvitations();
          r.setOrg(o->org);
          r.setStatus(status);
          r.setViewer(o->viewer);
          r.setCursor(o->paging.cursor);
          r.setLimit(o->paging.limit);
        },
        [&](Response::Reader response) {
          auto page = response.getInvitations();
          if (cli.json) {
            std::cout << api::wire::ToJson(page) << "\n";
            return int{kOk};
          }
          Table table({"INVITATION", "EMAIL", "ROLE", "STATUS", "INVITER", "SENT", "EXPIRES",
                       "LIFETIME", "RESENT"});
          for (auto i : page.getInvitations()) {
            // A project invitation grants a project role in its project, not an org role.
            const std::string role = i.getProjectId().size() > 0
                                         ? std::string(i.getProjectRole().cStr()) + " in project " +
                                               i.getProjectId().cStr()
                                         : std::string(i.getRole().cStr());
            table.Add({i.getInvitationId().cStr(), i.getEmail().cStr(), role, i.getStatus().cStr(),
                       i.getInviter().cStr(), TimeOrDash(i.getSentAtUs()),
                       TimeOrDash(i.getExpiresAtUs()), Lifetime(i.getValidForUs()),
                       std::to_string(i.getResendCount())});
          }
          table.Print(std::cout);
          PrintNextCursor(page.getNextCursor());
          return int{kOk};
        });
  });
}

void PrintUserAccess(api::wire::UserAccess::Reader access) {
  std::string org = access.getOrg().cStr();
  if (access.getOrgName().size() > 0) org += " (" + std::string(access.getOrgName().cStr()) + ")";
  PrintFields(std::cout,
              {{"org", org},
               {"role", access.getRole().size() ? access.getRole().cStr() : "(not a member)"}});
  if (access.getProjects().size() == 0) return;
  Table table({"PROJECT", "ROLE", "SOURCE", "INHERITED", "DIRECT"});
  for (auto p : access.getProjects()) {
    table.Add({p.getProjectId().cStr(), p.getRole().cStr(), p.getSource().cStr(),
               OrDash(p.getInheritedRole().cStr()), OrDash(p.getDirectRole().cStr())});
  }
  std::cout << "\n";
  table.Print(std::cout);
}

void RegisterAccess(CLI::App& app, Cli& cli) {
  struct Options {
    std::string org, target, viewer;
    uint64_t consistency = 0;
  };
  auto* access = app.add_subcommand("access", "project access: per project, or per user");
  access->require_subcommand(1);
  auto project = std::make_shared<Options>();
  auto* by_project = access->add_subcommand("project", "who can access a project, and how");
  by_project->add_option("org", project->org, "organization id")->required();
  by_project->add_option("project", project->target, "project id")->required();
  by_project->add_option("--viewer", project->viewer,
                         "who is looking: needs projects.view in the project (empty: the service)");
  AddConsistencyOption(*by_project, project->consistency);
  by_project->callback([project, &cli] {
    cli.exit_code = RunQuery(
        cli, project->consistency,
        [&](Query::Builder q) {
          auto r = q.initProjectAccess();
          r.setOrg(project->org);
          r.setProjectId(project->target);
          r.setViewer(project->viewer);
        },
        [&](Response::Reader response) {
          auto list = response.getProjectAccess();
          if (cli.json) {
            std::cout << "[";
            for (unsigned i = 0; i < list.size(); ++i)
              std::cout << (i ? "," : "") << api::wire::ToJson(list[i]);
            std::cout << "]\n";
            return int{kOk};
          }
          Table table({"USER", "ROLE", "SOURCE", "INHERITED", "DIRECT"});
          for (auto m : list) {
            auto a = m.getAccess();
            table.Add({m.getUserId().cStr(), a.getRole().cStr(), a.getSource().cStr(),
                       OrDash(a.getInheritedRole().cStr()), OrDash(a.getDirectRole().cStr())});
          }
          table.Print(std::cout);
          return int{kOk};
        });
  });
  auto user = std::make_shared<Options>();
  auto* by_user = access->add_subcommand("user", "a user's org role and project access");
  by_user->add_option("org", user->org, "organization id")->required();
  by_user->add_option("user", user->target, "user id")->required();
  by_user->add_option(
      "--viewer", user->viewer,
      "who is looking: the user, or someone with members.view (empty: the service)");
  AddConsistencyOption(*by_user, user->consistency);
  by_user->callback([user, &cli] {
    cli.exit_code = RunQuery(
        cli, user->consistency,
        [&](Query::Builder q) {
          auto r = q.initUserAccess();
          r.setOrg(user->org);
          r.setUser(user->target);
          r.setViewer(user->viewer);
        },
        [&](Response::Reader response) {
          if (cli.json) {
            std::cout << api::wire::ToJson(response.getUserAccess()) << "\n";
          } else {
            PrintUserAccess(response.getUserAccess());
          }
          return int{kOk};
        });
  });
}

void RegisterCheck(CLI::App& app, Cli& cli) {
  struct Options {
    std::string org, user, permission, project;
    uint64_t consistency = 0;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "check", "may USER do PERMISSION in ORG (or in --project)? exit 0 allowed, 1 denied");
  sub->add_option("org", o->org, "organization id")->required();
  sub->add_option("user", o->user, "user id")->required();
  sub->add_option("permission", o->permission, "e.g. members.invite")->required();
  sub->add_option("--project", o->project, "check within a project");
  AddConsistencyOption(*sub, o->consistency);
  sub->callback([o, &cli] {
    cli.exit_code = RunQuery(
        cli, o->consistency,
        [&](Query::Builder q) {
          auto r = q.initCheck();
          r.setOrg(o->org);
          r.setUser(o->user);
          r.setPermission(o->permission);
          r.setProjectId(o->project);
        },
        [&](Response::Reader response) {
          auto check = response.getCheck();
          if (cli.json) {
            std::cout << api::wire::ToJson(check) << "\n";
          } else {
            PrintFields(std::cout, {{"allowed", check.getAllowed() ? "yes" : "no"},
                                    {"role", OrDash(check.getRole().cStr())},
                                    {"source", OrDash(check.getSource().cStr())},
                                    {"reason", OrDash(check.getReason().cStr())}});
          }
          return check.getAllowed() ? int{kOk} : int{kRejected};
        });
  });
}

}  // namespace

void RegisterQueries(CLI::App& app, Cli& cli) {
  RegisterMembers(app, cli);
  RegisterOrgsOf(app, cli);
  RegisterInvitations(app, cli);
  RegisterAccess(app, cli);
  RegisterCheck(app, cli);
}

}  // namespace roster::tools::cli
