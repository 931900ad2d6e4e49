// Output of the roster CLI: aligned tables for people, JSON for scripts, and the small
// formatters both use. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "api/wire/json.h"

namespace roster::tools::cli {

// Columns padded to their widest cell, two spaces apart; the header underlined.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// A table printed piece by piece as the parts of a streamed answer arrive: the first Flush
// prints the header and the rows so far, aligned as Table does; later flushes keep those
// column widths (a wider cell pushes the rest of its row right). One part: the same output as
// Table.
class StreamedTable {
 public:
  explicit StreamedTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Prints the rows added since the last flush; the first flush prints the header too, even
  // when there are no rows.
  void Flush(std::ostream& out);
  bool printed() const { return !widths_.empty(); }
  bool has_rows() const { return !rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;  // not yet printed
  std::vector<size_t> widths_;                  // set by the first flush
};

// Key/value lines ("name:  value"), aligned, for single results.
void PrintFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// A time as api/wire/time.h writes it, without a zero fraction ("2026-01-31T12:00:00Z",
// "2026-01-31T12:00:00.123456Z"); "-" for 0, which the protocol sends for "never".
std::string TimeOrDash(int64_t us);
// Lower-case hex of the first `max_bytes` bytes (all when 0).
std::string Hex(const uint8_t* data, size_t size, size_t max_bytes = 0);
// An empty string shown as "-", so columns never collapse.
std::string OrDash(std::string_view s);

}  // namespace roster::tools::cli
