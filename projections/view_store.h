// ViewStore: the RocksDB database that holds read models, aggregate snapshots and command
// outcomes, beside (not inside) the event log. Everything here can be rebuilt from the log.
//
// Each projection generation lives in its own Table (a column family), so a rebuild writes a
// new table beside the one being served and the two are swapped by one meta write. Writes go
// through ViewBatch, which is applied atomically: a projection's rows and its checkpoint are
// always written together. RocksDB types stay inside view_store.cc.
//
// Thread-safety: all methods are thread-safe. A Table must not outlive its ViewStore (which
// owns the underlying column family handles); a dropped Table stays readable.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eventstore/error.h"
#include "eventstore/storage_memory.h"
#include "projections/row_buffer.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class WriteBatch;
}  // namespace rocksdb

namespace roster::projections {

using eventstore::Error;
using eventstore::ErrorCode;
using eventstore::Result;

using RowVisitor = std::function<bool(std::string_view key, std::string_view value)>;

class Table {
 public:
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  const std::string& name() const { return name_; }
  Result<std::optional<std::string>> Get(std::string_view key) const;
  // Visits keys in [begin, end) in order (reverse = from the end); an empty `end` means the end
  // of the table. Stops early when `visit` returns false.
  Result<void> Scan(std::string_view begin, std::string_view end, const RowVisitor& visit,
                    bool reverse = false) const;
  // Visits the keys that start with `prefix`, in order; `prefix` must not be empty.
  Result<void> ScanPrefix(std::string_view prefix, const RowVisitor& visit) const;

 private:
  friend class ViewStore;
  friend class ViewBatch;
  Table(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle, std::string name)
      : db_(db), handle_(handle), name_(std::move(name)) {}
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* handle_;
  std::string name_;
};

class ViewBatch {
 public:
  ViewBatch();
  ~ViewBatch();
  ViewBatch(const ViewBatch&) = delete;
  ViewBatch& operator=(const ViewBatch&) = delete;

  void Put(const Table& table, std::string_view key, std::string_view value);
  void Delete(const Table& table, std::string_view key);
  void PutMeta(std::string_view key, std::string_view value);
  void DeleteMeta(std::string_view key);
  size_t count() const;
  void Clear();

 private:
  friend class ViewStore;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

struct ViewStoreOptions {
  bool read_only = false;
  size_t block_cache_bytes = 64u << 20;
  // Each table has a memtable of its own, and a write-ahead log file can only go once every
  // table with rows in it has flushed them: one written rarely (a checkpoint, a deleted
  // organization's marker) would pin every WAL file after it. Past this many bytes of WAL,
  // RocksDB flushes the tables that pin the oldest file (max_total_wal_size). It is also about
  // how much a start replays.
  uint64_t max_wal_bytes = 64u << 20;
  // The RocksDB environment (file system) to use, also for the files a bulk load writes; null
  // means the default one. Tests inject I/O faults through it. Borrowed: must outlive the store.
  rocksdb::Env* env = nullptr;
};

class ViewStore {
 public:
  static Result<std::unique_ptr<ViewStore>> Open(const std::filesystem::path& dir,
                                                 const ViewStoreOptions& options = {});
  ~ViewStore();
  ViewStore(const ViewStore&) = delete;
  ViewStore& operator=(const ViewStore&) = delete;

  // The table named `name`, created when missing.
  Result<std::shared_ptr<Table>> OpenTable(const std::string& name);
  // Names of every table present (for finding leftovers of interrupted rebuilds).
  std::vector<std::string> TableNames() const;
  // Drops the table; readers holding it may finish. The name may be reused afterwards.
  Result<void> DropTable(const std::shared_ptr<Table>& table);

  Result<std::optional<std::string>> GetMeta(std::string_view key) const;
  // Applies the batch atomically.
  Result<void> Write(ViewBatch& batch);
  // Writes rows to tables, atomically across tables, by sorting them into one file per table and
  // ingesting the files: far cheaper than a batch for the hundreds of thousands of rows of a
  // rebuild, and durable on return. Of several rows with one key, the last one wins. The
  // files are sorted and written on two threads.
  Result<void> Ingest(std::vector<std::pair<const Table*, RowBuffer>>& rows);
  // Persists memtables of the given tables and the meta table to disk.
  Result<void> Flush(const std::vector<const Table*>& tables);
  // Bytes on disk of the whole store (SST files and logs).
  uint64_t SizeOnDisk() const;
  // What RocksDB holds in memory for the views.
  eventstore::StorageMemory Memory() const;

 private:
  struct Impl;
  explicit ViewStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace roster::projections
