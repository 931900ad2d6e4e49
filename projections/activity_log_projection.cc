#include "projections/activity_log_projection.h"

#include <cstring>

#include "projections/describe_event.h"
#include "projections/row_codec.h"

namespace roster::projections {
namespace {

using eventstore::Position;

std::string EntryKey(Position pos) { return KeyBuilder('e').BE64(pos).Take(); }

bool Matches(const ActivityFilter& f, const ActivityEntry& e) {
  return (!f.org || *f.org == e.org) && (!f.actor || *f.actor == e.actor) &&
         (!f.subject || *f.subject == e.subject) && (!f.action || *f.action == e.action) &&
         e.time_us >= f.from_us && e.time_us < f.to_us;
}

}  // namespace

std::string ActivityLogProjection::EncodeEntry(const ActivityEntry& e) {
  RowWriter w;
  w.I64(e.time_us)
      .Str(e.org)
      .Str(e.actor)
      .Str(e.action)
      .Str(e.subject)
      .Str(e.project)
      .Str(e.before)
      .Str(e.after)
      .Str(e.command_id)
      .Str(e.correlation_id)
      .Str(e.source)
      .Str(std::string_view(reinterpret_cast<const char*>(e.hash.data()), e.hash.size()));
  return w.Take();
}

std::optional<ActivityEntry> ActivityLogProjection::DecodeEntry(Position position,
                                                                std::string_view bytes) {
  RowReader r(bytes);
  ActivityEntry e;
  e.position = position;
  e.time_us = r.I64();
  e.org = r.Str();
  e.actor = r.Str();
  e.action = r.Str();
  e.subject = r.Str();
  e.project = r.Str();
  e.before = r.Str();
  e.after = r.Str();
  e.command_id = r.Str();
  e.correlation_id = r.Str();
  e.source = r.Str();
  const std::string hash = r.Str();
  if (!r.done() || hash.size() != e.hash.size()) return std::nullopt;
  std::memcpy(e.hash.data(), hash.data(), hash.size());
  return e;
}

void ActivityLogProjection::Apply(const EventContext& ctx, RowSink& sink) {
  EventFacts facts;
  if (!DescribeEvent(ctx.event, ctx.org.value, &facts)) return;
  const eventstore::Record& r = ctx.record;
  ActivityEntry e;
  e.position = r.position;
  e.time_us = r.metadata.time_us;
  e.org = ctx.org.value;
  e.actor = r.metadata.actor;
  e.action = r.type;
  e.subject = std::move(facts.subject);
  e.project = std::move(facts.project);
  e.before = std::move(facts.before);
  e.after = std::move(facts.after);
  e.command_id = r.metadata.command_id;
  e.correlation_id = r.metadata.correlation_id;
  e.source = r.metadata.source;
  e.hash = r.hash;
  sink.Put(EntryKey(r.position), EncodeEntry(e));
  sink.Put(KeyBuilder('o').Part(e.org).BE64(r.position).key(), "");
  sink.Put(KeyBuilder('s').Part(e.subject).BE64(r.position).key(), "");
  sink.Put(KeyBuilder('a').Part(e.actor).BE64(r.position).key(), "");
}

Result<void> ActivityLogProjection::Walk(
    const ActivityFilter& f, const std::function<bool(const ActivityEntry&)>& visit) const {
  // Scan the narrowest index the filter allows; every filter is still checked on each entry.
  char index = 'e';
  std::string part;
  if (f.subject) {
    index = 's';
    part = *f.subject;
  } else if (f.actor) {
    index = 'a';
    part = *f.actor;
  } else if (f.org) {
    index = 'o';
    part = *f.org;
  }
  KeyBuilder prefix(index);
  if (index != 'e') prefix.Part(part);
  const std::string& p = prefix.key();
  std::string begin = p;
  std::string end = p;
  if (f.newest_first) {
    if (f.cursor != 0) end = KeyBuilder(prefix).BE64(f.cursor).Take();
    else end.push_back('\xff');
  } else {
    begin = KeyBuilder(prefix).BE64(f.cursor + 1).Take();
    end.push_back('\xff');
  }
  Result<void> failure;
  auto scanned = table().Scan(
      begin, end,
      [&](std::string_view key, std::string_view value) {
        if (key.size() != p.size() + 8) return true;  // belongs to a longer id sharing a prefix
        const Position pos = ReadBE64(key.substr(p.size()));
        std::optional<ActivityEntry> entry;
        if (index == 'e') {
          entry = DecodeEntry(pos, value);
        } else {
          auto row = table().Get(EntryKey(pos));
          if (!row) {
            failure = std::unexpected(row.error());
            return false;
          }
          if (*row) entry = DecodeEntry(pos, **row);
        }
        if (!entry) {
          failure = std::unexpected(Error{ErrorCode::kCorruption,
                                          "unreadable activity entry at " + std::to_string(pos),
                                          std::nullopt});
          return false;
        }
        // Times follow log order, so once past the range in the scan direction, stop.
        if (!f.newest_first && entry->time_us >= f.to_us) return false;
        if (f.newest_first && entry->time_us < f.from_us) return false;
        if (!Matches(f, *entry)) return true;
        return visit(*entry);
      },
      f.newest_first);
  if (!scanned) return scanned;
  return failure;
}

Result<ActivityPage> ActivityLogProjection::Query(const ActivityFilter& filter, size_t limit) const {
  ActivityPage page;
  bool more = false;
  auto walked = Walk(filter, [&](const ActivityEntry& e) {
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

Result<void> ActivityLogProjection::Scan(
    const ActivityFilter& filter, const std::function<bool(const ActivityEntry&)>& visit) const {
  return Walk(filter, visit);
}

}  // namespace roster::projections
