#include "tools/admin/admin_commands.h"

#include <capnp/message.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>

#include "api/dispatch/fill.h"
#include "api/service/audit_queries.h"
#include "api/wire/json.h"
#include "api/wire/time.h"
#include "eventstore/codec/streams.h"
#include "eventstore/record.h"
#include "projections/describe_event.h"
#include "tools/admin/open_data_dir.h"
#include "tools/admin/verify_export.h"

namespace roster::tools::admin {

using eventstore::Position;

namespace {

std::string When(const projections::AsOfPoint& p) {
  std::string out;
  if (p.time_us) out = api::wire::FormatTime(*p.time_us);
  if (p.position) out += (out.empty() ? "position " : ", position ") + std::to_string(p.position);
  return out.empty() ? "now" : out;
}

}  // namespace

int RunVerify(const std::filesystem::path& dir, const Streams& io) {
  auto log = OpenLogReadOnly(dir, io.err);
  if (!log) return 2;
  const Position last = log->LastPosition();
  const auto start = std::chrono::steady_clock::now();
  auto report = log->Verify(1, last, [&](Position reached) {
    if (io.progress) DrawProgress(io.err, "verify", reached, last);
  });
  if (io.progress) io.err << "\n";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!report) {
    io.err << "roster-admin verify: " << report.error().message << "\n";
    return 2;
  }
  if (!report->ok) {
    io.out << "verify: BROKEN at position " << report->first_bad << ": " << report->problem << " ("
           << report->checked << " records before it are intact)\n";
    return 1;
  }
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.0f", seconds > 0 ? report->checked / seconds : 0.0);
  io.out << "verify: ok, " << report->checked << " records, positions 1.." << report->to
         << ", chain head " << eventstore::HashHex(report->last_hash) << " (" << rate
         << " records/s)\n";
  return 0;
}

int RunAsOf(const std::filesystem::path& dir, const std::string& org,
            const projections::AsOfPoint& point, const Streams& io) {
  auto log = OpenLogReadOnly(dir, io.err);
  if (!log) return 2;
  eventstore::codec::EventCodec codec;
  auto at = api::service::OrganizationAsOf(*log, codec, domain::OrgId(org), point);
  if (!at) {
    io.err << "roster-admin as-of: " << at.error().code << ": " << at.error().message << "\n";
    return 1;
  }
  if (io.json) {
    capnp::MallocMessageBuilder message;
    auto out = message.initRoot<api::wire::OrganizationAsOf>();
    api::dispatch::SetOrganizationAsOf(out, *at);
    io.out << api::wire::ToJson(out.asReader()) << "\n";
    return 0;
  }
  const domain::OrganizationState& s = at->at.state;
  io.out << "organization " << org << " \"" << s.name << "\" as of " << When(point)
         << (s.status == domain::OrgStatus::kDeleted ? " (deleted)" : "") << "\n";
  io.out << "last change: position " << at->at.position << " at "
         << api::wire::FormatTime(at->at.time_us) << "\n";
  io.out << "members (" << at->members.size() << "):\n";
  for (const domain::Member& m : at->members) {
    io.out << "  " << m.user_id.value << "  " << m.email.value() << "  role=" << m.role
           << "  membership=" << m.membership_id.value << "\n";
  }
  io.out << "roles (" << s.catalog.roles().size() << ", owner role " << s.catalog.owner_role()
         << "):\n";
  for (const domain::Role& r : s.catalog.roles()) {
    io.out << "  " << r.name << "  permissions=" << r.permissions.size()
           << "  project role=" << (r.project_role.empty() ? "none" : r.project_role) << "\n";
  }
  io.out << "pending invitations (" << at->pending.size() << "):\n";
  for (const domain::Invitation& inv : at->pending) {
    io.out << "  " << inv.id.value << "  " << inv.email.value() << "  role=" << inv.role
           << "  expires " << api::wire::FormatTime(domain::ToMicros(inv.expires_at)) << "\n";
  }
  io.out << "projects (" << at->projects.size() << "):\n";
  for (const auto& [project, access] : at->projects) {
    io.out << "  " << project << ":";
    for (const auto& a : access) {
      io.out << " " << a.user_id << "=" << a.access.role << "("
             << domain::AccessSourceName(a.access.source) << ")";
    }
    io.out << "\n";
  }
  return 0;
}

int RunHistory(const std::filesystem::path& dir, const std::string& user,
               const projections::AsOfPoint& until, const Streams& io) {
  auto log = OpenLogReadOnly(dir, io.err);
  if (!log) return 2;
  eventstore::codec::EventCodec codec;
  // Offline there is no access projection to say which organizations the user was in, so
  // every organization is replayed: the same code path, over a superset.
  std::vector<std::string> orgs;
  std::set<std::string> seen;
  for (Position pos = 1; pos <= log->LastPosition();) {
    auto records = log->ReadAll(pos, 8192);
    if (!records || records->empty()) break;
    for (const auto& r : *records) {
      pos = r.position + 1;
      auto owner = eventstore::codec::ParseStream(r.stream);
      if (owner && !owner->activity && seen.insert(owner->org.value).second) {
        orgs.push_back(owner->org.value);
      }
    }
  }
  auto history = api::service::UserHistory(*log, codec, user, orgs, until);
  if (!history) {
    io.err << "roster-admin history: " << history.error().code << ": " << history.error().message
           << "\n";
    return 1;
  }
  if (io.json) {
    io.out << "[";
    for (size_t i = 0; i < history->size(); ++i) {
      capnp::MallocMessageBuilder message;
      auto entry = message.initRoot<api::wire::HistoryEntry>();
      api::dispatch::SetHistoryEntry(entry, (*history)[i]);
      io.out << (i ? "," : "") << api::wire::ToJson(entry.asReader());
    }
    io.out << "]\n";
    return 0;
  }
  io.out << "access history of " << user << " (" << history->size() << " changes):\n";
  for (const auto& h : *history) {
    io.out << "  #" << h.position << "  " << api::wire::FormatTime(h.time_us) << "  " << h.org_id
           << "  " << h.action << "  by " << h.actor << ": " << h.before << " -> " << h.after
           << "\n";
  }
  return 0;
}

int RunExport(const std::filesystem::path& dir, const api::audit_export::ExportOptions& options,
              const std::string& output, const Streams& io) {
  auto log = OpenLogReadOnly(dir, io.err);
  if (!log) return 2;
  eventstore::codec::EventCodec codec;
  std::ofstream file;
  if (output != "-") {
    file.open(output, std::ios::binary | std::ios::trunc);
    if (!file) {
      io.err << "roster-admin export: cannot write " << output << "\n";
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  auto summary =
      api::audit_export::WriteExport(*log, codec, options, output == "-" ? io.out : file);
  if (!summary) {
    io.err << "roster-admin export: " << summary.error().message << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  io.err << "export: " << summary->entries << " entries (positions " << summary->first_position
         << ".." << summary->last_position << "), head " << summary->head_hash << ", "
         << static_cast<uint64_t>(seconds > 0 ? summary->entries / seconds : 0) << " entries/s\n";
  return 0;
}

int RunVerifyExport(const std::string& file, const Streams& io) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    io.err << "roster-admin verify-export: cannot read " << file << "\n";
    return 2;
  }
  eventstore::codec::EventCodec codec;
  const VerifyExportReport report = VerifyExport(in, codec);
  if (!report.ok) {
    io.out << "verify-export: FAILED: " << report.problem << "\n";
    return 1;
  }
  io.out << "verify-export: ok, " << report.entries << " entries"
         << (report.filtered ? " (filtered export: one organization)" : " (consecutive records)")
         << ", anchored on position " << report.anchor_position << " hash " << report.anchor_hash
         << ", head position " << report.last_position << " hash " << report.head_hash << "\n";
  return 0;
}

int RunDump(const std::filesystem::path& dir, Position from, size_t count, const Streams& io) {
  auto log = OpenLogReadOnly(dir, io.err);
  if (!log) return 2;
  eventstore::codec::EventCodec codec;
  auto records = log->ReadAll(from == 0 ? 1 : from, count);
  if (!records) {
    io.err << "roster-admin dump: " << records.error().message << "\n";
    return 1;
  }
  for (const auto& r : *records) {
    io.out << "#" << r.position << " " << api::wire::FormatTime(r.metadata.time_us) << " "
           << r.stream << " v" << r.stream_version << " " << r.type << " rev " << r.revision
           << " actor=" << r.metadata.actor << " command=" << r.metadata.command_id
           << " correlation=" << r.metadata.correlation_id << " source=" << r.metadata.source
           << " hash=" << eventstore::HashHex(r.hash).substr(0, 16) << "\n";
    auto event = codec.Decode(r);
    projections::EventFacts facts;
    auto owner = eventstore::codec::ParseStream(r.stream);
    if (!event) {
      io.out << "    (cannot decode: " << event.error().message << ")\n";
    } else if (owner && projections::DescribeEvent(*event, owner->org.value, &facts)) {
      io.out << "    subject=" << facts.subject
             << (facts.project.empty() ? "" : " project=" + facts.project)
             << " before=" << facts.before << " after=" << facts.after << "\n";
    }
  }
  return 0;
}

}  // namespace roster::tools::admin
