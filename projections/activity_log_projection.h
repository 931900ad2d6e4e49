// ActivityLogProjection: the compliance activity log. One entry per membership event (who,
// what, whom, when, before and after, org, project, command and correlation ids, source, and
// the record's log position and hash), kept in its table rather than in memory. Rows:
//   'e' pos              -> entry (every organization, in log order)
//   'o' org pos          -> ""   (index)
//   's' subject pos      -> ""   (index: everything that happened to a user, email, project...)
//   'a' actor pos        -> ""   (index: everything someone did)
// Record times never decrease along the log (the event store guarantees it), so a time range
// is a position range. Thread-safety: see projection.h; queries read the table and need no lock.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "projections/projection.h"

namespace roster::projections {

struct ActivityEntry {
  eventstore::Position position = 0;
  int64_t time_us = 0;
  std::string org;
  std::string actor;
  std::string action;  // the event type, e.g. "member.role_changed"
  std::string subject;
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

class ActivityLogProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "activity_log";
  std::string_view name() const override { return kName; }
  uint32_t version() const override { return 1; }
  bool LoadsRows() const override { return false; }
  bool LoadRow(std::string_view, std::string_view) override { return true; }
  void Apply(const EventContext& e, RowSink& sink) override;
  void Flush(RowSink&) override {}

  Result<ActivityPage> Query(const ActivityFilter& filter, size_t limit) const;
  // Streams every matching entry in log order to `visit` until it returns false.
  Result<void> Scan(const ActivityFilter& filter,
                    const std::function<bool(const ActivityEntry&)>& visit) const;

  static std::string EncodeEntry(const ActivityEntry& e);
  static std::optional<ActivityEntry> DecodeEntry(eventstore::Position position,
                                                  std::string_view bytes);

 private:
  Result<void> Walk(const ActivityFilter& filter,
                    const std::function<bool(const ActivityEntry&)>& visit) const;
};

}  // namespace roster::projections
