#include "api/service/audit_queries.h"

#include <algorithm>
#include <optional>

#include "eventstore/codec/streams.h"

namespace roster::api::service {
namespace {

std::string Describe(const projections::UserAccessAsOf& a) {
  std::string out = a.role.empty() ? "not a member" : "role " + a.role;
  for (const auto& [project, access] : a.projects) {
    out += "; " + project + "=" + access.role + " (" +
           std::string(domain::AccessSourceName(access.source)) + ")";
  }
  return out;
}

}  // namespace

Result<OrganizationAsOfView> OrganizationAsOf(eventstore::EventLog& log,
                                              const eventstore::codec::EventCodec& codec,
                                              const domain::OrgId& org_id,
                                              const projections::AsOfPoint& point) {
  const std::string& org = org_id.value;
  auto replayed = projections::ReplayOrganization(log, codec, org_id, point);
  if (!replayed) return std::unexpected(FromStoreError(replayed.error()));
  if (replayed->state.status == domain::OrgStatus::kNone) {
    return Fail("NOT_FOUND", "Organization " + org + " did not exist at that point.");
  }
  if (auto activity = projections::ReplayActivity(log, codec, org_id, point, *replayed);
      !activity) {
    return std::unexpected(FromStoreError(activity.error()));
  }
  OrganizationAsOfView out;
  out.at = std::move(*replayed);
  const domain::OrganizationState& s = out.at.state;
  for (const auto& [user, m] : s.members) out.members.push_back(m);
  std::sort(out.members.begin(), out.members.end(),
            [](const auto& a, const auto& b) { return a.join_seq < b.join_seq; });
  const domain::Time then =
      point.time_us ? domain::FromMicros(*point.time_us) : domain::FromMicros(out.at.time_us);
  for (const auto& [expires_at, id] : s.pending_by_expiry) {
    if (expires_at > then) out.pending.push_back(s.invitations.at(id));
  }
  std::vector<const domain::Project*> projects;
  for (const auto& [pid, p] : s.projects) {
    if (!p.deleted) projects.push_back(&p);
  }
  std::sort(projects.begin(), projects.end(),
            [](const auto* a, const auto* b) { return a->id < b->id; });
  for (const domain::Project* p : projects) {
    out.projects.emplace_back(p->id.value, projections::ProjectMembersOf(s, *p));
  }
  return out;
}

Result<std::vector<UserHistoryEntry>> UserHistory(eventstore::EventLog& log,
                                                  const eventstore::codec::EventCodec& codec,
                                                  const std::string& user,
                                                  const std::vector<std::string>& orgs,
                                                  const projections::AsOfPoint& until) {
  std::vector<UserHistoryEntry> out;
  const domain::UserId uid(user);
  for (const std::string& org : orgs) {
    // Replay the organization and note every command after which the user's access differs.
    // Per command, not per event: the events of one command are one atomic change, and the
    // state between two of them (removed from the org but still in a project) never existed
    // for anyone to see.
    domain::OrganizationState state;
    std::string before = Describe(projections::AccessOf(state, uid));
    std::string current = before;  // the access after the last event folded
    struct Command {
      std::string id;
      eventstore::Position last_position = 0;
      int64_t time_us = 0;
      std::string actor;
      std::string action;  // the first of its events that changed the user's access
    };
    std::optional<Command> command;
    auto close = [&] {
      if (command && current != before) {
        out.push_back(UserHistoryEntry{command->last_position, command->time_us, org,
                                       command->action, "", before, current, command->actor});
        before = current;
      }
      command.reset();
    };
    eventstore::StreamVersion next = 0;
    for (bool more = true; more;) {
      auto records = log.ReadStream(eventstore::codec::OrgStream(domain::OrgId(org)), next, 1024);
      if (!records) return std::unexpected(FromStoreError(records.error()));
      more = records->size() == 1024;
      for (const eventstore::Record& r : *records) {
        if ((until.position && r.position > until.position) ||
            (until.time_us && r.metadata.time_us > *until.time_us)) {
          more = false;
          break;
        }
        auto event = codec.Decode(r);
        if (!event) return Fail("INTERNAL", "cannot decode record " + std::to_string(r.position));
        // A record without a command id is a command of its own.
        if (command && (r.metadata.command_id.empty() || r.metadata.command_id != command->id)) {
          close();
        }
        const bool deleted = std::holds_alternative<domain::OrganizationDeleted>(*event);
        domain::Apply(state, *event);
        next = r.stream_version + 1;
        std::string after =
            deleted ? "organization deleted" : Describe(projections::AccessOf(state, uid));
        if (!command) command = Command{r.metadata.command_id, 0, 0, "", ""};
        command->last_position = r.position;
        command->time_us = r.metadata.time_us;
        command->actor = r.metadata.actor;
        if (command->action.empty() && after != current) command->action = r.type;
        current = std::move(after);
      }
    }
    close();
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.position < b.position; });
  return out;
}

}  // namespace roster::api::service
