#include "eventstore/rocks_event_store.h"

#include "eventstore/internal/append_writer.h"
#include "eventstore/internal/chain_verify.h"
#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/rocks_status.h"
#include "eventstore/internal/store_core.h"
#include "eventstore/internal/store_reads.h"
#include "eventstore/internal/store_subscription.h"

namespace roster::eventstore {
namespace {

std::unexpected<Error> Closed() { return Fail(ErrorCode::kClosed, "the store is closed"); }

}  // namespace

RocksEventStore::RocksEventStore(std::unique_ptr<internal::StoreCore> core,
                                 std::unique_ptr<internal::AppendWriter> writer)
    : core_(std::move(core)), writer_(std::move(writer)) {}

RocksEventStore::~RocksEventStore() { Close(); }

void RocksEventStore::Close() {
  if (writer_) writer_->Stop();
  core_->board.Close();
}

const LogTimings* RocksEventStore::timings() const {
  return writer_ ? &writer_->timings() : nullptr;
}

RocksEventStore::Stats RocksEventStore::stats() const {
  return writer_ ? writer_->stats() : Stats{};
}

StorageMemory RocksEventStore::memory() const {
  StorageMemory out;
  rocksdb::DB& db = *core_->db;
  // The aggregated properties sum every column family; the cache is one object they share, so
  // it is read once.
  (void)db.GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables,
                                    &out.memtable_bytes);
  (void)db.GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem,
                                    &out.table_reader_bytes);
  (void)db.GetIntProperty(core_->log, rocksdb::DB::Properties::kBlockCacheUsage,
                          &out.block_cache_bytes);
  return out;
}

const std::filesystem::path& RocksEventStore::dir() const { return core_->dir; }

Result<AppendResult> RocksEventStore::Append(AppendRequest request) {
  if (!writer_) {
    return Fail(ErrorCode::kInvalidArgument,
                "the store in " + core_->dir.string() + " was opened read-only");
  }
  return writer_->Append(std::move(request));
}

std::vector<Result<AppendResult>> RocksEventStore::AppendMany(std::vector<AppendRequest> requests) {
  if (!writer_) return EventLog::AppendMany(std::move(requests));  // each refused as above
  return writer_->AppendMany(std::move(requests));
}

Result<std::vector<Record>> RocksEventStore::ReadStream(std::string_view stream,
                                                        StreamVersion from_version,
                                                        size_t max_count) {
  if (core_->board.closed()) return Closed();
  return internal::ReadStreamRecords(*core_, stream, from_version, max_count);
}

Result<std::vector<Record>> RocksEventStore::ReadAll(Position from_position, size_t max_count) {
  if (core_->board.closed()) return Closed();
  return internal::ReadAllRecords(*core_, from_position, max_count);
}

Result<size_t> RocksEventStore::VisitAll(Position from_position, size_t max_count,
                                         const RecordVisitor& visit) {
  if (core_->board.closed()) return Closed();
  return internal::VisitAllRecords(*core_, from_position, max_count, visit);
}

Result<StreamVersion> RocksEventStore::StreamHead(std::string_view stream) {
  if (core_->board.closed()) return Closed();
  return internal::ReadStreamHead(*core_, stream, core_->board.last());
}

Result<std::optional<CommandOutcomeRecord>> RocksEventStore::FindCommand(
    std::string_view command_id) {
  if (core_->board.closed()) return Closed();
  rocksdb::PinnableSlice value;
  const rocksdb::Status status =
      core_->db->Get(rocksdb::ReadOptions(), core_->commands, rocksdb::Slice(command_id), &value);
  if (status.IsNotFound()) return std::optional<CommandOutcomeRecord>();
  if (!status.ok())
    return internal::FailFromStatus(status, "looking up command id " + std::string(command_id));
  const auto entry = internal::ParseCommandEntry(value.ToStringView());
  if (!entry) {
    return Fail(ErrorCode::kCorruption,
                "the stored outcome of command id " + std::string(command_id) + " is malformed");
  }
  return std::optional<CommandOutcomeRecord>(
      CommandOutcomeRecord{entry->result, std::string(entry->stream)});
}

Position RocksEventStore::LastPosition() const { return core_->board.last(); }

Result<std::unique_ptr<Subscription>> RocksEventStore::Subscribe(Position after_position) {
  if (core_->board.closed()) return Closed();
  return std::make_unique<internal::StoreSubscription>(*core_, after_position);
}

Result<Position> RocksEventStore::WaitForPosition(Position position,
                                                  std::chrono::milliseconds timeout) {
  if (core_->board.closed()) return Closed();
  if (core_->board.last() >= position) return core_->board.last();
  const Position last = core_->board.WaitBeyond(
      position - 1, internal::CommitBoard::DeadlineAfter(timeout), [] { return false; });
  if (last < position && core_->board.closed()) return Closed();
  return last;
}

uint64_t RocksEventStore::AddCommitListener(std::function<void(Position)> listener) {
  return core_->listeners.Add(std::move(listener));
}

void RocksEventStore::RemoveCommitListener(uint64_t id) { core_->listeners.Remove(id); }

Result<VerifyReport> RocksEventStore::Verify(Position from, Position to,
                                             std::function<void(Position)> progress) {
  if (core_->board.closed()) return Closed();
  return internal::VerifyChain(*core_, from, to, progress);
}

Result<void> RocksEventStore::Compact() {
  if (core_->board.closed()) return Closed();
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* handle : core_->handles) {
    const rocksdb::Status s = core_->db->CompactRange(options, handle, nullptr, nullptr);
    if (!s.ok()) return internal::FailFromStatus(s, "compacting the log");
  }
  return {};
}

}  // namespace roster::eventstore
