#include <optional>
#include <sstream>

#include "api/audit_export/export_format.h"
#include "eventstore/hash_chain.h"
#include "tests/fuzz/targets.h"
#include "tools/admin/verify_export.h"

namespace roster::tests::fuzz {
namespace {

using api::audit_export::ExportFormat;
using api::audit_export::ExportLine;

void Verify(const std::string& file) {
  static const eventstore::codec::EventCodec codec;
  std::istringstream in(file);
  const tools::admin::VerifyExportReport report = tools::admin::VerifyExport(in, codec);
  if (!report.ok) {
    Check(!report.problem.empty(), "verify-export failed without saying why");
    return;
  }
  Check(report.head_hash.size() == 64, "verify-export passed a file without a head hash");
}

// The file read back and written again with every entry's prev_hash and hash recomputed along
// the chain from the header's anchor, and the end line's head_hash set to the last one; nullopt
// when there is no chain to recompute (the file does not parse, or its anchor is not a hash).
std::optional<std::string> Rechain(const std::string& file) {
  std::istringstream in(file);
  std::string error;
  auto lines = api::audit_export::ReadExport(in, &error);
  if (!lines || lines->empty()) return std::nullopt;
  const std::string* anchor = lines->front().Get("anchor_hash");
  std::optional<std::string> head = anchor ? api::audit_export::FromHex(*anchor) : std::nullopt;
  if (!head || head->size() != 32) return std::nullopt;
  const ExportFormat format = file[0] == '{' ? ExportFormat::kJsonLines : ExportFormat::kCsv;
  std::string out = format == ExportFormat::kCsv ? api::audit_export::CsvHeaderLine() : "";
  for (auto& line : *lines) {
    const std::string* kind = line.Get("kind");
    const std::string* record = line.Get("record");
    if (kind && *kind == "entry" && record) {
      if (auto body = api::audit_export::FromBase64(*record)) {
        auto hash = eventstore::ChainHash(*head, *body);
        if (!hash) return std::nullopt;
        line.fields["prev_hash"] = api::audit_export::HexOf(*head);
        *head = std::string(eventstore::AsBytes(*hash));
        line.fields["hash"] = api::audit_export::HexOf(*head);
      }
    } else if (kind && *kind == "end") {
      line.fields["head_hash"] = api::audit_export::HexOf(*head);
    }
    ExportLine written;
    for (const auto& [key, value] : line.fields) written.Str(key, value);
    api::audit_export::WriteLine(format, written, out);
  }
  return out;
}

}  // namespace

void FuzzExportFile(std::span<const uint8_t> input) {
  const std::string file(reinterpret_cast<const char*>(input.data()), input.size());
  Verify(file);
  // The fuzzer cannot forge SHA-256, so without this every altered record would stop the check
  // at its hash, before anything reads what the record holds.
  if (auto rechained = Rechain(file)) Verify(*rechained);
}

}  // namespace roster::tests::fuzz
