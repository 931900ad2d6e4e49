// The audit export file's format lives in api/export (rosterd writes the same file for its
// export query); this header gives roster-admin's code its names in roster::admin.
#pragma once

#include "api/export/export_format.h"

namespace roster::admin {

using audit::AppendBase64;
using audit::Base64;
using audit::CsvColumns;
using audit::CsvHeaderLine;
using audit::ExportFormat;
using audit::ExportLine;
using audit::FromBase64;
using audit::FromHex;
using audit::HexOf;
using audit::IsoTime;
using audit::ParsedLine;
using audit::ReadExport;
using audit::WriteLine;

}  // namespace roster::admin
