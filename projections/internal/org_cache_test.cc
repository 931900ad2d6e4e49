#include "projections/internal/org_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace roster::projections::internal {
namespace {

// An "organization" is a string, weighed as its size.
size_t Size(const std::string& s) { return s.size(); }

const OrgCache<std::string>::Loader kLoad = [](const std::string& org) {
  return std::optional<std::string>(std::string(100, org[0]));
};

// A query's load larger than the whole budget is answered, and not kept: the entry it inserted
// is the one evicted, and the answer must not point into it.
TEST(OrgCacheTest, AnEntryLargerThanTheBudgetIsAnsweredAndNotKept) {
  OrgCache<std::string> cache(&Size);
  cache.set_budget(50);
  auto a = cache.Get("a", kLoad);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, std::string(100, 'a'));
  EXPECT_EQ(cache.stats().orgs, 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(OrgCacheTest, LeastRecentlyUsedGoesFirstAndPinnedStaysUntilFlushed) {
  OrgCache<std::string> cache(&Size);
  cache.set_budget(250);
  cache.Get("a", kLoad);
  cache.Get("b", kLoad);
  cache.Get("a", kLoad);                       // b is now the least recently used
  std::string* c = cache.Mutable("c", kLoad);  // pinned: not evicted while over budget
  ASSERT_NE(c, nullptr);
  *c += std::string(100, 'c');  // changed by an event: 200 bytes now
  EXPECT_EQ(cache.stats().orgs, 3u);
  cache.Get("d", kLoad);  // over budget: b, then a go (least recent first); c is pinned
  EXPECT_EQ(cache.Cached("b"), nullptr);
  EXPECT_EQ(cache.Cached("a"), nullptr);
  EXPECT_NE(cache.Cached("c"), nullptr);
  EXPECT_NE(cache.Cached("d"), nullptr);
  cache.Flushed();  // c, reweighed at 200 and unpinned, is now the least recently used: it goes
  EXPECT_EQ(cache.Cached("c"), nullptr);
  EXPECT_NE(cache.Cached("d"), nullptr);
  EXPECT_EQ(cache.stats().bytes, 100u);
  const CacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 4u);
}

TEST(OrgCacheTest, AFailedLoadIsNotCached) {
  OrgCache<std::string> cache(&Size);
  cache.set_budget(1000);
  const OrgCache<std::string>::Loader failing = [](const std::string&) {
    return std::optional<std::string>();
  };
  EXPECT_EQ(cache.Get("a", failing), nullptr);
  EXPECT_EQ(cache.Mutable("a", failing), nullptr);
  EXPECT_EQ(cache.stats().orgs, 0u);
  EXPECT_NE(cache.Get("a", kLoad), nullptr);
}

// Weighing an organization must not walk all of it: the cache weighs every changed entry at
// every flush. Small containers are weighed exactly, large ones from a sample, scaled.
TEST(OrgCacheTest, WeighersSampleLargeContainers) {
  size_t calls = 0;
  auto seven = [&](int) {
    ++calls;
    return size_t{7};
  };
  EXPECT_EQ(SampledBytes(std::vector<int>(10), seven), 70u);
  EXPECT_EQ(calls, 10u);
  calls = 0;
  EXPECT_EQ(SampledBytes(std::vector<int>(100000), seven), 700000u);
  EXPECT_EQ(calls, kWeighSample);
  EXPECT_EQ(SampledBytes(std::vector<int>(), seven), 0u);
}

}  // namespace
}  // namespace roster::projections::internal
