// verify-export: checks an export file on its own (no database). What an ok report proves is
// written down in docs/audit_export.md; every check here is one sentence there.
#include "tools/admin/verify_export.h"

#include <map>

#include "api/audit_export/audit_export.h"
#include "eventstore/hash_chain.h"

namespace roster::tools::admin {

using api::audit_export::ExportEntryLine;
using api::audit_export::ExportLine;
using api::audit_export::FromBase64;
using api::audit_export::FromHex;
using api::audit_export::ParsedLine;
using api::audit_export::ReadExport;

namespace {

struct Checker {
  VerifyExportReport report;
  bool Bad(size_t line, std::string problem) {
    report.ok = false;
    report.line = line;
    report.problem = "line " + std::to_string(line) + ": " + std::move(problem);
    return false;
  }
};

bool ParseNumber(const std::string* text, int64_t& out) {
  if (text == nullptr || text->empty()) return false;
  try {
    size_t used = 0;
    out = std::stoll(*text, &used);
    return used == text->size();
  } catch (...) {
    return false;
  }
}

std::string Field(const ParsedLine& line, std::string_view key) {
  const std::string* v = line.Get(key);
  return v ? *v : std::string();
}

}  // namespace

VerifyExportReport VerifyExport(std::istream& in, const eventstore::codec::EventCodec& codec) {
  Checker c;
  std::string error;
  auto lines = ReadExport(in, &error);
  if (!lines) {
    c.report.problem = error;
    return c.report;
  }
  if (lines->empty() || Field(lines->front(), "kind") != "header") {
    c.Bad(lines->empty() ? 1 : lines->front().line, "the file does not start with a header line");
    return c.report;
  }
  const ParsedLine& header = lines->front();
  int64_t version = 0, from_us = 0, to_us = 0, anchor = 0;
  if (!ParseNumber(header.Get("format_version"), version) || version != 1 ||
      !ParseNumber(header.Get("from_us"), from_us) || !ParseNumber(header.Get("to_us"), to_us) ||
      !ParseNumber(header.Get("anchor_position"), anchor) || anchor < 0) {
    c.Bad(header.line, "malformed header (format_version 1, from_us, to_us, anchor_position)");
    return c.report;
  }
  const std::string filter_org = Field(header, "filter_org");
  c.report.filtered = !filter_org.empty();
  c.report.anchor_position = static_cast<eventstore::Position>(anchor);
  c.report.anchor_hash = Field(header, "anchor_hash");
  if (!FromHex(c.report.anchor_hash) || c.report.anchor_hash.size() != 64) {
    c.Bad(header.line, "anchor_hash is not 32 bytes of hex");
    return c.report;
  }

  eventstore::Position prev_position = c.report.anchor_position;
  std::string prev_hash = c.report.anchor_hash;
  struct StreamSeen {
    int64_t first = 0, last = 0;
    uint64_t entries = 0;
    size_t last_line = 0;
  };
  std::map<std::string, StreamSeen> streams;
  std::map<std::string, bool> summarized;
  size_t i = 1;
  for (; i < lines->size() && Field((*lines)[i], "kind") == "entry"; ++i) {
    const ParsedLine& line = (*lines)[i];
    auto body = FromBase64(Field(line, "record"));
    auto prev = FromHex(Field(line, "prev_hash"));
    auto hash = FromHex(Field(line, "hash"));
    if (!body || !prev || !hash || prev->size() != 32 || hash->size() != 32) {
      c.Bad(line.line, "record, prev_hash or hash is not valid base64/hex of the right size");
      return c.report;
    }
    auto parsed = eventstore::ParseStoredRecord(*body + *prev + *hash);
    if (!parsed) {
      c.Bad(line.line, "the record bytes cannot be decoded: " + parsed.error());
      return c.report;
    }
    const auto computed = eventstore::ChainHash(*prev, *body);
    if (!computed) {
      // The hash could not be computed at all: that proves nothing against this line.
      c.report.problem = "cannot check record hashes: " + computed.error().message;
      return c.report;
    }
    if (*computed != parsed->hash) {
      c.Bad(line.line,
            "hash is not SHA-256(prev_hash || record): the record bytes or hash "
            "were altered");
      return c.report;
    }
    const eventstore::Record& record = *parsed;
    const ExportLine expected = ExportEntryLine(record, codec, *body);
    for (const auto& [key, value] : expected.fields) {
      const std::string* got = line.Get(key);
      if (got == nullptr ? !value.empty() : *got != value) {
        c.Bad(line.line, "field '" + std::string(key) + "' is '" + (got ? *got : std::string()) +
                             "' but the record bytes say '" + value + "'");
        return c.report;
      }
    }
    if (line.fields.size() > expected.fields.size()) {
      c.Bad(line.line, "unexpected extra fields");
      return c.report;
    }
    if (record.metadata.time_us < from_us || record.metadata.time_us >= to_us) {
      c.Bad(line.line, "its time is outside the exported range");
      return c.report;
    }
    const std::string position_text = std::to_string(record.position);
    if (!c.report.filtered || c.report.entries == 0) {
      // Consecutive in the chain: the position follows and the link holds.
      if (record.position != prev_position + 1) {
        c.Bad(line.line, "position " + position_text + " does not follow position " +
                             std::to_string(prev_position) +
                             ": records are missing before this line");
        return c.report;
      }
    } else if (record.position <= prev_position) {
      c.Bad(line.line, "position " + position_text + " is not after the previous entry's");
      return c.report;
    }
    if (record.position == prev_position + 1 && Field(line, "prev_hash") != prev_hash) {
      c.Bad(line.line, "prev_hash does not link to the hash of position " +
                           std::to_string(prev_position) + " (the line before it, or the anchor)");
      return c.report;
    }
    if (c.report.filtered) {
      if (Field(line, "org") != filter_org) {
        c.Bad(line.line, "the record belongs to another organization than the filter");
        return c.report;
      }
      auto [it, fresh] = streams.try_emplace(record.stream);
      StreamSeen& s = it->second;
      if (fresh) {
        s.first = record.stream_version;
      } else if (record.stream_version != s.last + 1) {
        c.Bad(line.line, "stream " + record.stream + " goes from version " +
                             std::to_string(s.last) + " to " +
                             std::to_string(record.stream_version) +
                             ": an entry of this stream is missing before this line");
        return c.report;
      }
      s.last = record.stream_version;
      ++s.entries;
      s.last_line = line.line;
    }
    prev_position = record.position;
    prev_hash = Field(line, "hash");
    ++c.report.entries;
  }
  // Summary lines of a filtered export: each stream's first and last version and count.
  for (; i < lines->size() && Field((*lines)[i], "kind") == "stream"; ++i) {
    const ParsedLine& line = (*lines)[i];
    const std::string stream = Field(line, "stream");
    int64_t first = 0, last = 0, entries = 0;
    if (!c.report.filtered || !ParseNumber(line.Get("first_version"), first) ||
        !ParseNumber(line.Get("last_version"), last) ||
        !ParseNumber(line.Get("entries"), entries) || summarized[stream]) {
      c.Bad(line.line, "malformed or unexpected stream summary");
      return c.report;
    }
    summarized[stream] = true;
    auto it = streams.find(stream);
    if (it == streams.end() || it->second.first != first || it->second.last != last ||
        static_cast<int64_t>(it->second.entries) != entries) {
      c.Bad(line.line, "stream " + stream + " is summarized as versions " + std::to_string(first) +
                           ".." + std::to_string(last) + " (" + std::to_string(entries) +
                           " entries) but the entries differ: " + "an entry was removed or added");
      return c.report;
    }
  }
  if (i >= lines->size() || Field((*lines)[i], "kind") != "end") {
    c.Bad(i < lines->size() ? (*lines)[i].line : lines->back().line + 1,
          "expected the end line here (the file is truncated or has a line out of place)");
    return c.report;
  }
  const ParsedLine& end = (*lines)[i];
  for (const auto& [stream, seen] : streams) {
    if (!summarized[stream]) {
      c.Bad(end.line, "stream " + stream + " has entries but no summary line");
      return c.report;
    }
  }
  int64_t entries = 0, last_position = 0;
  if (!ParseNumber(end.Get("entries"), entries) ||
      !ParseNumber(end.Get("last_position"), last_position)) {
    c.Bad(end.line, "malformed end line");
    return c.report;
  }
  if (static_cast<uint64_t>(entries) != c.report.entries ||
      (c.report.entries > 0 && static_cast<eventstore::Position>(last_position) != prev_position) ||
      Field(end, "head_hash") != prev_hash) {
    c.Bad(end.line, "the end line says " + std::to_string(entries) + " entries up to position " +
                        std::to_string(last_position) + " with head " + Field(end, "head_hash") +
                        ", but the file has " + std::to_string(c.report.entries) +
                        " up to position " + std::to_string(prev_position) + " with head " +
                        prev_hash);
    return c.report;
  }
  if (i + 1 != lines->size()) {
    c.Bad((*lines)[i + 1].line, "lines after the end line");
    return c.report;
  }
  c.report.last_position = prev_position;
  c.report.head_hash = prev_hash;
  c.report.ok = true;
  return c.report;
}

}  // namespace roster::tools::admin
