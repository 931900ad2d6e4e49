// The audit export file's format lives in api/audit_export (rosterd writes the same file for its
// export query); this header gives roster-admin's code its names in roster::admin.
#pragma once

#include "api/audit_export/export_format.h"

namespace roster::tools::admin {

using api::audit_export::AppendBase64;
using api::audit_export::Base64;
using api::audit_export::CsvColumns;
using api::audit_export::CsvHeaderLine;
using api::audit_export::ExportFormat;
using api::audit_export::ExportLine;
using api::audit_export::FromBase64;
using api::audit_export::FromHex;
using api::audit_export::HexOf;
using api::audit_export::IsoTime;
using api::audit_export::ParsedLine;
using api::audit_export::ReadExport;
using api::audit_export::WriteLine;

}  // namespace roster::tools::admin
