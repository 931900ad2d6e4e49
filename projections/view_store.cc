#include "projections/view_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <unordered_map>

#include "projections/internal/parallel_for.h"

namespace roster::projections {
namespace {

constexpr char kMagicKey[] = "roster.views.format";
constexpr char kMagicValue[] = "roster-views-1";

Error IoError(const rocksdb::Status& s, std::string_view what) {
  ErrorCode code = s.IsCorruption() ? ErrorCode::kCorruption : ErrorCode::kIoError;
  return Error{code, std::string(what) + ": " + s.ToString(), std::nullopt};
}

rocksdb::Slice S(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

// Ingest's files of a process killed before it removed them. Ingested ones are still a second
// name of a live table file (ingestion links rather than copies), and a later process numbers
// its files from 0 again: writing through such a name would overwrite that table file. Either
// way nothing reads them; with the store's lock held, nobody else writes them.
Result<void> RemoveBulkFiles(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("bulk-", 0) == 0 && entry.path().extension() == ".sst") {
      left.push_back(entry.path());
    }
  }
  for (const auto& path : left) {
    if (!ec) std::filesystem::remove(path, ec);
  }
  if (ec) {
    return std::unexpected(
        Error{ErrorCode::kIoError,
              "removing bulk files left in " + dir.string() + ": " + ec.message(), std::nullopt});
  }
  return {};
}

}  // namespace

struct ViewStore::Impl {
  ViewStoreOptions options;
  rocksdb::Options db_options;
  rocksdb::ColumnFamilyOptions cf_options;
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::ColumnFamilyHandle* meta = nullptr;               // the default column family
  mutable std::mutex mu;                                     // guards the two below
  std::map<std::string, rocksdb::ColumnFamilyHandle*> open;  // live tables by name
  std::vector<rocksdb::ColumnFamilyHandle*> dropped;         // kept readable until the store closes
  std::atomic<uint64_t> ingest_files{0};
};

Result<std::optional<std::string>> Table::Get(std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle_, S(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return std::unexpected(IoError(s, "reading view table " + name_));
  return std::optional<std::string>(std::move(value));
}

Result<void> Table::Scan(std::string_view begin, std::string_view end, const RowVisitor& visit,
                         bool reverse) const {
  rocksdb::ReadOptions ro;
  rocksdb::Slice lower = S(begin);
  rocksdb::Slice upper = S(end);
  ro.iterate_lower_bound = &lower;
  if (!end.empty()) ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle_));
  if (reverse) {
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      if (!visit(std::string_view(it->key().data(), it->key().size()),
                 std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
  } else {
    for (it->Seek(lower); it->Valid(); it->Next()) {
      if (!visit(std::string_view(it->key().data(), it->key().size()),
                 std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "scanning " + name_));
  return {};
}

Result<void> Table::ScanPrefix(std::string_view prefix, const RowVisitor& visit) const {
  // The first key past every key with the prefix: the prefix with its last byte below 0xff
  // incremented, and what follows it dropped.
  std::string end(prefix);
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return Scan(prefix, end, visit);
}

ViewBatch::ViewBatch() : batch_(std::make_unique<rocksdb::WriteBatch>()) {}
ViewBatch::~ViewBatch() = default;

void ViewBatch::Put(const Table& table, std::string_view key, std::string_view value) {
  batch_->Put(table.handle_, S(key), S(value));
}
void ViewBatch::Delete(const Table& table, std::string_view key) {
  batch_->Delete(table.handle_, S(key));
}
void ViewBatch::PutMeta(std::string_view key, std::string_view value) {
  batch_->Put(S(key), S(value));
}
void ViewBatch::DeleteMeta(std::string_view key) { batch_->Delete(S(key)); }
size_t ViewBatch::count() const { return static_cast<size_t>(batch_->Count()); }
void ViewBatch::Clear() { batch_->Clear(); }

ViewStore::ViewStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ViewStore::~ViewStore() {
  for (auto& [name, handle] : impl_->open) impl_->db->DestroyColumnFamilyHandle(handle);
  for (auto* handle : impl_->dropped) impl_->db->DestroyColumnFamilyHandle(handle);
  impl_->open.clear();
  if (impl_->meta != nullptr) impl_->db->DestroyColumnFamilyHandle(impl_->meta);
  if (impl_->db) (void)impl_->db->Close();  // best effort: nothing here is the source of truth
}

Result<std::unique_ptr<ViewStore>> ViewStore::Open(const std::filesystem::path& dir,
                                                   const ViewStoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Indexes and filters grow with every row ever written; charged to the cache they are bounded
  // by it instead of by history. Partitioned, because a whole file's filter is one block which,
  // past a cache shard's size, cannot stay cached and is read again, checksum and all, on every
  // lookup (as in the log's options, eventstore/internal/rocks_options.h). Level 0's and the top
  // level stay pinned: the newest rows are the ones read most.
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  impl->cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  impl->cf_options.compression = rocksdb::kLZ4Compression;
  // Read-model rows arrive in random key order: in RocksDB's default 64 MiB memtable each
  // insert walks a skip list far larger than the CPU cache; a smaller one trades that search
  // for more frequent flushes. Every table is a column family with a memtable of its own, so
  // this also bounds their memory.
  impl->cf_options.write_buffer_size = 8 << 20;
  // Every command first looks its id up among the stored outcomes, and almost never finds
  // it: a whole-key bloom filter in the memtable answers that miss without searching the
  // skip list (the SST files have their own filter above).
  impl->cf_options.memtable_whole_key_filtering = true;
  impl->cf_options.memtable_prefix_bloom_size_ratio = 0.02;
  impl->db_options = rocksdb::Options(rocksdb::DBOptions(), impl->cf_options);
  impl->db_options.create_if_missing = !options.read_only;
  impl->db_options.create_missing_column_families = true;
  impl->db_options.max_background_jobs = 2;
  impl->db_options.IncreaseParallelism(2);
  // The live loop, snapshots and command outcomes write here at once; RocksDB's default makes
  // a writer waiting behind another spin on sched_yield, taking CPU from the other writers.
  impl->db_options.enable_write_thread_adaptive_yield = false;
  impl->db_options.max_total_wal_size = options.max_wal_bytes;
  if (options.env != nullptr) impl->db_options.env = options.env;

  std::vector<std::string> names;
  rocksdb::Status s =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(impl->db_options), dir.string(), &names);
  if (!s.ok()) names = {rocksdb::kDefaultColumnFamilyName};
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& n : names) descriptors.emplace_back(n, impl->cf_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (options.read_only) {
    s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(impl->db_options), dir.string(),
                                     descriptors, &handles, &raw);
  } else {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    s = rocksdb::DB::Open(rocksdb::DBOptions(impl->db_options), dir.string(), descriptors, &handles,
                          &raw);
  }
  if (!s.ok()) return std::unexpected(IoError(s, "opening view store " + dir.string()));
  impl->db.reset(raw);
  if (!options.read_only) {
    if (auto removed = RemoveBulkFiles(dir); !removed) return std::unexpected(removed.error());
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == rocksdb::kDefaultColumnFamilyName) {
      impl->meta = handles[i];
    } else {
      impl->open[names[i]] = handles[i];
    }
  }
  std::string magic;
  s = impl->db->Get(rocksdb::ReadOptions(), impl->meta, kMagicKey, &magic);
  if (s.IsNotFound() && !options.read_only) {
    s = impl->db->Put(rocksdb::WriteOptions(), impl->meta, kMagicKey, kMagicValue);
    magic = kMagicValue;
  }
  if (!s.ok() && !s.IsNotFound()) return std::unexpected(IoError(s, "reading view store format"));
  if (magic != kMagicValue) {
    return std::unexpected(Error{ErrorCode::kNotARosterStore,
                                 dir.string() + " is not a Roster view store (format '" + magic +
                                     "', expected '" + kMagicValue + "')",
                                 std::nullopt});
  }
  return std::unique_ptr<ViewStore>(new ViewStore(std::move(impl)));
}

Result<std::shared_ptr<Table>> ViewStore::OpenTable(const std::string& name) {
  std::lock_guard lock(impl_->mu);
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  if (auto it = impl_->open.find(name); it != impl_->open.end()) {
    handle = it->second;
  } else {
    if (impl_->options.read_only) {
      return std::unexpected(Error{ErrorCode::kInvalidArgument,
                                   "view table " + name + " does not exist", std::nullopt});
    }
    rocksdb::Status s = impl_->db->CreateColumnFamily(impl_->cf_options, name, &handle);
    if (!s.ok()) return std::unexpected(IoError(s, "creating view table " + name));
    impl_->open[name] = handle;
  }
  return std::shared_ptr<Table>(new Table(impl_->db.get(), handle, name));
}

std::vector<std::string> ViewStore::TableNames() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> names;
  for (const auto& [name, handle] : impl_->open) names.push_back(name);
  return names;
}

Result<void> ViewStore::DropTable(const std::shared_ptr<Table>& table) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->open.find(table->name());
  if (it == impl_->open.end() || it->second != table->handle_) return {};  // already dropped
  rocksdb::Status s = impl_->db->DropColumnFamily(table->handle_);
  if (!s.ok()) return std::unexpected(IoError(s, "dropping view table " + table->name()));
  impl_->dropped.push_back(it->second);
  impl_->open.erase(it);
  return {};
}

Result<std::optional<std::string>> ViewStore::GetMeta(std::string_view key) const {
  std::string value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->meta, S(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return std::unexpected(IoError(s, "reading view meta"));
  return std::optional<std::string>(std::move(value));
}

Result<void> ViewStore::Write(ViewBatch& batch) {
  rocksdb::Status s = impl_->db->Write(rocksdb::WriteOptions(), batch.batch_.get());
  if (!s.ok()) return std::unexpected(IoError(s, "writing views"));
  return {};
}

Result<void> ViewStore::Ingest(std::vector<std::pair<const Table*, RowBuffer>>& tables) {
  // One file per table, sorted and written independently: two threads take the tables,
  // largest first, then one IngestExternalFiles makes them all visible atomically.
  struct File {
    const Table* table;
    RowBuffer* rows;
    std::string path;
    rocksdb::Status status;
  };
  std::vector<File> files;
  for (auto& [table, rows] : tables) {
    if (rows.empty()) continue;
    files.push_back(File{
        table, &rows,
        impl_->db->GetName() + "/bulk-" + std::to_string(impl_->ingest_files.fetch_add(1)) + ".sst",
        rocksdb::Status::OK()});
  }
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return a.rows->size() > b.rows->size(); });
  auto write = [&](File& f) {
    RowBuffer& rows = *f.rows;
    rows.Sort();
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(),
                                  rocksdb::Options(impl_->db_options, impl_->cf_options),
                                  f.table->handle_);
    rocksdb::Status s = writer.Open(f.path);
    for (size_t i = 0; s.ok() && i < rows.size(); ++i) {
      if (i + 1 < rows.size() && rows.key(i + 1) == rows.key(i)) continue;  // last wins
      s = rows.put(i) ? writer.Put(S(rows.key(i)), S(rows.value(i)))
                      : writer.Delete(S(rows.key(i)));
    }
    if (s.ok()) s = writer.Finish();
    f.status = s;
  };
  internal::ParallelFor(files.size(), [&](size_t i) { write(files[i]); });
  rocksdb::Status s;
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const File& f : files) {
    if (!f.status.ok()) {
      s = f.status;
      break;
    }
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = f.table->handle_;
    arg.external_files = {f.path};
    arg.options.move_files = true;
    args.push_back(std::move(arg));
  }
  if (s.ok() && !args.empty()) s = impl_->db->IngestExternalFiles(args);
  std::error_code ec;
  for (const File& f : files) std::filesystem::remove(f.path, ec);  // moved, or abandoned
  if (!s.ok()) return std::unexpected(IoError(s, "ingesting rows"));
  return {};
}

Result<void> ViewStore::Flush(const std::vector<const Table*>& tables) {
  std::vector<rocksdb::ColumnFamilyHandle*> handles{impl_->meta};
  for (const Table* t : tables) handles.push_back(t->handle_);
  rocksdb::FlushOptions fo;
  fo.wait = true;
  rocksdb::Status s = impl_->db->Flush(fo, handles);
  if (!s.ok()) return std::unexpected(IoError(s, "flushing views"));
  return {};
}

uint64_t ViewStore::SizeOnDisk() const {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(impl_->db->GetName(), ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

eventstore::StorageMemory ViewStore::Memory() const {
  eventstore::StorageMemory out;
  rocksdb::DB& db = *impl_->db;
  // Every table is a column family with its own write buffer, so the sums matter; the block
  // cache is one object they share.
  (void)db.GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables,
                                    &out.memtable_bytes);
  (void)db.GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem,
                                    &out.table_reader_bytes);
  (void)db.GetIntProperty(impl_->meta, rocksdb::DB::Properties::kBlockCacheUsage,
                          &out.block_cache_bytes);
  return out;
}

}  // namespace roster::projections
