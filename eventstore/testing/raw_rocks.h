// RawRocks: a store directory opened with the plain RocksDB API and every column family, for
// tests that tamper with stored bytes or forge foreign/newer directories, and for benchmarks
// that compare against a plain RocksDB scan. Aborts with a message on any RocksDB error: it is
// test scaffolding, not product code. Not thread-safe; the store must be closed meanwhile.
#pragma once

#include <rocksdb/db.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eventstore/record.h"

namespace roster::eventstore::testing {

class RawRocks {
 public:
  explicit RawRocks(const std::filesystem::path& dir);
  ~RawRocks();
  RawRocks(const RawRocks&) = delete;
  RawRocks& operator=(const RawRocks&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  // Precondition: the family exists ("default", "log", "streams", "commands").
  rocksdb::ColumnFamilyHandle* family(std::string_view name) const;

  // The key of the record at `position` in the "log" family.
  static std::string LogKey(Position position);

  std::optional<std::string> Get(std::string_view family, std::string_view key);
  void Put(std::string_view family, std::string_view key, std::string_view value);
  void Delete(std::string_view family, std::string_view key);

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace roster::eventstore::testing
