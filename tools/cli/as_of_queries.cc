// The past replayed from the log: as-of org|user and history. Each asks for its answer in parts
// (Query.streamed) and prints every part as it arrives: tables grow piece by piece, JSON lists
// element by element. as-of org --json prints one document, so its parts are merged first.
#include <memory>

#include "api/client/streamed.h"
#include "tools/cli/query_util.h"

namespace roster::tools::cli {
namespace {

using api::wire::Query;
using api::wire::Request;
using api::wire::Response;

struct PointOptions {
  std::string org, user, time, viewer;
  uint64_t position = 0, consistency = 0;
};

void AddPoint(CLI::App& sub, PointOptions& o) {
  sub.add_option("--position", o.position, "replay up to this log position (inclusive)")
      ->check(NotNegative());
  sub.add_option("--time", o.time, "replay up to this time (UTC date/time or microseconds)");
  AddConsistencyOption(sub, o.consistency);
  sub.add_option("--viewer", o.viewer,
                 "who is looking: needs audit.view in the org; for a user's past, another "
                 "viewer sees only the orgs where they hold it (empty: the service)");
}

// Sends an as-of / history query asking for parts; `which` initializes its AsOf.
int RunPointQuery(Cli& cli, const PointOptions& o,
                  const std::function<api::wire::AsOf::Builder(Query::Builder)>& which,
                  const std::function<bool(api::client::Reply&)>& on_part) {
  const int64_t time_us = o.time.empty() ? 0 : ParseTimeUs(o.time);
  return cli.CallStreamed(
      [&](Request::Builder request) {
        auto query = request.initQuery();
        query.setConsistencyToken(o.consistency);
        query.setStreamed(true);
        auto r = which(query);
        r.setOrg(o.org);
        r.setUser(o.user);
        r.setPosition(o.position);
        r.setTimeUs(time_us);
        r.setViewer(o.viewer);
      },
      on_part);
}

// Prints a JSON list one element at a time, as `[a,b]` (the same text as printing it whole).
class JsonListPrinter {
 public:
  template <typename List>
  void Add(List list) {
    for (auto item : list) {
      std::cout << (count_++ ? "," : "[") << api::wire::ToJson(item);
    }
    std::cout.flush();
  }
  void End() { std::cout << (count_ ? "]" : "[]") << "\n"; }

 private:
  size_t count_ = 0;
};

// organizationAsOf as tables: the header fields, then members (always shown), pending
// invitations and project access (shown when there are any), each printed as parts arrive.
class OrganizationAsOfPrinter {
 public:
  void Part(api::wire::OrganizationAsOf::Reader part) {
    if (!header_) {
      header_ = true;
      PrintFields(std::cout,
                  {{"org", std::string(part.getOrg().cStr()) + " (" + part.getName().cStr() + ")"},
                   {"as of", "position " + std::to_string(part.getPosition()) + ", " +
                                 TimeOrDash(part.getTimeUs())},
                   {"deleted", part.getDeleted() ? "yes" : "no"}});
    }
    for (auto m : part.getMembers()) {
      members_.Add({m.getUserId().cStr(), m.getEmail().cStr(), m.getRole().cStr(),
                    m.getStatus().cStr(), TimeOrDash(m.getJoinedAtUs())});
    }
    if (members_.has_rows()) Flush(members_);
    if (part.getPending().size() > 0 || part.getProjects().size() > 0) EndMembers();
    for (auto p : part.getPending()) {
      // A project invitation grants a project role in its project, not an org role.
      const std::string role =
          p.getProjectId().size() > 0
              ? std::string(p.getProjectRole().cStr()) + " in project " + p.getProjectId().cStr()
              : std::string(p.getRole().cStr());
      pending_.Add(
          {p.getInvitationId().cStr(), p.getEmail().cStr(), role, TimeOrDash(p.getExpiresAtUs())});
    }
    if (pending_.has_rows()) Flush(pending_);
    for (auto p : part.getProjects()) {
      for (auto m : p.getMembers()) {
        projects_.Add({p.getProjectId().cStr(), m.getUserId().cStr(),
                       m.getAccess().getRole().cStr(), m.getAccess().getSource().cStr()});
      }
    }
    if (part.getProjects().size() > 0) Flush(projects_);
  }
  void End() { EndMembers(); }

 private:
  void EndMembers() {
    if (!members_.printed()) Flush(members_);  // the members table shows even when empty
  }
  static void Flush(StreamedTable& table) {
    if (!table.printed()) std::cout << "\n";
    table.Flush(std::cout);
  }
  bool header_ = false;
  StreamedTable members_{{"USER", "EMAIL", "ROLE", "STATUS", "JOINED"}};
  StreamedTable pending_{{"INVITATION", "EMAIL", "ROLE", "EXPIRES"}};
  StreamedTable projects_{{"PROJECT", "USER", "ROLE", "SOURCE"}};
};

void RegisterAsOfOrg(CLI::App& as_of, Cli& cli) {
  auto o = std::make_shared<PointOptions>();
  auto* sub = as_of.add_subcommand("org", "an organization's members, invitations, projects");
  sub->add_option("org", o->org, "organization id")->required();
  AddPoint(*sub, *o);
  sub->callback([o, &cli] {
    auto which = [](Query::Builder q) { return q.initOrganizationAsOf(); };
    if (!cli.json) {
      OrganizationAsOfPrinter printer;
      cli.exit_code = RunPointQuery(cli, *o, which, [&](api::client::Reply& part) {
        printer.Part(part.get().getOrganizationAsOf());
        return true;
      });
      if (cli.exit_code == kOk) printer.End();
      return;
    }
    std::vector<api::client::Reply> parts;
    cli.exit_code = RunPointQuery(cli, *o, which, [&](api::client::Reply& part) {
      parts.push_back(std::move(part));
      return true;
    });
    if (cli.exit_code != kOk) return;
    std::vector<api::wire::OrganizationAsOf::Reader> readers;
    for (const auto& part : parts) readers.push_back(part.get().getOrganizationAsOf());
    capnp::MallocMessageBuilder merged;
    api::client::MergeOrganizationAsOf(readers, merged.initRoot<api::wire::OrganizationAsOf>());
    std::cout << api::wire::ToJson(merged.getRoot<api::wire::OrganizationAsOf>().asReader())
              << "\n";
  });
}

void RegisterAsOfUser(CLI::App& as_of, Cli& cli) {
  auto o = std::make_shared<PointOptions>();
  auto* sub = as_of.add_subcommand("user", "a user's access in every organization");
  sub->add_option("user", o->user, "user id")->required();
  AddPoint(*sub, *o);
  sub->callback([o, &cli] {
    JsonListPrinter json;
    StreamedTable table({"ORG", "NAME", "ROLE", "PROJECTS"});
    cli.exit_code = RunPointQuery(
        cli, *o, [](Query::Builder q) { return q.initUserAccessAsOf(); },
        [&](api::client::Reply& part) {
          auto list = part.get().getUserAccessAsOf();
          if (cli.json) {
            json.Add(list);
            return true;
          }
          for (auto a : list) {
            std::string projects;
            for (auto p : a.getProjects()) {
              projects += (projects.empty() ? "" : ", ") + std::string(p.getProjectId().cStr()) +
                          ":" + p.getRole().cStr();
            }
            table.Add({a.getOrg().cStr(), a.getOrgName().cStr(), OrDash(a.getRole().cStr()),
                       OrDash(projects)});
          }
          table.Flush(std::cout);
          return true;
        });
    if (cli.exit_code == kOk && cli.json) json.End();
  });
}

void RegisterHistory(CLI::App& app, Cli& cli) {
  auto o = std::make_shared<PointOptions>();
  auto* sub = app.add_subcommand("history", "everything that happened to a user's access");
  sub->add_option("user", o->user, "user id")->required();
  AddPoint(*sub, *o);
  sub->callback([o, &cli] {
    JsonListPrinter json;
    StreamedTable table({"POS", "TIME", "ORG", "ACTION", "ACTOR", "BEFORE", "AFTER"});
    cli.exit_code = RunPointQuery(
        cli, *o, [](Query::Builder q) { return q.initUserHistory(); },
        [&](api::client::Reply& part) {
          auto list = part.get().getUserHistory();
          if (cli.json) {
            json.Add(list);
            return true;
          }
          for (auto h : list) {
            table.Add({std::to_string(h.getPosition()), TimeOrDash(h.getTimeUs()),
                       h.getOrg().cStr(), h.getAction().cStr(), OrDash(h.getActor().cStr()),
                       OrDash(h.getBefore().cStr()), OrDash(h.getAfter().cStr())});
          }
          table.Flush(std::cout);
          return true;
        });
    if (cli.exit_code == kOk && cli.json) json.End();
  });
}

}  // namespace

void RegisterAsOfQueries(CLI::App& app, Cli& cli) {
  auto* as_of = app.add_subcommand("as-of", "replay the log to a past point: an org, or a user");
  as_of->require_subcommand(1);
  RegisterAsOfOrg(*as_of, cli);
  RegisterAsOfUser(*as_of, cli);
  RegisterHistory(app, cli);
}

}  // namespace roster::tools::cli
