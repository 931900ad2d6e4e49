#include "eventstore/internal/store_reads.h"

#include <rocksdb/perf_level.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "eventstore/internal/byte_order.h"
#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/record_format.h"
#include "eventstore/internal/rocks_status.h"

namespace roster::eventstore::internal {
namespace {

std::string AtPosition(Position position) {
  return "the record at position " + std::to_string(position);
}

// Parses a stored value; the error names the position.
Result<RecordView> ParseStored(std::string_view value, Position expected_position) {
  auto view = internal::ParseRecord(value);
  if (!view) {
    return Fail(ErrorCode::kCorruption, AtPosition(expected_position) + ": " + view.error());
  }
  if (view->position != expected_position) {
    return Fail(ErrorCode::kCorruption, AtPosition(expected_position) + " says it is at position " +
                                            std::to_string(view->position));
  }
  return *view;
}

}  // namespace

Result<size_t> VisitAllRecords(const StoreCore& core, Position from, size_t max_count,
                               const RecordVisitor& visit) {
  // RocksDB's per-thread perf counters cost time on every step of a scan, and nothing here
  // reads them.
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  const Position last = core.board.last();
  from = std::max<Position>(from, 1);
  if (from > last || max_count == 0) return 0;
  const Position end = from + std::min<uint64_t>(last - from, max_count - 1);  // inclusive
  const size_t count = end - from + 1;

  const std::string lower = internal::PositionKey(from);
  const std::string upper = internal::PositionKey(end + 1);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_slice;
  // Only small reads (a subscriber tailing the log) gain from caching. For batch scans
  // (catch-up, replay) inserting every block into the LRU and evicting another slows the scan,
  // and would push out the recent blocks that live readers keep hitting.
  read.fill_cache = count < 256;
  read.adaptive_readahead = true;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(read, core.log));

  size_t seen = 0;
  Position expected = from;
  for (it->Seek(lower); it->Valid(); it->Next(), ++expected) {
    const rocksdb::Slice key = it->key();
    if (key.size() != internal::kPositionKeySize) {
      return Fail(ErrorCode::kCorruption, "malformed log key near " + AtPosition(expected));
    }
    const Position position = internal::DecodePositionKey(key.ToStringView());
    if (position != expected) {
      return Fail(ErrorCode::kCorruption, AtPosition(expected) + " is missing");
    }
    auto view = ParseStored(it->value().ToStringView(), position);
    if (!view) return std::unexpected(std::move(view.error()));
    ++seen;
    if (!visit(*view)) return seen;
  }
  if (!it->status().ok()) return FailFromStatus(it->status(), "reading the log");
  if (seen != count) return Fail(ErrorCode::kCorruption, AtPosition(expected) + " is missing");
  return seen;
}

Result<std::vector<Record>> ReadAllRecords(const StoreCore& core, Position from, size_t max_count) {
  std::vector<Record> out;
  out.reserve(std::min<size_t>(max_count, 1u << 16));
  auto visited = VisitAllRecords(core, from, max_count, [&](const RecordView& view) {
    internal::CopyToRecord(view, out.emplace_back());
    return true;
  });
  if (!visited) return std::unexpected(std::move(visited.error()));
  return out;
}

Result<std::vector<Record>> ReadStreamRecords(const StoreCore& core, std::string_view stream,
                                              StreamVersion from_version, size_t max_count) {
  const Position last = core.board.last();
  const uint64_t from = static_cast<uint64_t>(std::max<StreamVersion>(from_version, 0));
  if (max_count == 0 || stream.size() > internal::kMaxStreamIdBytes) return std::vector<Record>{};

  const std::string prefix = internal::StreamPrefix(stream);
  std::string lower = prefix;
  internal::AppendBigEndian64(lower, from);
  std::string upper = prefix;
  const uint64_t kMaxVersion = std::numeric_limits<int64_t>::max();
  internal::AppendBigEndian64(upper,
                              max_count > kMaxVersion - from ? kMaxVersion : from + max_count);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(read, core.streams));

  std::vector<std::string> keys;
  std::vector<StreamVersion> versions;
  for (it->Seek(lower); it->Valid() && keys.size() < max_count; it->Next()) {
    const rocksdb::Slice value = it->value();
    if (value.size() != 8 || it->key().size() != prefix.size() + 8) {
      return Fail(ErrorCode::kCorruption, "malformed stream index entry in " + std::string(stream));
    }
    const Position position = internal::LoadLe64(value.data());
    // Positions grow with versions, so the first one beyond the durable end ends the stream.
    if (position > last) break;
    keys.push_back(internal::PositionKey(position));
    versions.push_back(
        static_cast<StreamVersion>(internal::LoadBe64(it->key().data() + prefix.size())));
  }
  if (!it->status().ok()) return FailFromStatus(it->status(), "reading the stream index");

  std::vector<rocksdb::Slice> key_slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  core.db->MultiGet(rocksdb::ReadOptions(), core.log, keys.size(), key_slices.data(), values.data(),
                    statuses.data(), /*sorted_input=*/true);

  std::vector<Record> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const Position position = internal::DecodePositionKey(keys[i]);
    if (statuses[i].IsNotFound()) {
      return Fail(ErrorCode::kCorruption, AtPosition(position) + " (indexed for stream " +
                                              std::string(stream) + ") is missing");
    }
    if (!statuses[i].ok()) return FailFromStatus(statuses[i], "reading " + AtPosition(position));
    auto view = ParseStored(values[i].ToStringView(), position);
    if (!view) return std::unexpected(std::move(view.error()));
    Record& record = out.emplace_back();
    internal::CopyToRecord(*view, record);
    if (record.stream != stream || record.stream_version != versions[i]) {
      return Fail(ErrorCode::kCorruption,
                  AtPosition(position) + " does not match its stream index entry");
    }
  }
  return out;
}

Result<StreamVersion> ReadStreamHead(const StoreCore& core, std::string_view stream,
                                     Position last_visible) {
  if (stream.size() > internal::kMaxStreamIdBytes) return kNoStreamVersion;
  const std::string prefix = internal::StreamPrefix(stream);
  std::string upper = prefix;
  internal::AppendBigEndian64(upper, std::numeric_limits<uint64_t>::max());
  const rocksdb::Slice lower_slice(prefix);
  rocksdb::ReadOptions read;
  read.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(read, core.streams));
  // Walking back skips index entries the writer committed but has not published yet; there is
  // at most one group of them.
  for (it->SeekForPrev(upper); it->Valid(); it->Prev()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    if (key.size() != prefix.size() + 8 || value.size() != 8) {
      return Fail(ErrorCode::kCorruption, "malformed stream index entry in " + std::string(stream));
    }
    if (internal::LoadLe64(value.data()) <= last_visible) {
      return static_cast<StreamVersion>(internal::LoadBe64(key.data() + prefix.size()));
    }
  }
  if (!it->status().ok()) return FailFromStatus(it->status(), "reading the stream index");
  return kNoStreamVersion;
}

}  // namespace roster::eventstore::internal
