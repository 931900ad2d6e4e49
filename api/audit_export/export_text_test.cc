// The export's text through both formats: bytes that are not UTF-8, control characters, and the
// lines ReadExport refuses.
#include <gtest/gtest.h>

#include <sstream>

#include "api/audit_export/export_format.h"

namespace roster::api::audit_export {
namespace {

std::vector<ParsedLine> ReadBack(ExportFormat format, const ExportLine& line) {
  std::string text = format == ExportFormat::kCsv ? CsvHeaderLine() : "";
  WriteLine(format, line, text);
  std::istringstream in(text);
  std::string error;
  auto lines = ReadExport(in, &error);
  EXPECT_TRUE(lines) << error;
  return lines ? *lines : std::vector<ParsedLine>{};
}

std::optional<std::vector<ParsedLine>> Read(const std::string& text, std::string* error) {
  std::istringstream in(text);
  return ReadExport(in, error);
}

TEST(ExportTextTest, TextThatIsNotUtf8ReadsBackAsTheLineHoldsIt) {
  ExportLine line;
  line.Str("kind", "entry")
      .Str("actor", "caf\xc3\xa9")             // UTF-8: kept
      .Str("command_id", "id\xff")             // a stray byte
      .Str("subject", "\xed\xa0\x80")          // a UTF-16 surrogate, which UTF-8 excludes
      .Str("correlation_id", "\xe2\x82 end");  // a sequence cut short
  EXPECT_EQ(line.fields[1].second, "caf\xc3\xa9");
  EXPECT_EQ(line.fields[2].second, "id\xef\xbf\xbd");
  for (ExportFormat format : {ExportFormat::kJsonLines, ExportFormat::kCsv}) {
    const auto lines = ReadBack(format, line);
    ASSERT_EQ(lines.size(), 1u);
    for (const auto& [key, value] : line.fields) {
      ASSERT_NE(lines[0].Get(key), nullptr) << key;
      EXPECT_EQ(*lines[0].Get(key), value) << key;
    }
  }
}

TEST(ExportTextTest, ControlCharactersAreEscapedAndReadBack) {
  ExportLine line;
  line.Str("source", "\b\f\x1f\"\\\n");
  std::string text;
  WriteLine(ExportFormat::kJsonLines, line, text);
  EXPECT_EQ(text, "{\"source\":\"\\b\\f\\u001f\\\"\\\\\\n\"}\n");
  EXPECT_EQ(*ReadBack(ExportFormat::kJsonLines, line)[0].Get("source"), "\b\f\x1f\"\\\n");
}

TEST(ExportTextTest, ValuesReadAsText) {
  std::string error;
  auto lines = Read(
      "{\"a\":-7,\"b\":18446744073709551615,\"c\":1.50,\"d\":null,\"e\":true,\"f\":\"\\u00e9\"}\n",
      &error);
  ASSERT_TRUE(lines) << error;
  const ParsedLine& line = (*lines)[0];
  EXPECT_EQ(*line.Get("a"), "-7");
  EXPECT_EQ(*line.Get("b"), "18446744073709551615");
  EXPECT_EQ(*line.Get("c"), "1.50");
  EXPECT_EQ(*line.Get("d"), "");
  EXPECT_EQ(*line.Get("e"), "true");
  EXPECT_EQ(*line.Get("f"), "\xc3\xa9");
}

TEST(ExportTextTest, LinesThatAreNotOneFlatObjectAreRefused) {
  for (const char* text : {"{\"kind\":\"entry\",\"kind\":\"end\"}\n", "{\"kind\":{\"a\":1}}\n",
                           "{\"kind\":[1]}\n", "{}\n\"kind\"\n", "{\"kind\":\"entry\"} {}\n",
                           "{\"kind\":\"entry\"}\n{\"actor\":\"\xff\"}\n"}) {
    std::string error;
    EXPECT_FALSE(Read(text, &error)) << text;
    EXPECT_NE(error.find("not a flat JSON object"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace roster::api::audit_export
