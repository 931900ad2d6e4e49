// export + verify-export on a year of history: round trips in both formats, unfiltered and
// filtered; a changed line and a removed line fail naming the line; the export agrees with
// the log on which records are in it.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "api/audit_export/audit_export.h"
#include "api/wire/time.h"
#include "eventstore/codec/streams.h"
#include "tests/audit/year_fixture.h"
#include "tools/admin/verify_export.h"

namespace roster::tests {
namespace {

using api::audit_export::ExportFormat;
using api::audit_export::ExportOptions;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class ExportTest : public YearFixture {
 protected:
  std::string Export(const ExportOptions& options) {
    std::ostringstream out;
    auto summary = api::audit_export::WriteExport(node_->log(), codec_, options, out);
    EXPECT_TRUE(summary.has_value()) << (summary ? "" : summary.error().message);
    return out.str();
  }
  tools::admin::VerifyExportReport Verify(const std::string& text) {
    std::istringstream in(text);
    return tools::admin::VerifyExport(in, codec_);
  }
  // Records in [from, to) (of one org when given), counted straight from the log.
  uint64_t Expected(int64_t from, int64_t to, const std::optional<std::string>& org) {
    uint64_t n = 0;
    auto records = node_->log().ReadAll(1, last_ + 1);
    for (const auto& r : *records) {
      auto owner = eventstore::codec::ParseStream(r.stream);
      if (r.metadata.time_us < from || r.metadata.time_us >= to) continue;
      if (org && (!owner || owner->org.value != *org)) continue;
      ++n;
    }
    return n;
  }
  eventstore::codec::EventCodec codec_;
};

const int64_t kMarch = *api::wire::ParseTime("2026-03-01");
const int64_t kOctober = *api::wire::ParseTime("2026-10-01");

TEST_F(ExportTest, WholeYearRoundTripsInBothFormats) {
  for (ExportFormat format : {ExportFormat::kJsonLines, ExportFormat::kCsv}) {
    ExportOptions options;
    options.format = format;
    const std::string text = Export(options);
    auto report = Verify(text);
    ASSERT_TRUE(report.ok) << report.problem;
    EXPECT_EQ(report.entries, last_);
    EXPECT_EQ(report.anchor_position, 0u);
    EXPECT_EQ(report.last_position, last_);
    EXPECT_FALSE(report.filtered);
    // The head is the log's own chain head.
    auto verified = node_->log().Verify(1, last_);
    EXPECT_EQ(report.head_hash,
              api::audit_export::HexOf(
                  std::string_view(reinterpret_cast<const char*>(verified->last_hash.data()), 32)));
  }
}

TEST_F(ExportTest, TimeRangeAndOrganizationFiltersExportExactlyTheirRecords) {
  const std::string org = workload_->org_ids()[1];
  for (ExportFormat format : {ExportFormat::kJsonLines, ExportFormat::kCsv}) {
    ExportOptions range;
    range.format = format;
    range.from_us = kMarch;
    range.to_us = kOctober;
    auto report = Verify(Export(range));
    ASSERT_TRUE(report.ok) << report.problem;
    EXPECT_EQ(report.entries, Expected(kMarch, kOctober, std::nullopt));
    EXPECT_GT(report.anchor_position, 0u);

    ExportOptions one = range;
    one.org = org;
    auto filtered = Verify(Export(one));
    ASSERT_TRUE(filtered.ok) << filtered.problem;
    EXPECT_TRUE(filtered.filtered);
    EXPECT_EQ(filtered.entries, Expected(kMarch, kOctober, org));
    EXPECT_GT(filtered.entries, 50u);
  }
}

// The writer reads the next batch of records while it formats one; small batches put many
// batch ends (and the range's end inside a batch) into a small log: the file is the same.
TEST_F(ExportTest, ReadBatchesDoNotChangeTheFile) {
  ASSERT_GT(last_, 1000u);
  ExportOptions whole;
  ExportOptions ranged;
  ranged.from_us = kMarch;
  ranged.to_us = kOctober;
  ExportOptions one_org = ranged;
  one_org.org = workload_->org_ids()[2];
  for (ExportOptions options : {whole, ranged, one_org}) {
    const std::string reference = Export(options);
    for (size_t batch : {1, 7, 100, 333}) {
      options.read_batch = batch;
      EXPECT_EQ(Export(options), reference) << "batch " << batch;
    }
    ASSERT_TRUE(Verify(reference).ok);
  }
}

// Where the value of one field starts in an exported line, in either format (CSV lines of
// this history hold no quoted fields, so counting commas is exact).
size_t FieldStart(const std::string& line, ExportFormat format, const std::string& key) {
  if (format == ExportFormat::kJsonLines) {
    const size_t at = line.find("\"" + key + "\":\"");
    EXPECT_NE(at, std::string::npos) << line;
    return at + key.size() + 4;
  }
  EXPECT_EQ(line.find('"'), std::string::npos) << line;
  const auto& columns = api::audit_export::CsvColumns();
  const size_t column = std::find(columns.begin(), columns.end(), key) - columns.begin();
  size_t at = 0;
  for (size_t c = 0; c < column; ++c) at = line.find(',', at) + 1;
  return at;
}

class ExportTamperTest : public ExportTest, public ::testing::WithParamInterface<ExportFormat> {};

TEST_P(ExportTamperTest, AChangedLineFailsNamingIt) {
  ExportOptions options;
  options.format = GetParam();
  options.from_us = kMarch;
  options.to_us = kOctober;
  auto lines = Lines(Export(options));
  ASSERT_GT(lines.size(), 100u);
  ASSERT_TRUE(Verify(Join(lines)).ok);
  // A readable field changed (the record bytes untouched): line 42.
  auto changed = lines;
  changed[41].insert(FieldStart(changed[41], GetParam(), "actor"), "x");
  auto report = Verify(Join(changed));
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.line, 42u) << report.problem;
  // The record bytes changed (a base64 letter swapped): the hash no longer matches.
  auto forged = lines;
  const size_t rec = FieldStart(forged[60], GetParam(), "record");
  ASSERT_LT(rec + 20, forged[60].size());
  forged[60][rec + 20] = forged[60][rec + 20] == 'A' ? 'B' : 'A';
  report = Verify(Join(forged));
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.line, 61u) << report.problem;
}

TEST_P(ExportTamperTest, ARemovedLineFailsNamingWhereItWas) {
  for (bool filtered : {false, true}) {
    ExportOptions options;
    options.format = GetParam();
    options.from_us = kMarch;
    options.to_us = kOctober;
    if (filtered) options.org = workload_->org_ids()[2];
    auto lines = Lines(Export(options));
    ASSERT_GT(lines.size(), 40u);
    ASSERT_TRUE(Verify(Join(lines)).ok);
    // Line 30 is an entry in both formats (CSV has a line naming the columns first).
    auto removed = lines;
    removed.erase(removed.begin() + 29);
    auto report = Verify(Join(removed));
    EXPECT_FALSE(report.ok);
    if (!filtered) {
      EXPECT_EQ(report.line, 30u) << report.problem;
    } else {
      // The next entry of the removed one's stream, or that stream's summary line.
      EXPECT_GE(report.line, 30u) << report.problem;
      EXPECT_NE(report.problem.find("missing"), std::string::npos) << report.problem;
    }
    // The last entry removed: the end line no longer agrees.
    auto truncated = lines;
    truncated.erase(truncated.end() - (filtered ? 4 : 2));
    report = Verify(Join(truncated));
    EXPECT_FALSE(report.ok) << filtered;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ExportTamperTest,
                         ::testing::Values(ExportFormat::kJsonLines, ExportFormat::kCsv),
                         [](const ::testing::TestParamInfo<ExportFormat>& info) {
                           return info.param == ExportFormat::kCsv ? "Csv" : "JsonLines";
                         });

TEST_F(ExportTest, TheCommandWritesAFileThatVerifies) {
  Close();
  const std::string file = (dir_.path() / "export.jsonl").string();
  ExportOptions options;
  options.org = workload_->org_ids()[0];
  Captured c;
  ASSERT_EQ(tools::admin::RunExport(dir_.path(), options, file, c.io), 0) << c.err.str();
  Captured v;
  EXPECT_EQ(tools::admin::RunVerifyExport(file, v.io), 0) << v.out.str();
  // One line removed from the file on disk.
  std::ifstream in(file);
  auto lines = Lines(std::string(std::istreambuf_iterator<char>(in), {}));
  lines.erase(lines.begin() + 4);
  std::ofstream(file, std::ios::trunc) << Join(lines);
  Captured bad;
  EXPECT_EQ(tools::admin::RunVerifyExport(file, bad.io), 1);
  EXPECT_NE(bad.out.str().find("FAILED: line "), std::string::npos) << bad.out.str();
}

}  // namespace
}  // namespace roster::tests
