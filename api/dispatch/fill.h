// Protocol structs filled from service results, shared by the single answers
// (dispatch_queries.cc) and the streamed ones (dispatch_streamed.cc), so that a part of a
// streamed answer holds exactly what the single answer held. Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/service/audit_queries.h"
#include "api/wire/roster.capnp.h"
#include "eventstore/codec/text.h"
#include "eventstore/record.h"
#include "projections/access_projection.h"
#include "projections/as_of.h"

namespace roster::api::dispatch {

using eventstore::codec::Str;
// A log record as subscriptions carry it (the TCP server's frames, the HTTP server's events).
void FillRecord(const eventstore::RecordView& r, wire::Record::Builder out);

// The point of an as-of or history query: 0 means no limit.
projections::AsOfPoint Point(wire::AsOf::Reader r);

void SetAccess(wire::ProjectAccessEntry::Builder out, const std::string& project,
               const domain::ProjectAccess& a);
void SetProjectMember(wire::ProjectMemberAccess::Builder out,
                      const projections::ProjectMemberAccess& member, const std::string& project);
void SetUserAccess(wire::UserAccess::Builder out, const std::string& org, const std::string& name,
                   const std::string& role,
                   const std::vector<std::pair<std::string, domain::ProjectAccess>>& projects);

// Pieces of organizationAsOf: the header fields, one member, one pending invitation.
void SetAsOfHeader(wire::OrganizationAsOf::Builder out,
                   const api::service::OrganizationAsOfView& at);
// A member of an organization as of a point; its join time from the replay.
void SetAsOfMember(wire::Member::Builder out, const domain::Member& m,
                   const projections::AsOfState& at);
void SetPending(wire::PendingInvitation::Builder out, const domain::Invitation& invitation);
// The whole single answer: header, members, pending invitations, projects.
void SetOrganizationAsOf(wire::OrganizationAsOf::Builder out,
                         const api::service::OrganizationAsOfView& at);

void SetHistoryEntry(wire::HistoryEntry::Builder out, const api::service::UserHistoryEntry& h);

}  // namespace roster::api::dispatch
