#include "tools/soak/rss.h"

#include <gtest/gtest.h>

namespace roster::tools::soak {
namespace {

// rosterd killed every `life_s`: each start climbs from `base` MiB by `climb` MiB a second;
// `growth` MiB a second is added over the whole run (what the verdict must catch).
std::vector<RssSample> Samples(double run_s, double life_s, double base, double climb,
                               double growth) {
  std::vector<RssSample> samples;
  for (double t = 0; t < run_s; t += 1) {
    const double uptime = t - life_s * static_cast<int>(t / life_s);
    const double mib = base + climb * uptime + growth * t;
    samples.push_back(RssSample{t, static_cast<uint64_t>(t / life_s) + 1, uptime,
                                static_cast<uint64_t>(mib * 1024)});
  }
  return samples;
}

TEST(RssTest, SamePeaksAcrossRestartsPass) {
  const RssVerdict v = JudgeRss(Samples(120, 25, 40, 1.5, 0), 120, 1.5, 2.0);
  EXPECT_EQ(v.bucket_s, 15);
  ASSERT_EQ(v.bucket_peak_mib.size(), 8u);
  EXPECT_TRUE(v.judged);
  EXPECT_TRUE(v.ok) << v.ratio;
  EXPECT_NEAR(v.ratio, 1.0, 0.1);
}

TEST(RssTest, GrossGrowthFailsAShortRun) {
  std::vector<RssSample> samples = Samples(120, 25, 40, 1.5, 0);
  for (RssSample& s : samples) {
    if (s.at_s >= 90) s.rss_kib *= 3;  // tripled in the last half minute
  }
  const RssVerdict v = JudgeRss(samples, 120, 1.5, 2.0);
  EXPECT_TRUE(v.judged);
  EXPECT_DOUBLE_EQ(v.factor, 2.0);
  EXPECT_FALSE(v.ok) << v.ratio;
}

TEST(RssTest, SteadyGrowthFailsALongRun) {
  // 100 MiB after the warm-up, growing 5 MiB a minute: about 220 MiB at the end.
  const RssVerdict v = JudgeRss(Samples(1800, 30, 100, 0, 5.0 / 60), 1800, 1.5, 2.0);
  EXPECT_TRUE(v.judged);
  EXPECT_DOUBLE_EQ(v.factor, 1.5);
  EXPECT_FALSE(v.ok) << v.ratio;
  EXPECT_GT(v.ratio, 1.5);
}

TEST(RssTest, TheWarmUpIsNotCompared) {
  std::vector<RssSample> samples = Samples(120, 25, 80, 0, 0);
  for (RssSample& s : samples) {
    if (s.at_s < 30) s.rss_kib = 10 * 1024;  // the first two buckets: still starting
  }
  const RssVerdict v = JudgeRss(samples, 120, 1.5, 2.0);
  EXPECT_TRUE(v.ok);
  EXPECT_DOUBLE_EQ(v.early_mib, 80);
}

TEST(RssTest, LongRunsCompareMinutesThreeToFiveWithTheLastThree) {
  const RssVerdict v = JudgeRss(Samples(1800, 30, 100, 1, 0), 1800, 1.5, 2.0);
  EXPECT_EQ(v.bucket_s, 60);
  ASSERT_EQ(v.bucket_peak_mib.size(), 30u);
  EXPECT_TRUE(v.judged);
  EXPECT_TRUE(v.ok);
  std::vector<RssSample> leaking = Samples(1800, 30, 100, 1, 0);
  for (RssSample& s : leaking) {
    if (s.at_s >= 27 * 60) s.rss_kib = 300 * 1024;
  }
  EXPECT_FALSE(JudgeRss(leaking, 1800, 1.5, 2.0).ok);
}

TEST(RssTest, ARunTooShortForTwoWindowsIsNotJudged) {
  const RssVerdict v = JudgeRss(Samples(60, 25, 40, 1, 5), 60, 1.5, 2.0);
  EXPECT_FALSE(v.judged);
  EXPECT_TRUE(v.ok);
}

}  // namespace
}  // namespace roster::tools::soak
