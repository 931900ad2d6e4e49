// verify-export: checks an audit export file on its own, without the database
// (verify_export.cc). The file format is api/audit_export/export_format.h, written by
// api/audit_export (shared with rosterd's export query); what a verification proves is in
// docs/audit_export.md. Thread-safety: the function borrows the codec for the call.
#pragma once

#include <cstdint>
#include <istream>
#include <string>

#include "eventstore/codec/codec.h"
#include "eventstore/event_log.h"

namespace roster::tools::admin {

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
