#include "projections/as_of.h"

#include <algorithm>

#include "eventstore/codec/streams.h"

namespace roster::projections {

using eventstore::Error;
using eventstore::ErrorCode;

eventstore::Result<AsOfState> ReplayOrganization(eventstore::EventLog& log,
                                                 const eventstore::codec::EventCodec& codec,
                                                 const domain::OrgId& org, const AsOfPoint& point) {
  constexpr size_t kBatch = 1024;
  AsOfState out;
  const std::string stream = eventstore::codec::OrgStream(org);
  eventstore::StreamVersion next = 0;
  for (;;) {
    auto records = log.ReadStream(stream, next, kBatch);
    if (!records) return std::unexpected(records.error());
    for (const eventstore::Record& r : *records) {
      if (point.position != 0 && r.position > point.position) return out;
      if (point.time_us && r.metadata.time_us > *point.time_us) return out;
      auto event = codec.Decode(r);
      if (!event) {
        return std::unexpected(Error{
            ErrorCode::kCorruption,
            "cannot decode record " + std::to_string(r.position) + ": " + event.error().message,
            std::nullopt});
      }
      domain::Apply(out.state, *event);
      if (const auto* joined = std::get_if<domain::MemberJoined>(&*event)) {
        out.joined_at_us[joined->membership_id.value] = r.metadata.time_us;
      }
      out.position = r.position;
      out.time_us = r.metadata.time_us;
      next = r.stream_version + 1;
    }
    if (records->size() < kBatch) return out;
  }
}

eventstore::Result<void> ReplayActivity(eventstore::EventLog& log,
                                        const eventstore::codec::EventCodec& codec,
                                        const domain::OrgId& org, const AsOfPoint& point,
                                        AsOfState& out) {
  constexpr size_t kBatch = 1024;
  const std::string stream = eventstore::codec::ActivityStream(org);
  for (eventstore::StreamVersion next = 0;;) {
    auto records = log.ReadStream(stream, next, kBatch);
    if (!records) return std::unexpected(records.error());
    for (const eventstore::Record& r : *records) {
      if (point.position != 0 && r.position > point.position) return {};
      if (point.time_us && r.metadata.time_us > *point.time_us) return {};
      next = r.stream_version + 1;
      auto event = codec.Decode(r);
      if (!event) continue;  // not Roster's, or unknown: the log verifier reports those
      // A login is activity too, as in the live model.
      if (const auto* login = std::get_if<domain::MemberLoggedIn>(&*event)) {
        const int64_t at = domain::ToMicros(login->at);
        int64_t& last_login = out.last_login_us[login->user_id.value];
        int64_t& last_active = out.last_active_us[login->user_id.value];
        last_login = std::max(last_login, at);
        last_active = std::max(last_active, at);
      } else if (const auto* active = std::get_if<domain::MemberActive>(&*event)) {
        int64_t& last_active = out.last_active_us[active->user_id.value];
        last_active = std::max(last_active, domain::ToMicros(active->at));
      }
    }
    if (records->size() < kBatch) return {};
  }
}

UserAccessAsOf AccessOf(const domain::OrganizationState& state, const domain::UserId& user) {
  UserAccessAsOf out;
  out.org_id = state.org_id.value;
  out.org_name = state.name;
  if (const domain::Member* m = state.FindMember(user)) out.role = m->role;
  for (const auto& [pid, project] : state.projects) {
    if (project.deleted) continue;
    domain::ProjectAccess access = domain::EffectiveProjectAccess(state, project, user);
    if (access.source != domain::AccessSource::kNone) out.projects.emplace_back(pid.value, access);
  }
  std::sort(out.projects.begin(), out.projects.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace roster::projections
