// The export file's encodings: base64 and hex only in canonical form, JSON and CSV fields
// that hold quotes, commas and newlines, and times.
#include "api/audit_export/export_format.h"

#include <gtest/gtest.h>

#include <sstream>

#include "api/wire/time.h"

namespace roster::api::audit_export {
namespace {

using wire::FormatTime;
using wire::ParseTime;

TEST(ExportFormatTest, Base64RoundTripsAndRejectsNonCanonicalText) {
  for (std::string s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\0\xff\x10zz", 5)}) {
    EXPECT_EQ(FromBase64(Base64(s)), s);
  }
  EXPECT_EQ(Base64("abc"), "YWJj");
  EXPECT_FALSE(FromBase64("YWJ"));
  EXPECT_FALSE(FromBase64("YR=="));  // 'R' leaves bits set that "a" does not have
  EXPECT_FALSE(FromBase64("YW*j"));
  EXPECT_EQ(FromHex(HexOf("\x01\xab")), "\x01\xab");
  EXPECT_FALSE(FromHex("AB"));  // upper case is not what the exporter writes
}

TEST(ExportFormatTest, AwkwardTextSurvivesBothFormats) {
  const std::string awkward = "a \"quoted\", comma\nnew line\ttab \\ back\x01";
  for (ExportFormat format : {ExportFormat::kJsonLines, ExportFormat::kCsv}) {
    std::string text = format == ExportFormat::kCsv ? CsvHeaderLine() : "";
    ExportLine line;
    line.Str("kind", "entry").Str("actor", awkward).UNum("position", 7);
    WriteLine(format, line, text);
    ExportLine end;
    end.Str("kind", "end");
    WriteLine(format, end, text);
    std::istringstream in(text);
    std::string error;
    auto lines = ReadExport(in, &error);
    ASSERT_TRUE(lines) << error;
    ASSERT_EQ(lines->size(), 2u);
    EXPECT_EQ(*(*lines)[0].Get("actor"), awkward);
    EXPECT_EQ(*(*lines)[0].Get("position"), "7");
    // The CSV row that spans two physical lines starts on line 2; the next on line 4.
    EXPECT_EQ((*lines)[1].line, format == ExportFormat::kCsv ? 4u : 2u);
  }
}

TEST(ExportFormatTest, BrokenLinesAreNamed) {
  std::istringstream in("{\"kind\":\"header\"}\n{\"kind\":\"entry\",\n");
  std::string error;
  EXPECT_FALSE(ReadExport(in, &error));
  EXPECT_EQ(error.find("line 2:"), 0u) << error;
}

TEST(ExportFormatTest, Times) {
  EXPECT_EQ(FormatTime(1'735'689'600'000'006), "2025-01-01T00:00:00.000006Z");
  EXPECT_EQ(ParseTime("2025-01-01"), 1'735'689'600'000'000);
  EXPECT_EQ(ParseTime("2025-01-01T01:02:03Z"), 1'735'689'600'000'000 + 3'723'000'000);
  EXPECT_FALSE(ParseTime("2025-13-01"));
  EXPECT_FALSE(ParseTime("yesterday"));
}

}  // namespace
}  // namespace roster::api::audit_export
