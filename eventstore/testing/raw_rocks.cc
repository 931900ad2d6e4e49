#include "eventstore/testing/raw_rocks.h"

#include <cstdio>
#include <cstdlib>

#include "eventstore/internal/record_codec.h"

namespace roster::eventstore::testing {
namespace {

void Check(const rocksdb::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "RawRocks: %s: %s\n", what, status.ToString().c_str());
  std::abort();
}

}  // namespace

std::string RawRocks::LogKey(Position position) { return internal::PositionKey(position); }

RawRocks::RawRocks(const std::filesystem::path& dir) {
  rocksdb::DBOptions options;
  Check(rocksdb::DB::ListColumnFamilies(options, dir.string(), &names_), "listing families");
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& name : names_) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::Open(options, dir.string(), families, &handles_, &raw), "opening");
  db_.reset(raw);
}

RawRocks::~RawRocks() {
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  Check(db_->Close(), "closing");
}

rocksdb::ColumnFamilyHandle* RawRocks::family(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return handles_[i];
  }
  std::fprintf(stderr, "RawRocks: no column family %.*s\n", static_cast<int>(name.size()),
               name.data());
  std::abort();
}

std::optional<std::string> RawRocks::Get(std::string_view family_name, std::string_view key) {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family(family_name), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  Check(s, "get");
  return value;
}

void RawRocks::Put(std::string_view family_name, std::string_view key, std::string_view value) {
  rocksdb::WriteOptions write;
  write.sync = true;
  Check(db_->Put(write, family(family_name), key, value), "put");
}

void RawRocks::Delete(std::string_view family_name, std::string_view key) {
  rocksdb::WriteOptions write;
  write.sync = true;
  Check(db_->Delete(write, family(family_name), key), "delete");
}

}  // namespace roster::eventstore::testing
