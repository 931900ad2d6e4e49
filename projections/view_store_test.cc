#include "projections/view_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
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

uint64_t WalBytes(const std::filesystem::path& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") bytes += entry.file_size();
  }
  return bytes;
}

// A table written once and never again must not keep every write-ahead log file after that
// write: the live loop writes the busy tables all the time and a deleted organization's marker
// or a rarely used table now and then, and the WAL would grow with the history, all of it
// replayed at each start.
TEST(ViewStoreTest, ATableWrittenOnceDoesNotPinTheWriteAheadLog) {
  eventstore::testing::TempDir dir("view-store");
  const auto path = dir.path() / "views";
  ViewStoreOptions options;
  options.max_wal_bytes = 16u << 20;
  auto store = ViewStore::Open(path, options);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  auto quiet = (*store)->OpenTable("quiet");
  auto busy = (*store)->OpenTable("busy");
  ASSERT_TRUE(quiet.has_value() && busy.has_value());
  {
    ViewBatch batch;
    batch.Put(**quiet, "only", "row");
    ASSERT_TRUE((*store)->Write(batch).has_value());
  }
  // 96 MiB through the busy table, 64 KiB a batch, as a live loop writes.
  const std::string value(1024, 'v');
  uint64_t largest = 0;
  for (int b = 0; b < 1536; ++b) {
    ViewBatch batch;
    for (int i = 0; i < 64; ++i) batch.Put(**busy, Key(b * 64 + i), value);
    ASSERT_TRUE((*store)->Write(batch).has_value());
    if (b % 64 == 0) largest = std::max(largest, WalBytes(path));
  }
  largest = std::max(largest, WalBytes(path));
  // The bound, plus the file being written and a memtable's worth that a flush is catching up.
  EXPECT_LT(largest, options.max_wal_bytes + (24u << 20)) << "WAL bytes at most";
  auto row = (*quiet)->Get("only");
  ASSERT_TRUE(row.has_value() && row->has_value());
  EXPECT_EQ(**row, "row");
}

}  // namespace
}  // namespace roster::projections
