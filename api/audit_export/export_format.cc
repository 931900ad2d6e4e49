#include "api/audit_export/export_format.h"

#include <kj/encoding.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace roster::api::audit_export {
namespace {

// Text is written as UTF-8, so that every JSON reader (ReadExport's too) takes the file: a record
// may hold other bytes (a command id, for one, may be any bytes), and those show as U+FFFD; the
// `record` field keeps the exact bytes.
std::string ValidUtf8(std::string text) {
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return text;
  }
  // nlohmann both reads the file and decides here what is valid, so the two cannot disagree.
  const std::string quoted = nlohmann::json(std::move(text))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

// Text that needs no escaping (printable ASCII without quotes or backslashes: ids, names, hex,
// base64, times, so nearly every field) is copied between quotes; anything else is written by
// nlohmann's serializer, which also replaces bytes that are not UTF-8. Serializing every line
// through a json object would cost several times the rest of the line.
void AppendJsonString(std::string_view text, std::string& out) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && u != '"' && u != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(text))
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void CsvField(std::string_view s, std::string& out) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Collects one line's fields, through nlohmann's SAX interface: string, number, true/false/null
// values (null reads as empty), nothing nested. A repeated key fails the line, so that a second
// value cannot hide the one verify-export checks.
class FlatObject final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit FlatObject(std::map<std::string, std::string, std::less<>>& fields) : fields_(fields) {}

  bool null() override { return Value({}); }
  bool boolean(bool value) override { return Value(value ? "true" : "false"); }
  bool number_integer(number_integer_t value) override { return Value(std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return Value(std::to_string(value)); }
  // The text as written: the exporter writes no fractions, so verify-export then reports the
  // field as it is in the file.
  bool number_float(number_float_t, const string_t& text) override { return Value(text); }
  bool string(string_t& value) override { return Value(std::move(value)); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return depth_++ == 0; }
  bool key(string_t& key) override {
    key_ = std::move(key);
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override { return false; }
  bool end_array() override { return false; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception&) override {
    return false;
  }

 private:
  bool Value(std::string value) {
    return depth_ == 1 && fields_.emplace(std::move(key_), std::move(value)).second;
  }

  std::map<std::string, std::string, std::less<>>& fields_;
  int depth_ = 0;
  std::string key_;
};

}  // namespace

ExportLine& ExportLine::Str(std::string_view key, std::string value) {
  fields.emplace_back(key, ValidUtf8(std::move(value)));
  numeric.push_back(false);
  return *this;
}
ExportLine& ExportLine::Plain(std::string_view key, std::string value) {
  fields.emplace_back(key, std::move(value));
  numeric.push_back(false);
  return *this;
}
ExportLine& ExportLine::Num(std::string_view key, int64_t value) {
  fields.emplace_back(key, std::to_string(value));
  numeric.push_back(true);
  return *this;
}
ExportLine& ExportLine::UNum(std::string_view key, uint64_t value) {
  fields.emplace_back(key, std::to_string(value));
  numeric.push_back(true);
  return *this;
}

const std::vector<std::string>& CsvColumns() {
  static const std::vector<std::string> columns = {
      "kind",           "position",       "time",         "time_us",  "org",
      "stream",         "stream_version", "action",       "revision", "actor",
      "subject",        "project",        "before",       "after",    "command_id",
      "correlation_id", "source",         "prev_hash",    "hash",     "record",
      "format_version", "filter_org",     "from_us",      "to_us",    "anchor_position",
      "anchor_hash",    "first_version",  "last_version", "entries",  "last_position",
      "head_hash"};
  return columns;
}

std::string CsvHeaderLine() {
  std::string out;
  for (const auto& c : CsvColumns()) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out + "\n";
}

void WriteLine(ExportFormat format, const ExportLine& line, std::string& out) {
  if (format == ExportFormat::kJsonLines) {
    // A flat object whose keys are literals and whose numbers are decimal text: only its
    // strings need a JSON writer's care.
    out += '{';
    for (size_t i = 0; i < line.fields.size(); ++i) {
      if (i) out += ',';
      out += '"';
      out += line.fields[i].first;
      out += "\":";
      if (line.numeric[i]) {
        out += line.fields[i].second;
      } else {
        AppendJsonString(line.fields[i].second, out);
      }
    }
    out += "}\n";
    return;
  }
  const auto& columns = CsvColumns();
  for (size_t c = 0; c < columns.size(); ++c) {
    if (c) out += ',';
    for (const auto& [key, value] : line.fields) {
      if (key == columns[c]) {
        CsvField(value, out);
        break;
      }
    }
  }
  out += '\n';
}

std::optional<std::vector<ParsedLine>> ReadExport(std::istream& in, std::string* error) {
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<ParsedLine> lines;
  if (text.empty()) {
    *error = "the file is empty";
    return std::nullopt;
  }
  if (text[0] == '{') {
    size_t line_no = 0;
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      ++line_no;
      std::string_view row(text.data() + start, end - start);
      start = end + 1;
      if (row.empty()) continue;
      ParsedLine p;
      p.line = line_no;
      FlatObject object(p.fields);
      if (!nlohmann::json::sax_parse(row.begin(), row.end(), &object)) {
        *error = "line " + std::to_string(line_no) + ": not a flat JSON object";
        return std::nullopt;
      }
      lines.push_back(std::move(p));
    }
    return lines;
  }
  // CSV (RFC 4180): the first row names the columns; quoted fields may span lines.
  std::vector<std::string> header;
  size_t line_no = 1, i = 0;
  while (i < text.size()) {
    const size_t row_line = line_no;
    std::vector<std::string> cells(1);
    bool quoted = false, done = false;
    for (; i < text.size() && !done; ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
          cells.back() += '"', ++i;
        else if (c == '"')
          quoted = false;
        else {
          if (c == '\n') ++line_no;
          cells.back() += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.emplace_back();
      } else if (c == '\n') {
        ++line_no;
        done = true;
      } else if (c != '\r') {
        cells.back() += c;
      }
    }
    if (quoted) {
      *error = "line " + std::to_string(row_line) + ": unterminated quoted field";
      return std::nullopt;
    }
    if (header.empty()) {
      header = std::move(cells);
      continue;
    }
    if (cells.size() != header.size()) {
      *error = "line " + std::to_string(row_line) + ": " + std::to_string(cells.size()) +
               " fields, the header names " + std::to_string(header.size());
      return std::nullopt;
    }
    ParsedLine p;
    p.line = row_line;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!cells[c].empty()) p.fields[header[c]] = std::move(cells[c]);
    }
    lines.push_back(std::move(p));
  }
  return lines;
}

namespace {

kj::ArrayPtr<const kj::byte> Bytes(std::string_view text) {
  return kj::arrayPtr(reinterpret_cast<const kj::byte*>(text.data()), text.size());
}

std::string Text(const kj::String& text) { return std::string(text.cStr(), text.size()); }

}  // namespace

void AppendBase64(std::string_view bytes, std::string& out) {
  const kj::String text = kj::encodeBase64(Bytes(bytes));
  out.append(text.cStr(), text.size());
}

std::string Base64(std::string_view bytes) { return Text(kj::encodeBase64(Bytes(bytes))); }

std::optional<std::string> FromBase64(std::string_view text) {
  auto decoded = kj::decodeBase64(kj::arrayPtr(text.data(), text.size()));
  if (decoded.hadErrors) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(decoded.begin()), decoded.size());
  // Only the canonical encoding is accepted, so a text maps to exactly one byte string (kj
  // skips characters outside the alphabet and accepts missing padding).
  if (Base64(out) != text) return std::nullopt;
  return out;
}

std::string HexOf(std::string_view bytes) { return Text(kj::encodeHex(Bytes(bytes))); }

std::optional<std::string> FromHex(std::string_view text) {
  auto decoded = kj::decodeHex(kj::arrayPtr(text.data(), text.size()));
  if (decoded.hadErrors) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(decoded.begin()), decoded.size());
  // Lower case only, as the exporter writes it: one text for one byte string.
  if (HexOf(out) != text) return std::nullopt;
  return out;
}

}  // namespace roster::api::audit_export
