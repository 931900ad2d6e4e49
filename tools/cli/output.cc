#include "tools/cli/output.h"

#include <kj/encoding.h>

#include <algorithm>
#include <ostream>

#include "api/wire/time.h"

namespace roster::tools::cli {
namespace {

std::vector<size_t> Widths(const std::vector<std::string>& headers,
                           const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) widths[i] = headers[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  return widths;
}

void PrintRow(std::ostream& out, const std::vector<size_t>& widths,
              const std::vector<std::string>& cells) {
  std::string text;
  for (size_t i = 0; i < widths.size(); ++i) {
    const std::string& cell = i < cells.size() ? cells[i] : std::string();
    text += cell;
    if (i + 1 < widths.size()) {
      text += std::string(std::max(widths[i], cell.size()) - cell.size() + 2, ' ');
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  out << text << '\n';
}

void PrintHeader(std::ostream& out, const std::vector<size_t>& widths,
                 const std::vector<std::string>& headers) {
  PrintRow(out, widths, headers);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  PrintRow(out, widths, rule);
}

}  // namespace

void Table::Print(std::ostream& out) const {
  const std::vector<size_t> widths = Widths(headers_, rows_);
  PrintHeader(out, widths, headers_);
  for (const auto& row : rows_) PrintRow(out, widths, row);
}

void StreamedTable::Flush(std::ostream& out) {
  if (widths_.empty()) {
    widths_ = Widths(headers_, rows_);
    PrintHeader(out, widths_, headers_);
  }
  for (const auto& row : rows_) PrintRow(out, widths_, row);
  rows_.clear();
  out.flush();
}

void PrintFields(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [key, value] : fields) width = std::max(width, key.size());
  for (const auto& [key, value] : fields) {
    out << key << ':' << std::string(width - key.size() + 2, ' ') << value << '\n';
  }
}

std::string TimeOrDash(int64_t us) {
  return us == 0 ? "-" : api::wire::FormatTime(us, api::wire::Subseconds::kWhenNonZero);
}

std::string Hex(const uint8_t* data, size_t size, size_t max_bytes) {
  if (max_bytes != 0) size = std::min(size, max_bytes);
  const kj::String hex = kj::encodeHex(kj::arrayPtr(data, size));
  return std::string(hex.cStr(), hex.size());
}

std::string OrDash(std::string_view s) { return s.empty() ? "-" : std::string(s); }

}  // namespace roster::tools::cli
