#include "projections/view_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "eventstore/testing/temp_dir.h"
#include "projections/row_buffer.h"

namespace roster::projections {
namespace {

std::string Key(int i) {
  char key[16];
  std::snprintf(key, sizeof key, "k%05d", i);
  return key;
}

// Ingests `count` rows "k00000".. -> `value` into table `name`.
void IngestRows(ViewStore& store, const std::string& name, int count, const std::string& value) {
  auto table = store.OpenTable(name);
  ASSERT_TRUE(table.has_value());
  RowBuffer rows;
  for (int i = 0; i < count; ++i) rows.Put(Key(i), value);
  std::vector<std::pair<const Table*, RowBuffer>> tables;
  tables.emplace_back(table->get(), std::move(rows));
  ASSERT_TRUE(store.Ingest(tables).has_value());
}

std::vector<std::filesystem::path> TableFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".sst" && name.rfind("bulk-", 0) != 0) {
      out.push_back(entry.path());
    }
  }
  return out;
}

// A process killed after its ingestion but before it removed its bulk file leaves that name
// behind as a second link to a live table file. The next process numbers its bulk files from
// 0 again: writing through the old name would overwrite (or, if killed meanwhile, truncate)
// the live file.
TEST(ViewStoreTest, ABulkFileLeftByAKilledProcessIsNotWrittenThrough) {
  eventstore::testing::TempDir dir("view-store");
  const auto path = dir.path() / "views";
  {
    auto store = ViewStore::Open(path, {});
    ASSERT_TRUE(store.has_value());
    IngestRows(**store, "first", 1000, "first table's row");
    const auto files = TableFiles(path);
    ASSERT_EQ(files.size(), 1u);
    ASSERT_EQ(link(files[0].c_str(), (path / "bulk-0.sst").c_str()), 0);
  }
  {
    auto store = ViewStore::Open(path, {});
    ASSERT_TRUE(store.has_value()) << store.error().message;
    IngestRows(**store, "second", 10, "second table's row");
  }
  auto store = ViewStore::Open(path, {});
  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto first = (*store)->OpenTable("first");
  ASSERT_TRUE(first.has_value());
  for (int i = 0; i < 1000; ++i) {
    auto row = (*first)->Get(Key(i));
    ASSERT_TRUE(row.has_value()) << row.error().message;
    ASSERT_TRUE(row->has_value()) << Key(i) << " is gone from the first table";
    ASSERT_EQ(**row, "first table's row");
  }
  EXPECT_FALSE(std::filesystem::exists(path / "bulk-0.sst"));
}

}  // namespace
}  // namespace roster::projections
