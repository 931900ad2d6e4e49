// Opening, creating, reopening and refusing directories.
#include <gtest/gtest.h>

#include <fstream>

#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/record_format.h"
#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/raw_rocks.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"

namespace roster::eventstore {
namespace {

namespace fs = std::filesystem;
using testing::Event;
using testing::FastOptions;
using testing::OpenOrDie;
using testing::Request;
using testing::TempDir;

TEST(OpenTest, CreatesAMissingDirectoryAtomically) {
  TempDir tmp;
  const fs::path dir = tmp.Sub("a/b/store");
  auto store = OpenOrDie(dir);
  EXPECT_EQ(store->LastPosition(), 0u);
  EXPECT_TRUE(fs::exists(dir / "CURRENT"));
  EXPECT_FALSE(fs::exists(tmp.Sub("a/b/store.roster-creating")));
}

TEST(OpenTest, CreatesInAnEmptyDirectoryAndAcceptsATrailingSlash) {
  TempDir tmp;
  fs::create_directory(tmp.Sub("store"));
  auto store = OpenRocksEventStore(tmp.path() / "store/", FastOptions());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->dir(), tmp.Sub("store"));
}

TEST(OpenTest, RefusesADirectoryWithOtherFiles) {
  TempDir tmp;
  std::ofstream(tmp.Sub("notes.txt")) << "not a store";
  auto store = OpenRocksEventStore(tmp.path(), FastOptions());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kNotARosterStore);
  EXPECT_NE(store.error().message.find(tmp.path().string()), std::string::npos);
  EXPECT_TRUE(fs::exists(tmp.Sub("notes.txt")));
  EXPECT_FALSE(fs::exists(tmp.Sub("CURRENT")));
}

TEST(OpenTest, RefusesAPlainRocksDb) {
  TempDir tmp;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, tmp.path().string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "v").ok());
  }
  auto store = OpenRocksEventStore(tmp.path(), FastOptions());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kNotARosterStore);
  EXPECT_NE(store.error().message.find("column family"), std::string::npos)
      << store.error().message;
}

TEST(OpenTest, RefusesARocksDbWithOurFamiliesButNoMetaKey) {
  TempDir tmp;
  { auto store = OpenOrDie(tmp.path()); }
  {
    testing::RawRocks raw(tmp.path());
    raw.Delete("default", internal::kMetaKey);
  }
  auto store = OpenRocksEventStore(tmp.path(), FastOptions());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kNotARosterStore);
  EXPECT_NE(store.error().message.find("meta key"), std::string::npos) << store.error().message;
}

TEST(OpenTest, RefusesANewerFormatNamingTheVersions) {
  TempDir tmp;
  { auto store = OpenOrDie(tmp.path()); }
  {
    testing::RawRocks raw(tmp.path());
    raw.Put("default", internal::kMetaKey, internal::EncodeMeta(internal::kFormatVersion + 98));
  }
  auto store = OpenRocksEventStore(tmp.path(), FastOptions());
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kNewerFormat);
  const std::string& message = store.error().message;
  EXPECT_NE(message.find(tmp.path().string()), std::string::npos) << message;
  EXPECT_NE(message.find("format version " + std::to_string(internal::kFormatVersion + 98)),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("up to " + std::to_string(internal::kFormatVersion)), std::string::npos)
      << message;
}

TEST(OpenTest, RefusesAFileAndAMissingDirectoryWithoutCreate) {
  TempDir tmp;
  std::ofstream(tmp.Sub("file")) << "x";
  auto file = OpenRocksEventStore(tmp.Sub("file"), FastOptions());
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kNotARosterStore);

  StoreOptions no_create = FastOptions();
  no_create.create_if_missing = false;
  auto missing = OpenRocksEventStore(tmp.Sub("missing"), no_create);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotARosterStore);
  EXPECT_FALSE(fs::exists(tmp.Sub("missing")));
}

TEST(OpenTest, ASecondWriterOnTheSameDirectoryIsRefused) {
  TempDir tmp;
  auto first = OpenOrDie(tmp.path());
  auto second = OpenRocksEventStore(tmp.path(), FastOptions());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kIoError) << second.error().message;
}

TEST(OpenTest, ReadOnlyOpenReadsButDoesNotAppend) {
  TempDir tmp;
  {
    auto store = OpenOrDie(tmp.path());
    ASSERT_TRUE(store->Append(Request("a", ExpectedVersion::Any(), {Event("t")})));
  }
  StoreOptions read_only = FastOptions();
  read_only.read_only = true;
  auto store = OpenOrDie(tmp.path(), read_only);
  EXPECT_EQ(store->LastPosition(), 1u);
  EXPECT_EQ(store->ReadAll(1, 10)->size(), 1u);
  auto append = store->Append(Request("a", ExpectedVersion::Any(), {Event("t")}));
  ASSERT_FALSE(append);
  EXPECT_EQ(append.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(store->Verify(0, 0)->ok);
}

TEST(OpenTest, ErrorCodesHaveNames) {
  EXPECT_STREQ(ErrorCodeName(ErrorCode::kWrongExpectedVersion), "WRONG_EXPECTED_VERSION");
  EXPECT_STREQ(ErrorCodeName(ErrorCode::kNotARosterStore), "NOT_A_ROSTER_STORE");
}

}  // namespace
}  // namespace roster::eventstore
