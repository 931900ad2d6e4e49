// The log's views of the past: activity, logins, as-of org|user, history, and status.
#include <memory>

#include "tools/roster/query_util.h"

namespace roster::cli {
namespace {

using api::wire::Query;
using api::wire::Response;

template <typename List>
void PrintJsonList(List list) {
  std::cout << "[";
  for (unsigned i = 0; i < list.size(); ++i) std::cout << (i ? "," : "") << ToJson(list[i]);
  std::cout << "]\n";
}

void RegisterActivity(CLI::App& app, Cli& cli) {
  struct Options {
    std::string org, actor, subject, action, from, to;
    bool newest_first = false;
    uint64_t cursor = 0, consistency = 0;
    uint32_t limit = 0;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand("activity", "the compliance activity log, filtered");
  sub->add_option("--org", o->org, "only this organization");
  sub->add_option("--actor", o->actor, "only actions by this user");
  sub->add_option("--subject", o->subject, "only actions on this user/email/project/...");
  sub->add_option("--action", o->action, "only this action, e.g. member.role_changed");
  sub->add_option("--from", o->from, "from this time, inclusive (UTC date/time or microseconds)");
  sub->add_option("--to", o->to, "until this time, exclusive");
  sub->add_flag("--newest-first", o->newest_first, "newest entries first");
  sub->add_option("--cursor", o->cursor, "continue after this cursor");
  sub->add_option("--limit", o->limit, "entries per page (default 100, at most 1000)");
  AddConsistencyOption(*sub, o->consistency);
  sub->callback([o, &cli] {
    const int64_t from = o->from.empty() ? 0 : ParseTimeUs(o->from);
    const int64_t to = o->to.empty() ? 0 : ParseTimeUs(o->to);
    cli.exit_code = RunQuery(
        cli, o->consistency,
        [&](Query::Builder q) {
          auto r = q.initActivity();
          r.setOrg(o->org);
          r.setActor(o->actor);
          r.setSubject(o->subject);
          r.setAction(o->action);
          r.setFromTimeUs(from);
          r.setToTimeUs(to);
          r.setNewestFirst(o->newest_first);
          r.setCursor(o->cursor);
          r.setLimit(o->limit);
        },
        [&](Response::Reader response) {
          auto page = response.getActivity();
          if (cli.json) {
            std::cout << ToJson(page) << "\n";
            return int{kOk};
          }
          Table table({"POS", "TIME", "ORG", "ACTOR", "ACTION", "SUBJECT", "BEFORE", "AFTER"});
          for (auto e : page.getEntries()) {
            std::string subject = e.getSubject().cStr();
            if (e.getProject().size() > 0 && e.getProject() != e.getSubject()) {
              subject += " @" + std::string(e.getProject().cStr());
            }
            table.Add({std::to_string(e.getPosition()), FormatTime(e.getTimeUs()),
                       e.getOrg().cStr(), OrDash(e.getActor().cStr()), e.getAction().cStr(),
                       OrDash(subject), OrDash(e.getBefore().cStr()), OrDash(e.getAfter().cStr())});
          }
          table.Print(std::cout);
          PrintNextCursor(page.getNextCursor());
          return int{kOk};
        });
  });
}

void RegisterLogins(CLI::App& app, Cli& cli) {
  struct Options {
    std::string org, user;
    uint64_t cursor = 0, consistency = 0;
    uint32_t limit = 0;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand("logins", "login history of an organization or one user");
  sub->add_option("org", o->org, "organization id")->required();
  sub->add_option("--user", o->user, "only this user");
  sub->add_option("--cursor", o->cursor, "continue after this cursor");
  sub->add_option("--limit", o->limit, "entries per page");
  AddConsistencyOption(*sub, o->consistency);
  sub->callback([o, &cli] {
    cli.exit_code = RunQuery(
        cli, o->consistency,
        [&](Query::Builder q) {
          auto r = q.initLogins();
          r.setOrg(o->org);
          r.setUser(o->user);
          r.setCursor(o->cursor);
          r.setLimit(o->limit);
        },
        [&](Response::Reader response) {
          auto page = response.getLogins();
          if (cli.json) {
            std::cout << ToJson(page) << "\n";
            return int{kOk};
          }
          Table table({"POS", "TIME", "USER", "IP", "USER AGENT"});
          for (auto l : page.getLogins()) {
            table.Add({std::to_string(l.getPosition()), FormatTime(l.getTimeUs()),
                       l.getUserId().cStr(), OrDash(l.getIp().cStr()),
                       OrDash(l.getUserAgent().cStr())});
          }
          table.Print(std::cout);
          PrintNextCursor(page.getNextCursor());
          return int{kOk};
        });
  });
}

struct PointOptions {
  std::string org, user, time;
  uint64_t position = 0, consistency = 0;
};

void AddPoint(CLI::App& sub, PointOptions& o) {
  sub.add_option("--position", o.position, "replay up to this log position (inclusive)");
  sub.add_option("--time", o.time, "replay up to this time (UTC date/time or microseconds)");
  AddConsistencyOption(sub, o.consistency);
}

void FillPoint(api::wire::AsOf::Builder r, const PointOptions& o) {
  r.setOrg(o.org);
  r.setUser(o.user);
  r.setPosition(o.position);
  r.setTimeUs(o.time.empty() ? 0 : ParseTimeUs(o.time));
}

void PrintOrganizationAsOf(api::wire::OrganizationAsOf::Reader org) {
  PrintFields(std::cout,
              {{"org", std::string(org.getOrg().cStr()) + " (" + org.getName().cStr() + ")"},
               {"as of", "position " + std::to_string(org.getPosition()) + ", " +
                             FormatTime(org.getTimeUs())},
               {"deleted", org.getDeleted() ? "yes" : "no"}});
  Table members({"USER", "EMAIL", "ROLE", "STATUS", "JOINED"});
  for (auto m : org.getMembers()) {
    members.Add({m.getUserId().cStr(), m.getEmail().cStr(), m.getRole().cStr(),
                 m.getStatus().cStr(), FormatTime(m.getJoinedAtUs())});
  }
  std::cout << "\n";
  members.Print(std::cout);
  if (org.getPending().size() > 0) {
    Table pending({"INVITATION", "EMAIL", "ROLE", "EXPIRES"});
    for (auto p : org.getPending()) {
      pending.Add({p.getInvitationId().cStr(), p.getEmail().cStr(), p.getRole().cStr(),
                   FormatTime(p.getExpiresAtUs())});
    }
    std::cout << "\n";
    pending.Print(std::cout);
  }
  if (org.getProjects().size() > 0) {
    Table projects({"PROJECT", "USER", "ROLE", "SOURCE"});
    for (auto p : org.getProjects()) {
      for (auto m : p.getMembers()) {
        projects.Add({p.getProjectId().cStr(), m.getUserId().cStr(), m.getAccess().getRole().cStr(),
                      m.getAccess().getSource().cStr()});
      }
    }
    std::cout << "\n";
    projects.Print(std::cout);
  }
}

void RegisterAsOf(CLI::App& app, Cli& cli) {
  auto* as_of = app.add_subcommand("as-of", "replay the log to a past point: an org, or a user");
  as_of->require_subcommand(1);
  auto org = std::make_shared<PointOptions>();
  auto* by_org = as_of->add_subcommand("org", "an organization's members, invitations, projects");
  by_org->add_option("org", org->org, "organization id")->required();
  AddPoint(*by_org, *org);
  by_org->callback([org, &cli] {
    cli.exit_code = RunQuery(
        cli, org->consistency, [&](Query::Builder q) { FillPoint(q.initOrganizationAsOf(), *org); },
        [&](Response::Reader response) {
          if (cli.json)
            std::cout << ToJson(response.getOrganizationAsOf()) << "\n";
          else
            PrintOrganizationAsOf(response.getOrganizationAsOf());
          return int{kOk};
        });
  });
  auto user = std::make_shared<PointOptions>();
  auto* by_user = as_of->add_subcommand("user", "a user's access in every organization");
  by_user->add_option("user", user->user, "user id")->required();
  AddPoint(*by_user, *user);
  by_user->callback([user, &cli] {
    cli.exit_code = RunQuery(
        cli, user->consistency, [&](Query::Builder q) { FillPoint(q.initUserAccessAsOf(), *user); },
        [&](Response::Reader response) {
          auto list = response.getUserAccessAsOf();
          if (cli.json) {
            PrintJsonList(list);
            return int{kOk};
          }
          Table table({"ORG", "NAME", "ROLE", "PROJECTS"});
          for (auto a : list) {
            std::string projects;
            for (auto p : a.getProjects()) {
              projects += (projects.empty() ? "" : ", ") + std::string(p.getProjectId().cStr()) +
                          ":" + p.getRole().cStr();
            }
            table.Add({a.getOrg().cStr(), a.getOrgName().cStr(), OrDash(a.getRole().cStr()),
                       OrDash(projects)});
          }
          table.Print(std::cout);
          return int{kOk};
        });
  });
}

void RegisterHistory(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<PointOptions>();
  auto* sub = app.add_subcommand("history", "everything that happened to a user's access");
  sub->add_option("user", o->user, "user id")->required();
  AddPoint(*sub, *o);
  sub->callback([o, &cli] {
    cli.exit_code = RunQuery(
        cli, o->consistency, [&](Query::Builder q) { FillPoint(q.initUserHistory(), *o); },
        [&](Response::Reader response) {
          auto list = response.getUserHistory();
          if (cli.json) {
            PrintJsonList(list);
            return int{kOk};
          }
          Table table({"POS", "TIME", "ORG", "ACTION", "ACTOR", "BEFORE", "AFTER"});
          for (auto h : list) {
            table.Add({std::to_string(h.getPosition()), FormatTime(h.getTimeUs()),
                       h.getOrg().cStr(), h.getAction().cStr(), OrDash(h.getActor().cStr()),
                       OrDash(h.getBefore().cStr()), OrDash(h.getAfter().cStr())});
          }
          table.Print(std::cout);
          return int{kOk};
        });
  });
}

void RegisterStatus(CLI::App& app, Cli& cli) {
  auto* sub = app.add_subcommand("status", "the server, the log and every read model's position");
  sub->callback([&cli] {
    cli.exit_code = RunQuery(
        cli, 0, [](Query::Builder q) { q.setStatus(); },
        [&](Response::Reader response) {
          auto status = response.getStatus();
          if (cli.json) {
            std::cout << ToJson(status) << "\n";
            return int{kOk};
          }
          PrintFields(std::cout, {{"server", status.getServerVersion().cStr()},
                                  {"log position", std::to_string(status.getLastPosition())},
                                  {"connections", std::to_string(status.getConnections())}});
          Table table({"PROJECTION", "VERSION", "READY", "POSITION", "BUILDING"});
          for (auto p : status.getProjections()) {
            table.Add({p.getName().cStr(), std::to_string(p.getVersion()),
                       p.getReady() ? "yes" : "no", std::to_string(p.getPosition()),
                       p.getBuilding() ? "at " + std::to_string(p.getBuildPosition()) : "-"});
          }
          std::cout << "\n";
          table.Print(std::cout);
          return int{kOk};
        });
  });
}

}  // namespace

void RegisterHistoryQueries(CLI::App& app, Cli& cli) {
  RegisterActivity(app, cli);
  RegisterLogins(app, cli);
  RegisterAsOf(app, cli);
  RegisterHistory(app, cli);
  RegisterStatus(app, cli);
}

}  // namespace roster::cli
