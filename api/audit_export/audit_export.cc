#include "api/audit_export/audit_export.h"

#include <algorithm>
#include <future>
#include <map>
#include <tuple>

#include "api/wire/time.h"
#include "eventstore/codec/streams.h"
#include "eventstore/hash_chain.h"
#include "projections/activity_log_projection.h"
#include "projections/describe_event.h"

namespace roster::api::audit_export {

using eventstore::Error;
using eventstore::ErrorCode;
using eventstore::Position;
using eventstore::Record;

namespace {

constexpr int kFormatVersion = 1;

// The entry line of a record: everything readable is derived from the record itself, so
// verify-export can derive it again from the bytes and compare.
ExportLine EntryLine(const Record& r, const eventstore::codec::EventCodec& codec,
                     std::string_view body) {
  // The activity log's own description (EntryFromRecord's rule: membership events on an
  // organization's main stream), without copying the record's fields into an entry first.
  auto owner = eventstore::codec::ParseStream(r.stream);
  projections::EventFacts facts;
  if (owner && !owner->activity) {
    if (auto event = codec.Decode(r)) {
      if (!projections::DescribeEvent(*event, owner->org.value, &facts)) facts = {};
    }
  }
  ExportLine line;
  line.fields.reserve(20);
  line.numeric.reserve(20);
  line.Str("kind", "entry")
      .UNum("position", r.position)
      .Plain("time", wire::FormatTime(r.metadata.time_us))
      .Num("time_us", r.metadata.time_us)
      .Str("org", owner ? owner->org.value : "")
      .Str("stream", r.stream)
      .Num("stream_version", r.stream_version)
      .Str("action", r.type)
      .UNum("revision", r.revision)
      .Str("actor", r.metadata.actor)
      .Str("subject", std::move(facts.subject))
      .Str("project", std::move(facts.project))
      .Str("before", std::move(facts.before))
      .Str("after", std::move(facts.after))
      .Str("command_id", r.metadata.command_id)
      .Str("correlation_id", r.metadata.correlation_id)
      .Str("source", r.metadata.source)
      .Plain("prev_hash", eventstore::HashHex(r.prev_hash))
      .Plain("hash", eventstore::HashHex(r.hash))
      .Plain("record", Base64(body));
  return line;
}

}  // namespace

eventstore::Result<Position> FirstPositionAtOrAfter(eventstore::EventLog& log, int64_t time_us) {
  // Record times never decrease along the log, so this is a binary search over positions.
  Position lo = 1, hi = log.LastPosition() + 1;
  while (lo < hi) {
    const Position mid = lo + (hi - lo) / 2;
    auto records = log.ReadAll(mid, 1);
    if (!records) return std::unexpected(records.error());
    if (records->empty())
      return std::unexpected(Error{
          ErrorCode::kCorruption, "position " + std::to_string(mid) + " is missing", std::nullopt});
    if (records->front().metadata.time_us < time_us)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

eventstore::Result<ExportSummary> WriteExport(eventstore::EventLog& log,
                                              const eventstore::codec::EventCodec& codec,
                                              const ExportOptions& options,
                                              const ExportSink& sink) {
  const Error stopped{ErrorCode::kClosed, "the export was stopped by its reader", std::nullopt};
  ExportSummary summary;
  auto start = FirstPositionAtOrAfter(log, options.from_us);
  if (!start) return std::unexpected(start.error());
  const Position last = log.LastPosition();
  std::string buffer;
  if (options.format == ExportFormat::kCsv) buffer += CsvHeaderLine();
  bool header_written = false;
  auto write_header = [&](Position anchor, const std::string& anchor_hash) {
    ExportLine h;
    h.Str("kind", "header")
        .Num("format_version", kFormatVersion)
        .Str("filter_org", options.org.value_or(""))
        .Num("from_us", options.from_us)
        .Num("to_us", options.to_us)
        .UNum("anchor_position", anchor)
        .Plain("anchor_hash", anchor_hash);
    WriteLine(options.format, h, buffer);
    header_written = true;
    summary.head_hash = anchor_hash;
  };
  // Per stream of a filtered export: first and last version and count, for the summary lines.
  std::map<std::string, std::tuple<int64_t, int64_t, uint64_t>> streams;
  // Formats records [begin, end) of `chosen` into `out`, checking each against its hash.
  auto format = [&codec](const std::vector<const Record*>& chosen, size_t begin, size_t end,
                         ExportFormat fmt, std::string& out) -> eventstore::Result<void> {
    for (size_t i = begin; i < end; ++i) {
      const Record& r = *chosen[i];
      const std::string body = eventstore::HashedBody(r);
      const auto computed = eventstore::ChainHash(eventstore::AsBytes(r.prev_hash), body);
      if (!computed) return std::unexpected(computed.error());
      if (*computed != r.hash) {
        return std::unexpected(Error{ErrorCode::kCorruption,
                                     "the record at position " + std::to_string(r.position) +
                                         " does not match its hash; run `roster-admin verify`",
                                     std::nullopt});
      }
      WriteLine(fmt, EntryLine(r, codec, body), out);
    }
    return {};
  };
  std::vector<const Record*> chosen;
  std::string second_half;
  bool done = false;
  bool any = false;
  eventstore::Hash head{};  // of the last entry; turned into hex once, at the end
  // The next batch is read while this one is formatted: reading is a fifth of the work.
  const size_t batch = std::max<size_t>(1, options.read_batch);
  auto read = [&log, batch](Position from) { return log.ReadAll(from, batch); };
  std::future<eventstore::Result<std::vector<Record>>> ahead;
  if (*start <= last) ahead = std::async(std::launch::async, read, *start);
  for (Position pos = *start; !done && pos <= last;) {
    auto records = ahead.get();
    if (!records) return std::unexpected(records.error());
    if (records->empty()) break;
    const Position next = records->back().position + 1;
    if (next <= last && records->back().metadata.time_us < options.to_us) {
      ahead = std::async(std::launch::async, read, next);
    }
    chosen.clear();
    for (const Record& r : *records) {
      pos = r.position + 1;
      if (r.metadata.time_us >= options.to_us) {
        done = true;
        break;
      }
      ++summary.scanned;
      if (options.org) {
        auto owner = eventstore::codec::ParseStream(r.stream);
        if (!owner || owner->org.value != *options.org) continue;
        auto [it, fresh] = streams.try_emplace(r.stream, r.stream_version, r.stream_version, 0);
        std::get<1>(it->second) = r.stream_version;
        ++std::get<2>(it->second);
      }
      if (!header_written) write_header(r.position - 1, eventstore::HashHex(r.prev_hash));
      if (summary.entries++ == 0) summary.first_position = r.position;
      summary.last_position = r.position;
      head = r.hash;
      any = true;
      chosen.push_back(&r);
    }
    // Two halves formatted at once: decoding, describing and encoding dominate the cost.
    const size_t mid = chosen.size() / 2;
    second_half.clear();
    auto later = std::async(std::launch::async, [&] {
      return format(chosen, mid, chosen.size(), options.format, second_half);
    });
    auto first = format(chosen, 0, mid, options.format, buffer);
    auto second = later.get();
    if (!first) return std::unexpected(first.error());
    if (!second) return std::unexpected(second.error());
    buffer += second_half;
    if (buffer.size() > (1u << 20)) {
      if (!sink(buffer)) return std::unexpected(stopped);
      buffer.clear();
    } else if (!sink({})) {  // nothing to hand over yet: a sign of progress
      return std::unexpected(stopped);
    }
  }
  // A read started ahead and not needed (the range ended, or a failure returned above, which
  // waits for it in the future's destructor) is simply dropped.
  if (any) summary.head_hash = eventstore::HashHex(head);
  if (!header_written) {
    // No entry: anchor on the record before the range so the empty export still says where.
    const Position anchor = *start - 1;
    std::string hash = eventstore::HashHex(eventstore::Hash{});
    if (anchor > 0) {
      auto records = log.ReadAll(anchor, 1);
      if (!records) return std::unexpected(records.error());
      if (!records->empty()) hash = eventstore::HashHex(records->front().hash);
    }
    write_header(anchor, hash);
  }
  for (const auto& [stream, s] : streams) {
    ExportLine line;
    line.Str("kind", "stream")
        .Str("stream", stream)
        .Num("first_version", std::get<0>(s))
        .Num("last_version", std::get<1>(s))
        .UNum("entries", std::get<2>(s));
    WriteLine(options.format, line, buffer);
  }
  ExportLine end;
  end.Str("kind", "end")
      .UNum("entries", summary.entries)
      .UNum("last_position", summary.last_position)
      .Str("head_hash", summary.head_hash);
  WriteLine(options.format, end, buffer);
  if (!sink(buffer)) return std::unexpected(stopped);
  return summary;
}

eventstore::Result<ExportSummary> WriteExport(eventstore::EventLog& log,
                                              const eventstore::codec::EventCodec& codec,
                                              const ExportOptions& options, std::ostream& out) {
  auto summary = WriteExport(log, codec, options, [&out](std::string_view bytes) {
    if (!bytes.empty()) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
  });
  out.flush();
  if (!out)
    return std::unexpected(Error{ErrorCode::kIoError, "writing the export failed", std::nullopt});
  return summary;
}

ExportLine ExportEntryLine(const Record& r, const eventstore::codec::EventCodec& codec,
                           std::string_view body) {
  return EntryLine(r, codec, body);
}

}  // namespace roster::api::audit_export
