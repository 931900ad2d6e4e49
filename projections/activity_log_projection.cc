#include "projections/activity_log_projection.h"

#include "eventstore/codec/streams.h"
#include "projections/describe_event.h"
#include "projections/row_codec.h"

namespace roster::projections {
namespace {

using eventstore::Position;
using eventstore::Record;

constexpr size_t kLogBatch = 1024;

bool Matches(const ActivityFilter& f, const ActivityEntry& e) {
  const bool subject = !f.subject || *f.subject == e.subject ||
                       (!e.also_subject.empty() && *f.subject == e.also_subject);
  return (!f.org || *f.org == e.org) && (!f.actor || *f.actor == e.actor) && subject &&
         (!f.action || *f.action == e.action) && e.time_us >= f.from_us && e.time_us < f.to_us;
}

// Visits an entry within the filter's time range; false stops the walk: times follow log
// order, so past the range in the walk's direction nothing more can match.
enum class Step { kNext, kStop };
Step Offer(const ActivityFilter& f, const ActivityEntry& e,
           const std::function<bool(const ActivityEntry&)>& visit) {
  if (!f.newest_first && e.time_us >= f.to_us) return Step::kStop;
  if (f.newest_first && e.time_us < f.from_us) return Step::kStop;
  if (!Matches(f, e)) return Step::kNext;
  return visit(e) ? Step::kNext : Step::kStop;
}

}  // namespace

std::optional<ActivityEntry> EntryFromRecord(const Record& r, const domain::Event& event) {
  std::optional<eventstore::codec::StreamOwner> owner = eventstore::codec::ParseStream(r.stream);
  if (!owner || owner->activity) return std::nullopt;
  EventFacts facts;
  if (!DescribeEvent(event, owner->org.value, &facts)) return std::nullopt;
  ActivityEntry e;
  e.position = r.position;
  e.time_us = r.metadata.time_us;
  e.org = owner->org.value;
  e.actor = r.metadata.actor;
  e.action = r.type;
  e.subject = std::move(facts.subject);
  e.also_subject = std::move(facts.also_subject);
  e.project = std::move(facts.project);
  e.before = std::move(facts.before);
  e.after = std::move(facts.after);
  e.command_id = r.metadata.command_id;
  e.correlation_id = r.metadata.correlation_id;
  e.source = r.metadata.source;
  e.hash = r.hash;
  return e;
}

void ActivityLogProjection::Apply(const EventContext& ctx) {
  if (domain::IsActivityEvent(ctx.event)) return;
  const Position pos = ctx.record.position;
  index_.Add(key_.Reset('o').Part(ctx.org.value).key(), pos);
  index_.Add(key_.Reset('s').Part(SubjectOf(ctx.event, ctx.org.value)).key(), pos);
  if (auto also = AlsoSubjectOf(ctx.event); !also.empty()) {
    index_.Add(key_.Reset('s').Part(also).key(), pos);
  }
  index_.Add(key_.Reset('a').Part(ctx.record.metadata.actor).key(), pos);
}

Result<std::optional<ActivityEntry>> ActivityLogProjection::EntryAt(Position position) const {
  auto records = log_.ReadAll(position, 1);
  if (!records) return std::unexpected(records.error());
  if (records->empty() || records->front().position != position) {
    return std::unexpected(
        Error{ErrorCode::kCorruption,
              "indexed position " + std::to_string(position) + " is not in the log", std::nullopt});
  }
  auto event = codec_.Decode(records->front());
  if (!event) {
    return std::unexpected(
        Error{ErrorCode::kCorruption,
              "cannot decode record " + std::to_string(position) + ": " + event.error().message,
              std::nullopt});
  }
  return EntryFromRecord(records->front(), *event);
}

Result<void> ActivityLogProjection::ScanLog(
    const ActivityFilter& f, Position up_to,
    const std::function<bool(const ActivityEntry&)>& visit) const {
  if (!f.newest_first) {
    for (Position from = f.cursor + 1; from <= up_to;) {
      auto records = log_.ReadAll(from, std::min<size_t>(kLogBatch, up_to - from + 1));
      if (!records) return std::unexpected(records.error());
      if (records->empty()) break;
      for (const Record& r : *records) {
        auto event = codec_.Decode(r);
        if (!event) continue;  // not Roster's, or unknown: the log verifier reports those
        if (auto e = EntryFromRecord(r, *event); e && Offer(f, *e, visit) == Step::kStop) return {};
      }
      from = records->back().position + 1;
    }
    return {};
  }
  Position end = f.cursor ? std::min(f.cursor - 1, up_to) : up_to;
  while (end >= 1) {
    const Position from = end >= kLogBatch ? end - kLogBatch + 1 : 1;
    auto records = log_.ReadAll(from, end - from + 1);
    if (!records) return std::unexpected(records.error());
    for (auto r = records->rbegin(); r != records->rend(); ++r) {
      auto event = codec_.Decode(*r);
      if (!event) continue;
      if (auto e = EntryFromRecord(*r, *event); e && Offer(f, *e, visit) == Step::kStop) return {};
    }
    end = from - 1;
  }
  return {};
}

Result<void> ActivityLogProjection::Scan(
    const ActivityFilter& f, Position up_to,
    const std::function<bool(const ActivityEntry&)>& visit) const {
  // The narrowest index the filter allows; every filter is still checked on each entry.
  std::optional<std::string> key;
  if (f.subject)
    key = KeyBuilder('s').Part(*f.subject).Take();
  else if (f.actor)
    key = KeyBuilder('a').Part(*f.actor).Take();
  else if (f.org)
    key = KeyBuilder('o').Part(*f.org).Take();
  if (!key) return ScanLog(f, up_to, visit);
  Result<void> failure;
  auto scanned = PositionIndex::Scan(table(), *key, f.cursor, f.newest_first, [&](Position pos) {
    if (pos > up_to) return !f.newest_first ? false : true;
    auto entry = EntryAt(pos);
    if (!entry) {
      failure = std::unexpected(entry.error());
      return false;
    }
    if (!*entry) return true;
    return Offer(f, **entry, visit) == Step::kNext;
  });
  if (!scanned) return scanned;
  return failure;
}

Result<ActivityPage> ActivityLogProjection::Query(const ActivityFilter& filter, size_t limit,
                                                  Position up_to) const {
  ActivityPage page;
  bool more = false;
  auto walked = Scan(filter, up_to, [&](const ActivityEntry& e) {
    if (page.entries.size() == limit) {
      more = true;
      return false;
    }
    page.entries.push_back(e);
    return true;
  });
  if (!walked) return std::unexpected(walked.error());
  if (more && !page.entries.empty()) page.next_cursor = page.entries.back().position;
  return page;
}

}  // namespace roster::projections
