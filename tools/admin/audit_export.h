// Export of the activity log with the hash chain, and its verification without the database.
// The file format is in export_format.h; what a verification proves is in
// docs/audit_export.md. Thread-safety: functions borrow the log and codec for the call.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"
#include "tools/admin/export_format.h"

namespace roster::admin {

struct ExportOptions {
  ExportFormat format = ExportFormat::kJsonLines;
  std::optional<std::string> org;  // only this organization's streams (filtered export)
  int64_t from_us = INT64_MIN;     // inclusive
  int64_t to_us = INT64_MAX;       // exclusive
};

struct ExportSummary {
  uint64_t entries = 0;
  uint64_t scanned = 0;  // records read
  eventstore::Position first_position = 0;
  eventstore::Position last_position = 0;
  std::string head_hash;  // hex hash of the last entry (the anchor's when there is none)
};

// Writes the export to `out`. Fails on a record whose bytes do not match its stored hash (the
// log is then corrupt: run verify).
eventstore::Result<ExportSummary> WriteExport(eventstore::EventLog& log,
                                              const codec::EventCodec& codec,
                                              const ExportOptions& options, std::ostream& out);

struct VerifyExportReport {
  bool ok = false;
  size_t line = 0;      // when !ok: the first line found wrong (0: the file as a whole)
  std::string problem;  // when !ok
  bool filtered = false;
  uint64_t entries = 0;
  eventstore::Position anchor_position = 0;
  std::string anchor_hash;
  eventstore::Position last_position = 0;
  std::string head_hash;
};

// Checks the file's own chain and every entry against its record bytes; see
// docs/audit_export.md for exactly what an ok report proves.
VerifyExportReport VerifyExport(std::istream& in, const codec::EventCodec& codec);

// The first position whose record time is at or after `time_us` (LastPosition() + 1 if none).
eventstore::Result<eventstore::Position> FirstPositionAtOrAfter(eventstore::EventLog& log,
                                                                int64_t time_us);

}  // namespace roster::admin
