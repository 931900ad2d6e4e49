// ActivityLogProjection: the compliance activity log. One entry per membership event (who,
// what, whom, when, before and after, org, project, command and correlation ids, source, and
// the record's log position and hash). The entries themselves are the log's records, read back
// and described at query time; this projection keeps only indexes of positions (see
// position_index.h), so that rebuilding it writes a few rows per key, not rows per event:
//   'o' org       -> positions of the organization's membership events
//   's' subject   -> positions of events about a user, email, role, project, key or resource
//   'a' actor     -> positions of events someone caused
// Record times never decrease along the log (the event store guarantees it), so a time range
// is a position range. Thread-safety: see projection.h; queries read the table and the log.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"
#include "projections/position_index.h"
#include "projections/projection.h"
#include "projections/row_codec.h"

namespace roster::projections {

struct ActivityEntry {
  eventstore::Position position = 0;
  int64_t time_us = 0;
  std::string org;
  std::string actor;
  std::string action;  // the event type, e.g. "member.role_changed"
  std::string subject;
  std::string also_subject;  // a second user it is about (describe_event.h), usually empty
  std::string project;
  std::string before;
  std::string after;
  std::string command_id;
  std::string correlation_id;
  std::string source;
  eventstore::Hash hash{};
  bool operator==(const ActivityEntry&) const = default;
};

struct ActivityFilter {
  std::optional<std::string> org;
  std::optional<std::string> actor;
  std::optional<std::string> subject;
  std::optional<std::string> action;
  int64_t from_us = INT64_MIN;  // inclusive
  int64_t to_us = INT64_MAX;    // exclusive
  // Paging: entries after this position (oldest first) or before it (newest first; 0 = end).
  eventstore::Position cursor = 0;
  bool newest_first = false;
};

struct ActivityPage {
  std::vector<ActivityEntry> entries;
  eventstore::Position next_cursor = 0;  // 0 when there is nothing more
};

// The activity log entry a record stands for; nullopt for records that are not membership
// events (logins, last-active marks, streams Roster does not write).
std::optional<ActivityEntry> EntryFromRecord(const eventstore::Record& record,
                                             const domain::Event& event);

class ActivityLogProjection final : public Projection {
 public:
  // Borrows the log and codec to answer queries; both must outlive the projection.
  ActivityLogProjection(eventstore::EventLog& log, const eventstore::codec::EventCodec& codec)
      : log_(log), codec_(codec) {}
  static constexpr std::string_view kName = "activity_log";
  std::string_view name() const override { return kName; }
  // 3: ownership.transferred is indexed under its previous owner too; 4: resource.reassigned
  // under its previous owner too.
  uint32_t version() const override { return 4; }
  bool LoadsRows() const override { return false; }
  bool LoadRow(std::string_view, std::string_view) override { return true; }
  void Apply(const EventContext& e) override;
  void Flush(RowSink& sink) override { index_.Flush(sink); }

  // `up_to`: the projection's position; entries after it are not answered yet.
  Result<ActivityPage> Query(const ActivityFilter& filter, size_t limit,
                             eventstore::Position up_to) const;
  // Streams every matching entry in log order (or newest first) to `visit` until it returns
  // false.
  Result<void> Scan(const ActivityFilter& filter, eventstore::Position up_to,
                    const std::function<bool(const ActivityEntry&)>& visit) const;

 private:
  Result<std::optional<ActivityEntry>> EntryAt(eventstore::Position position) const;
  Result<void> ScanLog(const ActivityFilter& filter, eventstore::Position up_to,
                       const std::function<bool(const ActivityEntry&)>& visit) const;

  eventstore::EventLog& log_;
  const eventstore::codec::EventCodec& codec_;
  PositionIndex index_;
  KeyBuilder key_{'o'};  // reused by Apply for the keys it indexes under
};

}  // namespace roster::projections
