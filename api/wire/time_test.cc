// Times as text: the forms FormatTime prints and every form ParseTime reads.
#include "api/wire/time.h"

#include <gtest/gtest.h>

namespace roster::api::wire {
namespace {

constexpr int64_t kJan31Noon = 1'769'860'800'000'000;  // 2026-01-31T12:00:00Z

TEST(TimeTest, FormatsWithMicrosecondsOrWithoutAZeroFraction) {
  EXPECT_EQ(FormatTime(kJan31Noon), "2026-01-31T12:00:00.000000Z");
  EXPECT_EQ(FormatTime(kJan31Noon, Subseconds::kWhenNonZero), "2026-01-31T12:00:00Z");
  EXPECT_EQ(FormatTime(kJan31Noon + 123'456, Subseconds::kWhenNonZero),
            "2026-01-31T12:00:00.123456Z");
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(TimeTest, YearsRfc3339CannotHoldAreMicroseconds) {
  EXPECT_EQ(FormatTime(-62'167'219'200'000'000), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTime(-62'167'219'200'000'001), "-62167219200000001us");
  EXPECT_EQ(FormatTime(253'402'300'799'999'999), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTime(253'402'300'800'000'000), "253402300800000000us");
  EXPECT_EQ(FormatTime(INT64_MAX), "9223372036854775807us");
}

TEST(TimeTest, ReadsEveryDocumentedForm) {
  const int64_t midnight = kJan31Noon - 12 * 3'600'000'000LL;
  EXPECT_EQ(ParseTime("1769860800000000"), kJan31Noon);
  EXPECT_EQ(ParseTime("2026-01-31"), midnight);
  EXPECT_EQ(ParseTime("2026-01-31Z"), midnight);
  EXPECT_EQ(ParseTime("2026-01-31T12:00"), kJan31Noon);
  EXPECT_EQ(ParseTime("2026-01-31 12:00Z"), kJan31Noon);
  EXPECT_EQ(ParseTime("2026-01-31T12:00:00Z"), kJan31Noon);
  EXPECT_EQ(ParseTime("2026-01-31 12:00:00"), kJan31Noon);
  EXPECT_EQ(ParseTime("2026-01-31T12:00:00.5Z"), kJan31Noon + 500'000);
  EXPECT_EQ(ParseTime("2026-01-31T12:00:00.1234567"), kJan31Noon + 123'456);
}

TEST(TimeTest, ReadsWhatItPrints) {
  for (int64_t t : {int64_t{0}, kJan31Noon, kJan31Noon + 7, int64_t{-1}}) {
    EXPECT_EQ(ParseTime(FormatTime(t)), t);
    EXPECT_EQ(ParseTime(FormatTime(t, Subseconds::kWhenNonZero)), t);
  }
}

TEST(TimeTest, RefusesOtherTextWithASentence) {
  for (const char* text :
       {"", "yesterday", "2026-13-01", "2026-02-30", "2026-01-31T24:00", "2026-01-31T12:00.5",
        "2026-01-31T12:00:00.", "2026-01-31T12", "2026-01-31T12:00:00+01:00", "-5"}) {
    auto t = ParseTime(text);
    ASSERT_FALSE(t) << text;
    EXPECT_NE(t.error().find("'" + std::string(text) + "'"), std::string::npos) << t.error();
  }
  EXPECT_EQ(ParseTime("99999999999999999999").error(),
            "'99999999999999999999' microseconds is beyond the year 294,000");
}

}  // namespace
}  // namespace roster::api::wire
