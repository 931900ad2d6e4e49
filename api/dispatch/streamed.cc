// Streamed answers: the audit export, and as-of / history queries that ask for parts. Each
// part is built, handed to the sink (which may wait for the connection to have room) and
// dropped, so the server never holds a whole encoded answer: the export holds the writer's
// working set (a batch being formatted, the next read ahead), as-of and history the replayed
// result they are cut from.
#include <kj/exception.h>

#include <algorithm>
#include <chrono>

#include "api/audit_export/audit_export.h"
#include "api/dispatch/dispatcher.h"
#include "api/dispatch/fill.h"

namespace roster::api::dispatch {
namespace {

constexpr size_t kItemsPerPart = 500;                // members, invitations, entries per part
constexpr size_t kExportBytesPerPart = 256 << 10;    // export file bytes per part
constexpr std::chrono::seconds kExportKeepAlive{1};  // longest silence while an export scans

// One part under construction: a fresh message per part, so nothing outlives its sending.
class Part {
 public:
  explicit Part(uint64_t id) : response_(message_.initRoot<wire::Response>()) {
    response_.setId(id);
  }
  wire::Response::Builder response() { return response_; }
  bool SendTo(PartSink& sink, bool more) {
    response_.setMore(more);
    return sink.Send(message_);
  }

 private:
  capnp::MallocMessageBuilder message_;
  wire::Response::Builder response_;
};

void SendError(uint64_t id, PartSink& sink, const api::service::Failure& failure) {
  Part part(id);
  SetError(part.response(), failure.code, failure.message);
  part.SendTo(sink, false);
}

// Sends `items` in parts of kItemsPerPart (one empty part when there are none); `init` makes
// the part's list of the given size and `set` fills one element.
template <class Item, class Init, class Set>
void SendList(uint64_t id, PartSink& sink, const std::vector<Item>& items, Init init, Set set) {
  size_t next = 0;
  do {
    const size_t n = std::min(kItemsPerPart, items.size() - next);
    Part part(id);
    auto list = init(part.response(), static_cast<unsigned>(n));
    for (unsigned i = 0; i < n; ++i) set(list[i], items[next + i]);
    next += n;
    if (!part.SendTo(sink, next < items.size())) return;
  } while (next < items.size());
}

// organizationAsOf in parts: the header alone, then members, pending invitations and project
// members in that order, kItemsPerPart per part. A project whose members do not fit continues
// as the first project of the next part, under the same id.
void SendOrganizationAsOf(uint64_t id, PartSink& sink,
                          const api::service::OrganizationAsOfView& at) {
  size_t members = 0, pending = 0, project = 0, project_member = 0;
  auto done = [&] {
    return members == at.members.size() && pending == at.pending.size() &&
           project == at.projects.size();
  };
  {
    Part header(id);
    SetAsOfHeader(header.response().initOrganizationAsOf(), at);
    if (!header.SendTo(sink, !done())) return;
  }
  while (!done()) {
    Part part(id);
    auto out = part.response().initOrganizationAsOf();
    size_t budget = kItemsPerPart;
    const size_t nm = std::min(budget, at.members.size() - members);
    auto member_list = out.initMembers(static_cast<unsigned>(nm));
    for (unsigned i = 0; i < nm; ++i) SetAsOfMember(member_list[i], at.members[members + i], at.at);
    members += nm;
    budget -= nm;
    const size_t np = std::min(budget, at.pending.size() - pending);
    auto pending_list = out.initPending(static_cast<unsigned>(np));
    for (unsigned i = 0; i < np; ++i) SetPending(pending_list[i], at.pending[pending + i]);
    pending += np;
    budget -= np;
    // Which projects (and which of their members) go into this part; an empty project costs
    // one item so that a part always makes progress.
    struct Slice {
      size_t project, first, count;
    };
    std::vector<Slice> slices;
    while (budget > 0 && project < at.projects.size()) {
      const size_t size = at.projects[project].second.size();
      const size_t count = std::min(budget, size - project_member);
      slices.push_back({project, project_member, count});
      budget -= std::max<size_t>(count, 1);
      project_member += count;
      if (project_member == size) {
        ++project;
        project_member = 0;
      }
    }
    auto projects = out.initProjects(static_cast<unsigned>(slices.size()));
    for (unsigned i = 0; i < slices.size(); ++i) {
      const auto& [pid, list] = at.projects[slices[i].project];
      projects[i].setProjectId(pid);
      auto ms = projects[i].initMembers(static_cast<unsigned>(slices[i].count));
      for (unsigned k = 0; k < ms.size(); ++k) {
        SetProjectMember(ms[k], list[slices[i].first + k], pid);
      }
    }
    if (!part.SendTo(sink, !done())) return;
  }
}

void SendExport(uint64_t id, PartSink& sink, api::service::Node& node,
                wire::ExportQuery::Reader q) {
  api::audit_export::ExportOptions options;
  options.format = q.getFormat() == wire::ExportFormat::CSV
                       ? api::audit_export::ExportFormat::kCsv
                       : api::audit_export::ExportFormat::kJsonLines;
  if (q.getOrg().size() > 0) options.org = Str(q.getOrg());
  options.from_us = q.getFromTimeUs();
  options.to_us = q.getToTimeUs();
  bool stopped = false;  // the reader went away: nothing more to send
  auto last_sent = std::chrono::steady_clock::now();
  auto summary = api::audit_export::WriteExport(
      node.log(), node.codec(), options, [&](std::string_view bytes) {
        // No bytes yet (a filtered export scanning other organizations' records): an empty
        // part now and then tells the reader, whose wait for each part is bounded, that the
        // export is alive.
        if (bytes.empty() && std::chrono::steady_clock::now() - last_sent < kExportKeepAlive) {
          return true;
        }
        do {
          const std::string_view piece = bytes.substr(0, kExportBytesPerPart);
          bytes.remove_prefix(piece.size());
          Part part(id);
          part.response().initAuditExport().setData(capnp::Data::Reader(
              reinterpret_cast<const capnp::byte*>(piece.data()), piece.size()));
          if (!part.SendTo(sink, true)) {
            stopped = true;
            return false;
          }
          last_sent = std::chrono::steady_clock::now();
        } while (!bytes.empty());
        return true;
      });
  if (stopped) return;
  if (!summary) return SendError(id, sink, api::service::FromStoreError(summary.error()));
  Part last(id);
  auto out = last.response().initAuditExport();
  out.setEntries(summary->entries);
  out.setFirstPosition(summary->first_position);
  out.setLastPosition(summary->last_position);
  out.setHeadHash(summary->head_hash);
  last.SendTo(sink, false);
}

}  // namespace

bool Dispatcher::IsStreamed(wire::Request::Reader request) {
  if (!request.isQuery()) return false;
  auto q = request.getQuery();
  switch (q.which()) {
    case wire::Query::AUDIT_EXPORT:
      return true;
    case wire::Query::ORGANIZATION_AS_OF:
    case wire::Query::USER_ACCESS_AS_OF:
    case wire::Query::USER_HISTORY:
      return q.getStreamed();
    default:
      return false;
  }
}

void Dispatcher::HandleStreamed(const Principal& principal, wire::Request::Reader request,
                                PartSink& sink) {
  uint64_t id = 0;
  try {
    id = request.getId();
    if (auto denied = Authorize(principal, request)) return SendError(id, sink, *denied);
    if (!IsStreamed(request)) {
      Part single(id);
      Handle(principal, request, single.response());
      single.SendTo(sink, false);
      return;
    }
    api::service::QueryService& queries = node_.queries();
    auto q = request.getQuery();
    switch (q.which()) {
      case wire::Query::AUDIT_EXPORT:
        return SendExport(id, sink, node_, q.getAuditExport());
      case wire::Query::ORGANIZATION_AS_OF: {
        auto r = q.getOrganizationAsOf();
        auto at = queries.OrganizationAsOf(domain::OrgId(Str(r.getOrg())), Point(r),
                                           q.getConsistencyToken(),
                                           api::service::Viewer{Str(r.getViewer())});
        if (!at) return SendError(id, sink, at.error());
        return SendOrganizationAsOf(id, sink, *at);
      }
      case wire::Query::USER_ACCESS_AS_OF: {
        auto r = q.getUserAccessAsOf();
        auto access = queries.UserAccessAsOf(domain::UserId(Str(r.getUser())), Point(r),
                                             q.getConsistencyToken(),
                                             api::service::Viewer{Str(r.getViewer())});
        if (!access) return SendError(id, sink, access.error());
        return SendList(
            id, sink, *access,
            [](wire::Response::Builder out, unsigned n) { return out.initUserAccessAsOf(n); },
            [](wire::UserAccess::Builder out, const projections::UserAccessAsOf& a) {
              SetUserAccess(out, a.org_id, a.org_name, a.role, a.projects);
            });
      }
      case wire::Query::USER_HISTORY: {
        auto r = q.getUserHistory();
        auto history =
            queries.UserHistory(domain::UserId(Str(r.getUser())), Point(r), q.getConsistencyToken(),
                                api::service::Viewer{Str(r.getViewer())});
        if (!history) return SendError(id, sink, history.error());
        return SendList(
            id, sink, *history,
            [](wire::Response::Builder out, unsigned n) { return out.initUserHistory(n); },
            SetHistoryEntry);
      }
      default:
        return SendError(id, sink, {"UNSUPPORTED", "not a streamed query"});
    }
  } catch (const kj::Exception& e) {
    SendError(id, sink,
              {"BAD_REQUEST", std::string("malformed request: ") + e.getDescription().cStr()});
  } catch (const std::exception& e) {
    SendError(id, sink, {"INTERNAL", e.what()});
  }
}

}  // namespace roster::api::dispatch
