// The activity log, logins and status (as-of and history are in as_of_queries.cc).
#include <fmt/format.h>

#include <memory>

#include "api/wire/time.h"
#include "tools/cli/query_util.h"

namespace roster::tools::cli {
namespace {

using api::wire::Query;
using api::wire::Response;

void RegisterActivity(CLI::App& app, Cli& cli) {
  struct Options {
    std::string org, actor, subject, action, from, to, viewer;
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
  sub->add_option("--viewer", o->viewer,
                  "who is looking: needs audit.view in --org, which is then required (empty: the "
                  "service)");
  sub->add_option("--cursor", o->cursor, "continue after this cursor")->check(NotNegative());
  sub->add_option("--limit", o->limit, "entries per page (default 100, at most 1000)")
      ->check(NotNegative());
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
          r.setViewer(o->viewer);
          r.setCursor(o->cursor);
          r.setLimit(o->limit);
        },
        [&](Response::Reader response) {
          auto page = response.getActivity();
          if (cli.json) {
            std::cout << api::wire::ToJson(page) << "\n";
            return int{kOk};
          }
          Table table({"POS", "TIME", "ORG", "ACTOR", "ACTION", "SUBJECT", "BEFORE", "AFTER"});
          for (auto e : page.getEntries()) {
            std::string subject = e.getSubject().cStr();
            if (e.getProject().size() > 0 && e.getProject() != e.getSubject()) {
              subject += " @" + std::string(e.getProject().cStr());
            }
            table.Add({std::to_string(e.getPosition()), TimeOrDash(e.getTimeUs()),
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
    std::string org, user, viewer;
    uint64_t cursor = 0, consistency = 0;
    uint32_t limit = 0;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand("logins", "login history of an organization or one user");
  sub->add_option("org", o->org, "organization id")->required();
  sub->add_option("--user", o->user, "only this user");
  sub->add_option("--viewer", o->viewer,
                  "who is looking: the --user, or someone with members.view (empty: the service)");
  sub->add_option("--cursor", o->cursor, "continue after this cursor")->check(NotNegative());
  sub->add_option("--limit", o->limit, "entries per page")->check(NotNegative());
  AddConsistencyOption(*sub, o->consistency);
  sub->callback([o, &cli] {
    cli.exit_code = RunQuery(
        cli, o->consistency,
        [&](Query::Builder q) {
          auto r = q.initLogins();
          r.setOrg(o->org);
          r.setUser(o->user);
          r.setViewer(o->viewer);
          r.setCursor(o->cursor);
          r.setLimit(o->limit);
        },
        [&](Response::Reader response) {
          auto page = response.getLogins();
          if (cli.json) {
            std::cout << api::wire::ToJson(page) << "\n";
            return int{kOk};
          }
          Table table({"POS", "TIME", "USER", "IP", "USER AGENT"});
          for (auto l : page.getLogins()) {
            table.Add({std::to_string(l.getPosition()), TimeOrDash(l.getTimeUs()),
                       l.getUserId().cStr(), OrDash(l.getIp().cStr()),
                       OrDash(l.getUserAgent().cStr())});
          }
          table.Print(std::cout);
          PrintNextCursor(page.getNextCursor());
          return int{kOk};
        });
  });
}

void RegisterStatus(CLI::App& app, Cli& cli) {
  auto* sub = app.add_subcommand("status", "the server, the log and every read model's position");
  auto token = std::make_shared<uint64_t>(0);
  AddConsistencyOption(*sub, *token);
  sub->callback([&cli, token] {
    cli.exit_code = RunQuery(
        cli, *token, [](Query::Builder q) { q.setStatus(); },
        [&](Response::Reader response) {
          auto status = response.getStatus();
          if (cli.json) {
            std::cout << api::wire::ToJson(status) << "\n";
            return int{kOk};
          }
          const auto memory = status.getMemory();
          const auto mib = [](uint64_t bytes) { return fmt::format("{:.1f}", bytes / 1048576.0); };
          const bool pg = status.getLogBackend() == "postgresql";
          PrintFields(
              std::cout,
              {{"server", status.getServerVersion().cStr()},
               {"log position", std::to_string(status.getLastPosition())},
               {"connections", std::to_string(status.getConnections())},
               {"memory", fmt::format("{} MiB resident", mib(memory.getRssBytes()))},
               {"log storage",
                pg ? std::string("on PostgreSQL (shared by every node; not in this process)")
                   : fmt::format("{} MiB write buffers, {} MiB block cache, {} MiB table indexes",
                                 mib(memory.getLogMemtableBytes()),
                                 mib(memory.getLogBlockCacheBytes()),
                                 mib(memory.getLogTableReaderBytes()))},
               {"views storage",
                fmt::format("{} MiB write buffers, {} MiB block cache, {} MiB table indexes",
                            mib(memory.getViewsMemtableBytes()),
                            mib(memory.getViewsBlockCacheBytes()),
                            mib(memory.getViewsTableReaderBytes()))}});
          if (const int64_t since = status.getLogUnreachableSinceUs(); since != 0) {
            std::cout << "log unreachable since "
                      << api::wire::FormatTime(since, api::wire::Subseconds::kWhenNonZero)
                      << ": commands fail; the read models answer as of their positions and "
                         "miss what other nodes committed since\n";
          }
          Table table(
              {"PROJECTION", "VERSION", "READY", "POSITION", "BUILDING", "CACHED", "HIT RATE"});
          for (auto p : status.getProjections()) {
            const uint64_t asked = p.getCacheHits() + p.getCacheMisses();
            const bool caches = p.getCacheBudgetBytes() > 0;
            table.Add({p.getName().cStr(), std::to_string(p.getVersion()),
                       p.getReady() ? "yes" : "no", std::to_string(p.getPosition()),
                       p.getBuilding() ? "at " + std::to_string(p.getBuildPosition()) : "-",
                       caches ? fmt::format("{} orgs, {:.1f} of {:.0f} MiB", p.getCachedOrgs(),
                                            p.getCacheBytes() / 1048576.0,
                                            p.getCacheBudgetBytes() / 1048576.0)
                              : "-",
                       caches && asked > 0
                           ? fmt::format("{:.1f}%", 100.0 * p.getCacheHits() / asked)
                           : "-"});
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
  RegisterStatus(app, cli);
}

}  // namespace roster::tools::cli
