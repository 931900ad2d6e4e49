// The audit export file: one flat object per line, as JSON Lines or CSV, and the pieces that
// read and write it (docs/audit_export.md describes the format and what verify-export proves).
// Shared by rosterd (the export query) and roster-admin (export, verify-export).
//
// Every line has a `kind`: `header` (first), `entry` (one per record, in log order), `stream`
// (per stream summary, filtered exports only) and `end` (last). An entry carries its record's
// canonical bytes (`record`, base64: the body the hash covers, see docs/storage_format.md),
// `prev_hash` and `hash` (hex), and readable fields derived from those bytes. Both formats hold
// the same fields; a line reads back as a map from field name to text. Text fields are UTF-8
// (other bytes show as U+FFFD; `record` keeps them). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roster::api::audit_export {

enum class ExportFormat { kJsonLines, kCsv };

// One line: field name -> value in the order written. Numbers are written unquoted in JSON.
// Keys are string literals (the views must stay valid for the line's life).
struct ExportLine {
  std::vector<std::pair<std::string_view, std::string>> fields;
  std::vector<bool> numeric;  // parallel to fields (JSON only)
  // Text: bytes that are not UTF-8 are replaced by U+FFFD.
  ExportLine& Str(std::string_view key, std::string value);
  ExportLine& Num(std::string_view key, int64_t value);
  ExportLine& UNum(std::string_view key, uint64_t value);
  // Text known to be ASCII (hex, base64, times): kept as is, without the UTF-8 check.
  ExportLine& Plain(std::string_view key, std::string value);
};

// Every column of the CSV form, in order (the first CSV line names them).
const std::vector<std::string>& CsvColumns();

// Appends the line, with its newline, to `out`.
void WriteLine(ExportFormat format, const ExportLine& line, std::string& out);
std::string CsvHeaderLine();

// A line read back: the 1-based line number it starts on and its fields (absent = missing).
struct ParsedLine {
  size_t line = 0;
  std::map<std::string, std::string, std::less<>> fields;
  const std::string* Get(std::string_view key) const {
    auto it = fields.find(key);
    return it == fields.end() ? nullptr : &it->second;
  }
};

// Reads the whole file (format detected from its first byte: '{' is JSON Lines). On a line
// that cannot be parsed, returns nullopt and sets `error` to a message naming the line.
std::optional<std::vector<ParsedLine>> ReadExport(std::istream& in, std::string* error);

std::string Base64(std::string_view bytes);
void AppendBase64(std::string_view bytes, std::string& out);
std::optional<std::string> FromBase64(std::string_view text);
std::string HexOf(std::string_view bytes);
std::optional<std::string> FromHex(std::string_view text);

}  // namespace roster::api::audit_export
