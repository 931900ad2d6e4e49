#include "projections/row_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace roster::projections {
namespace {

std::vector<std::string> Keys(const RowBuffer& rows) {
  std::vector<std::string> out;
  for (size_t i = 0; i < rows.size(); ++i) out.emplace_back(rows.key(i));
  return out;
}

TEST(RowBufferTest, SortsBytewiseAndKeepsTheOrderOfRowsWithOneKey) {
  RowBuffer rows;
  rows.Put("org/b", "1");
  rows.Put(std::string("org/\xff", 5), "high byte");  // after every ASCII key, as RocksDB sorts
  rows.Put("org/a", "first");
  rows.Delete("org/a");
  rows.Put("org/aaaaaaaa2", "same 8-byte prefix");
  rows.Put("org/aaaaaaaa1", "same 8-byte prefix");
  rows.Sort();
  EXPECT_EQ(Keys(rows),
            (std::vector<std::string>{"org/a", "org/a", "org/aaaaaaaa1", "org/aaaaaaaa2", "org/b",
                                      std::string("org/\xff", 5)}));
  EXPECT_TRUE(rows.put(0));
  EXPECT_EQ(rows.value(0), "first");
  EXPECT_FALSE(rows.put(1));  // the delete stays after the put it follows
  EXPECT_EQ(rows.value(5), "high byte");
}

TEST(RowBufferTest, ClearForgetsEveryRowAndTheBufferServesAgain) {
  RowBuffer rows;
  const std::string big(3 << 20, 'x');  // larger than a block
  rows.Put("big", big);
  rows.Put("small", "s");
  rows.Clear();
  EXPECT_TRUE(rows.empty());
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5000; ++i) rows.Put("k" + std::to_string(i), std::string(300, 'a' + round));
    ASSERT_EQ(rows.size(), 5000u);  // about 1.5 MiB: past the first block
    EXPECT_EQ(rows.key(4999), "k4999");
    EXPECT_EQ(rows.value(0), std::string(300, 'a' + round));
    EXPECT_EQ(rows.value(4999), std::string(300, 'a' + round));
    rows.Clear();
  }
  rows.Put("again", big);
  EXPECT_EQ(rows.value(0), big);
}

}  // namespace
}  // namespace roster::projections
