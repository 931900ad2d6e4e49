// Export of the activity log with the hash chain: the file roster-admin export writes and
// rosterd streams for the export query. The file format is in export_format.h; what a
// verification (tools/admin, verify-export) proves is in docs/audit_export.md.
//
// The writer hands the file to a sink a piece at a time (ExportSink: whole lines, about 1 MiB
// or one batch of records), so that a caller never has to hold the whole file. Thread-safety:
// functions borrow the log and codec for the call; the sink is called on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "api/audit_export/export_format.h"
#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"

namespace roster::api::audit_export {

struct ExportOptions {
  ExportFormat format = ExportFormat::kJsonLines;
  std::optional<std::string> org;  // only this organization's streams (filtered export)
  int64_t from_us = INT64_MIN;     // inclusive
  int64_t to_us = INT64_MAX;       // exclusive
  // Records read (and formatted) at a time; the next batch is read while one is formatted.
  size_t read_batch = 8192;
};

struct ExportSummary {
  uint64_t entries = 0;
  uint64_t scanned = 0;  // records read
  eventstore::Position first_position = 0;
  eventstore::Position last_position = 0;
  std::string head_hash;  // hex hash of the last entry (the anchor's when there is none)
};

// Receives the next bytes of the file, in order. Called after every batch of records read:
// with the lines accumulated once there is about 1 MiB of them, else with none (a sign of
// progress, e.g. while a filtered export scans other organizations' records); and at the end.
// Returning false stops the export: WriteExport then fails with kClosed.
using ExportSink = std::function<bool(std::string_view bytes)>;

// Writes the export to `sink`. Fails on a record whose bytes do not match its stored hash (the
// log is then corrupt: run verify).
eventstore::Result<ExportSummary> WriteExport(eventstore::EventLog& log,
                                              const eventstore::codec::EventCodec& codec,
                                              const ExportOptions& options, const ExportSink& sink);
// The same into a stream (kIoError when the stream fails).
eventstore::Result<ExportSummary> WriteExport(eventstore::EventLog& log,
                                              const eventstore::codec::EventCodec& codec,
                                              const ExportOptions& options, std::ostream& out);

// The entry line of a record whose canonical body is `body`: verify-export derives it again
// from the file's bytes and compares.
ExportLine ExportEntryLine(const eventstore::Record& r, const eventstore::codec::EventCodec& codec,
                           std::string_view body);

// The first position whose record time is at or after `time_us` (LastPosition() + 1 if none).
eventstore::Result<eventstore::Position> FirstPositionAtOrAfter(eventstore::EventLog& log,
                                                                int64_t time_us);

}  // namespace roster::api::audit_export
