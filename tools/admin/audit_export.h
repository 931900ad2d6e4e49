// roster-admin's side of the audit export: the writer (api/audit_export, shared with rosterd's
// export query) under its roster::admin names, and verify-export, which checks a file without the
// database (verify_export.cc). The file format is in export_format.h; what a verification
// proves is in docs/audit_export.md. Thread-safety: functions borrow the log and codec for the
// call.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "api/audit_export/audit_export.h"
#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"
#include "tools/admin/export_format.h"

namespace roster::tools::admin {

using api::audit_export::ExportEntryLine;
using api::audit_export::ExportOptions;
using api::audit_export::ExportSink;
using api::audit_export::ExportSummary;
using api::audit_export::FirstPositionAtOrAfter;
using api::audit_export::WriteExport;

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
VerifyExportReport VerifyExport(std::istream& in, const eventstore::codec::EventCodec& codec);

}  // namespace roster::tools::admin
