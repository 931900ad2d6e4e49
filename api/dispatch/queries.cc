// Queries: protocol -> query service -> protocol result.
#include <unistd.h>

#include <fstream>

#include "api/dispatch/dispatcher.h"
#include "api/dispatch/fill.h"
#include "api/service/listings.h"

namespace roster::api::dispatch {
namespace {

// The process's resident set, from /proc (0 where there is none).
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void SetMemory(wire::MemoryInfo::Builder out, api::service::Node& node) {
  out.setRssBytes(ResidentBytes());
  // A log on PostgreSQL holds its memory in the server's processes, not in this one: 0.
  const eventstore::StorageMemory log =
      node.rocks_store() ? node.rocks_store()->memory() : eventstore::StorageMemory{};
  out.setLogMemtableBytes(log.memtable_bytes);
  out.setLogBlockCacheBytes(log.block_cache_bytes);
  out.setLogTableReaderBytes(log.table_reader_bytes);
  const eventstore::StorageMemory views = node.views().Memory();
  out.setViewsMemtableBytes(views.memtable_bytes);
  out.setViewsBlockCacheBytes(views.block_cache_bytes);
  out.setViewsTableReaderBytes(views.table_reader_bytes);
}

using namespace projections;

void SetMember(wire::Member::Builder out, const MemberView& m) {
  out.setMembershipId(m.membership_id);
  out.setUserId(m.user_id);
  out.setEmail(m.email);
  out.setDisplayName(m.display_name);
  out.setRole(m.role);
  out.setStatus(std::string(MembershipStatusName(m.status)));
  out.setJoinedAtUs(m.joined_at_us);
  out.setEndedAtUs(m.ended_at_us);
  out.setLastLoginUs(m.last_login_us);
  out.setLastActiveUs(m.last_active_us);
  out.setCursor(m.joined_position);
}

void SetProjectMembers(capnp::List<wire::ProjectMemberAccess>::Builder out,
                       const std::vector<ProjectMemberAccess>& members,
                       const std::string& project) {
  for (unsigned i = 0; i < members.size(); ++i) SetProjectMember(out[i], members[i], project);
}

std::optional<domain::InvitationStatus> StatusFilter(wire::InvitationStatus s) {
  switch (s) {
    case wire::InvitationStatus::PENDING:
      return domain::InvitationStatus::kPending;
    case wire::InvitationStatus::ACCEPTED:
      return domain::InvitationStatus::kAccepted;
    case wire::InvitationStatus::REVOKED:
      return domain::InvitationStatus::kRevoked;
    case wire::InvitationStatus::EXPIRED:
      return domain::InvitationStatus::kExpired;
    default:
      return std::nullopt;
  }
}

std::optional<domain::ProjectId> ProjectIdOf(capnp::Text::Reader t) {
  if (t.size() == 0) return std::nullopt;
  return domain::ProjectId(Str(t));
}

std::optional<std::string> NonEmpty(capnp::Text::Reader t) {
  return t.size() == 0 ? std::nullopt : std::optional<std::string>(Str(t));
}

}  // namespace

void Dispatcher::HandleQuery(wire::Query::Reader q, wire::Response::Builder response) {
  api::service::QueryService& queries = node_.queries();
  const eventstore::Position token = q.getConsistencyToken();
  auto fail = [&](const api::service::Failure& f) { SetError(response, f.code, f.message); };
  switch (q.which()) {
    case wire::Query::LIST_MEMBERS: {
      auto r = q.getListMembers();
      auto page = queries.ListMembers(domain::OrgId(Str(r.getOrg())),
                                      api::service::Viewer{Str(r.getViewer())},
                                      r.getIncludeFormer(), r.getCursor(), r.getLimit(), token);
      if (!page) return fail(page.error());
      auto out = response.initMembers();
      auto list = out.initMembers(static_cast<unsigned>(page->members.size()));
      for (unsigned i = 0; i < list.size(); ++i) SetMember(list[i], page->members[i]);
      out.setNextCursor(page->next_cursor);
      return;
    }
    case wire::Query::ORGANIZATIONS_OF: {
      auto orgs = queries.OrganizationsOf(domain::UserId(Str(q.getOrganizationsOf())), token);
      if (!orgs) return fail(orgs.error());
      auto list = response.initOrganizations(static_cast<unsigned>(orgs->size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        const UserOrganization& o = (*orgs)[i];
        list[i].setOrg(o.org.org_id);
        list[i].setName(o.org.name);
        list[i].setRole(o.membership.role);
        list[i].setMembershipId(o.membership.membership_id);
        list[i].setJoinedAtUs(o.membership.joined_at_us);
        list[i].setLastActiveUs(o.membership.last_active_us);
      }
      return;
    }
    case wire::Query::LIST_INVITATIONS: {
      auto r = q.getListInvitations();
      auto page = queries.Invitations(domain::OrgId(Str(r.getOrg())), StatusFilter(r.getStatus()),
                                      r.getCursor(), r.getLimit(), token,
                                      api::service::Viewer{Str(r.getViewer())});
      if (!page) return fail(page.error());
      auto out = response.initInvitations();
      auto list = out.initInvitations(static_cast<unsigned>(page->invitations.size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        const InvitationView& v = page->invitations[i];
        list[i].setInvitationId(v.invitation_id);
        list[i].setEmail(v.email);
        list[i].setDisplayName(v.display_name);
        list[i].setRole(v.role);
        list[i].setInviter(v.inviter);
        list[i].setStatus(std::string(domain::InvitationStatusName(v.status)));
        list[i].setSentAtUs(v.sent_at_us);
        list[i].setExpiresAtUs(v.expires_at_us);
        list[i].setResendCount(v.resend_count);
        list[i].setAcceptedBy(v.accepted_by);
        list[i].setEndedAtUs(v.ended_at_us);
        list[i].setCursor(v.sent_position);
        list[i].setValidForUs(v.valid_for_us);
        list[i].setProjectId(v.project_id);
        list[i].setProjectRole(v.project_role);
      }
      out.setNextCursor(page->next_cursor);
      return;
    }
    case wire::Query::PROJECT_ACCESS: {
      auto r = q.getProjectAccess();
      const std::string project = Str(r.getProjectId());
      auto members =
          queries.ProjectAccess(domain::OrgId(Str(r.getOrg())), domain::ProjectId(project), token,
                                api::service::Viewer{Str(r.getViewer())});
      if (!members) return fail(members.error());
      SetProjectMembers(response.initProjectAccess(static_cast<unsigned>(members->size())),
                        *members, project);
      return;
    }
    case wire::Query::USER_ACCESS: {
      auto r = q.getUserAccess();
      auto view =
          queries.UserAccess(domain::OrgId(Str(r.getOrg())), domain::UserId(Str(r.getUser())),
                             token, api::service::Viewer{Str(r.getViewer())});
      if (!view) return fail(view.error());
      std::vector<std::pair<std::string, domain::ProjectAccess>> projects;
      for (const ProjectView& p : view->projects) projects.emplace_back(p.project_id, p.access);
      SetUserAccess(response.initUserAccess(), Str(r.getOrg()), view->org_name, view->org_role,
                    projects);
      return;
    }
    case wire::Query::CHECK: {
      auto r = q.getCheck();
      auto result = queries.Check(domain::OrgId(Str(r.getOrg())), domain::UserId(Str(r.getUser())),
                                  Str(r.getPermission()), ProjectIdOf(r.getProjectId()), token);
      if (!result) return fail(result.error());
      auto out = response.initCheck();
      out.setAllowed(result->allowed);
      out.setRole(result->role);
      out.setSource(std::string(domain::AccessSourceName(result->source)));
      out.setReason(result->reason);
      return;
    }
    case wire::Query::ACTIVITY: {
      auto r = q.getActivity();
      ActivityFilter filter;
      filter.org = NonEmpty(r.getOrg());
      filter.actor = NonEmpty(r.getActor());
      filter.subject = NonEmpty(r.getSubject());
      filter.action = NonEmpty(r.getAction());
      if (r.getFromTimeUs() != 0) filter.from_us = r.getFromTimeUs();
      if (r.getToTimeUs() != 0) filter.to_us = r.getToTimeUs();
      filter.cursor = r.getCursor();
      filter.newest_first = r.getNewestFirst();
      auto page =
          queries.Activity(filter, r.getLimit(), token, api::service::Viewer{Str(r.getViewer())});
      if (!page) return fail(page.error());
      auto out = response.initActivity();
      auto list = out.initEntries(static_cast<unsigned>(page->entries.size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        const ActivityEntry& e = page->entries[i];
        list[i].setPosition(e.position);
        list[i].setTimeUs(e.time_us);
        list[i].setOrg(e.org);
        list[i].setActor(e.actor);
        list[i].setAction(e.action);
        list[i].setSubject(e.subject);
        list[i].setAlsoSubject(e.also_subject);
        list[i].setProject(e.project);
        list[i].setBefore(e.before);
        list[i].setAfter(e.after);
        list[i].setCommandId(e.command_id);
        list[i].setCorrelationId(e.correlation_id);
        list[i].setSource(e.source);
        list[i].setHash(capnp::Data::Reader(e.hash.data(), e.hash.size()));
      }
      out.setNextCursor(page->next_cursor);
      return;
    }
    case wire::Query::LOGINS: {
      auto r = q.getLogins();
      auto page = queries.Logins(domain::OrgId(Str(r.getOrg())), domain::UserId(Str(r.getUser())),
                                 r.getCursor(), r.getLimit(), token,
                                 api::service::Viewer{Str(r.getViewer())});
      if (!page) return fail(page.error());
      auto out = response.initLogins();
      auto list = out.initLogins(static_cast<unsigned>(page->logins.size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        const LoginEntry& l = page->logins[i];
        list[i].setPosition(l.position);
        list[i].setUserId(l.user_id);
        list[i].setTimeUs(l.time_us);
        list[i].setIp(l.ip);
        list[i].setUserAgent(l.user_agent);
      }
      out.setNextCursor(page->next_cursor);
      return;
    }
    case wire::Query::ORGANIZATION_AS_OF: {
      auto r = q.getOrganizationAsOf();
      auto at = queries.OrganizationAsOf(domain::OrgId(Str(r.getOrg())), Point(r), token,
                                         api::service::Viewer{Str(r.getViewer())});
      if (!at) return fail(at.error());
      SetOrganizationAsOf(response.initOrganizationAsOf(), *at);
      return;
    }
    case wire::Query::USER_ACCESS_AS_OF: {
      auto r = q.getUserAccessAsOf();
      auto access = queries.UserAccessAsOf(domain::UserId(Str(r.getUser())), Point(r), token,
                                           api::service::Viewer{Str(r.getViewer())});
      if (!access) return fail(access.error());
      auto list = response.initUserAccessAsOf(static_cast<unsigned>(access->size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        const UserAccessAsOf& a = (*access)[i];
        SetUserAccess(list[i], a.org_id, a.org_name, a.role, a.projects);
      }
      return;
    }
    case wire::Query::USER_HISTORY: {
      auto r = q.getUserHistory();
      auto history = queries.UserHistory(domain::UserId(Str(r.getUser())), Point(r), token,
                                         api::service::Viewer{Str(r.getViewer())});
      if (!history) return fail(history.error());
      auto list = response.initUserHistory(static_cast<unsigned>(history->size()));
      for (unsigned i = 0; i < list.size(); ++i) SetHistoryEntry(list[i], (*history)[i]);
      return;
    }
    case wire::Query::AUDIT_EXPORT:
      SetError(response, "UNSUPPORTED", "the export is answered in parts, on a connection");
      return;
    case wire::Query::LIST_ROLES:
    case wire::Query::LIST_PROJECTS:
    case wire::Query::LIST_API_KEYS:
    case wire::Query::LIST_RESOURCES:
    case wire::Query::ORG_SETTINGS:
      return HandleListing(q, response);
    case wire::Query::STATUS: {
      if (auto reached = queries.WaitForAll(token); !reached) return fail(reached.error());
      auto out = response.initStatus();
      out.setLastPosition(node_.log().LastPosition());
      out.setServerVersion(server_version_);
      out.setConnections(connections_ ? connections_() : 0);
      out.setLogBackend(node_.pg_log() ? "postgresql" : "rocksdb");
      if (auto* pg = node_.pg_log()) {
        out.setLogUnreachableSinceUs(pg->stats().unreachable_since_us);
      }
      if (test_clock_) {
        out.setTestClock(true);
        out.setTestClockOffsetUs(test_clock_->offset().count());
      }
      SetMemory(out.initMemory(), node_);
      auto described = node_.engine().Describe();
      auto list = out.initProjections(static_cast<unsigned>(described.size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        list[i].setName(described[i].name);
        list[i].setVersion(described[i].version);
        list[i].setReady(described[i].ready);
        list[i].setPosition(described[i].position);
        list[i].setBuilding(described[i].building);
        list[i].setBuildPosition(described[i].build_position);
        if (const auto& cache = described[i].cache) {
          list[i].setCacheHits(cache->hits);
          list[i].setCacheMisses(cache->misses);
          list[i].setCachedOrgs(cache->orgs);
          list[i].setCacheBytes(cache->bytes);
          list[i].setCacheBudgetBytes(cache->budget);
        }
      }
      return;
    }
  }
  SetError(response, "UNSUPPORTED", "unknown query");
}

void Dispatcher::HandleListing(wire::Query::Reader q, wire::Response::Builder response) {
  auto fail = [&](const api::service::Failure& f) { SetError(response, f.code, f.message); };
  wire::OrgListing::Reader r;
  switch (q.which()) {
    case wire::Query::LIST_ROLES:
      r = q.getListRoles();
      break;
    case wire::Query::LIST_PROJECTS:
      r = q.getListProjects();
      break;
    case wire::Query::LIST_API_KEYS:
      r = q.getListApiKeys();
      break;
    case wire::Query::LIST_RESOURCES:
      r = q.getListResources();
      break;
    default:
      r = q.getOrgSettings();
  }
  const api::service::Viewer viewer{Str(r.getViewer())};
  const domain::OrgId org(Str(r.getOrg()));
  auto state = node_.commands().State(org);
  if (!state) return fail(state.error());
  // An organization never created has a state without its id: name it in what is answered.
  state->org_id = org;
  switch (q.which()) {
    case wire::Query::LIST_ROLES: {
      auto roles = api::service::ListRoles(*state, viewer);
      if (!roles) return fail(roles.error());
      auto list = response.initRoles(static_cast<unsigned>(roles->size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        const auto& role = (*roles)[i];
        list[i].setName(role.name);
        auto permissions = list[i].initPermissions(static_cast<unsigned>(role.permissions.size()));
        for (unsigned k = 0; k < permissions.size(); ++k) permissions.set(k, role.permissions[k]);
        list[i].setProjectRole(role.project_role);
        list[i].setOwnerRole(role.owner_role);
        list[i].setGrantable(role.grantable);
      }
      return;
    }
    case wire::Query::LIST_PROJECTS: {
      auto projects = api::service::ListProjects(*state, viewer);
      if (!projects) return fail(projects.error());
      auto list = response.initProjects(static_cast<unsigned>(projects->size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        list[i].setProjectId((*projects)[i].project_id);
        list[i].setName((*projects)[i].name);
        list[i].setDirectMembers((*projects)[i].direct_members);
      }
      return;
    }
    case wire::Query::LIST_API_KEYS: {
      auto keys = api::service::ListApiKeys(*state, viewer);
      if (!keys) return fail(keys.error());
      auto list = response.initApiKeys(static_cast<unsigned>(keys->size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        const auto& key = (*keys)[i];
        list[i].setApiKeyId(key.api_key_id);
        list[i].setName(key.name);
        list[i].setCreator(key.creator);
        list[i].setProjectId(key.project_id);
        list[i].setRevoked(key.revoked);
        list[i].setRotationRecommended(key.rotation_recommended);
      }
      return;
    }
    case wire::Query::LIST_RESOURCES: {
      auto resources = api::service::ListResources(*state, viewer);
      if (!resources) return fail(resources.error());
      auto list = response.initResources(static_cast<unsigned>(resources->size()));
      for (unsigned i = 0; i < list.size(); ++i) {
        const auto& resource = (*resources)[i];
        list[i].setResourceId(resource.resource_id);
        list[i].setKind(resource.kind);
        list[i].setName(resource.name);
        list[i].setOwner(resource.owner);
        list[i].setProjectId(resource.project_id);
      }
      return;
    }
    default: {
      auto settings = api::service::Settings(*state, viewer);
      if (!settings) return fail(settings.error());
      auto out = response.initSettings();
      out.setInvitationTtlDays(settings->invitation_ttl_days);
      out.setMaxPendingInvitations(settings->max_pending_invitations);
    }
  }
}

}  // namespace roster::api::dispatch
