#include "domain/time.h"

#include <gtest/gtest.h>

namespace roster::domain {
namespace {

// The test clock runs ahead of its base by an offset that only grows, so that the times it
// hands out (and the log records) never go back.
TEST(OffsetClockTest, MovesForwardOnlyAndFollowsItsBase) {
  ManualClock base(FromMicros(1'000'000));
  OffsetClock clock(base);
  EXPECT_EQ(clock.Now(), base.Now());
  auto offset = clock.Advance(Days(8));
  ASSERT_TRUE(offset.has_value());
  EXPECT_EQ(*offset, Days(8));
  EXPECT_EQ(clock.Now(), base.Now() + Days(8));
  base.Advance(Duration(5));
  EXPECT_EQ(clock.Now(), base.Now() + Days(8));

  EXPECT_FALSE(clock.Advance(Duration(0)).has_value());
  EXPECT_FALSE(clock.Advance(-Days(1)).has_value());
  EXPECT_FALSE(clock.Advance(OffsetClock::kMaxOffset).has_value());
  EXPECT_EQ(clock.offset(), Days(8));  // a refused move changes nothing
}

// A restart resumes from the offset the previous run reached.
TEST(OffsetClockTest, StartsFromAGivenOffset) {
  ManualClock base(FromMicros(1'000'000));
  OffsetClock clock(base, Days(3));
  EXPECT_EQ(clock.offset(), Days(3));
  EXPECT_EQ(clock.Now(), base.Now() + Days(3));
  EXPECT_FALSE(clock.Advance(OffsetClock::kMaxOffset - Days(2)).has_value());
  EXPECT_EQ(OffsetClock(base, -Days(1)).offset(), Duration::zero());
}

}  // namespace
}  // namespace roster::domain
