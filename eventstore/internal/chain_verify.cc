#include "eventstore/internal/chain_verify.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/record_format.h"
#include "eventstore/internal/rocks_status.h"
#include "eventstore/internal/sha256.h"

namespace roster::eventstore::internal {
namespace {

constexpr uint64_t kProgressEvery = 1 << 16;
constexpr uint64_t kMinSegment = 1 << 16;  // smaller ranges are not worth a thread
constexpr uint64_t kMaxSegments = 4;

VerifyReport Bad(VerifyReport report, Position position, std::string problem) {
  report.ok = false;
  report.first_bad = position;
  report.problem = "position " + std::to_string(position) + ": " + std::move(problem);
  return report;
}

// Verifies [from, to] in one pass; the range is anchored on the stored hash of from - 1.
// `progress` receives how many records this segment has checked since its last call.
Result<VerifyReport> VerifySegment(const StoreCore& core, Position from, Position to,
                                   const std::function<void(uint64_t)>& progress) {
  VerifyReport report;
  report.from = from;
  report.to = to;
  Hash prev{};
  if (report.from > 1) {
    // Anchor on the predecessor's stored hash; it is not itself checked here.
    const Position anchor = report.from - 1;
    std::string value;
    rocksdb::Status s =
        core.db->Get(rocksdb::ReadOptions(), core.log, internal::PositionKey(anchor), &value);
    if (s.IsNotFound()) return Bad(report, anchor, "missing (needed to anchor the chain)");
    if (!s.ok())
      return FailFromStatus(s, "reading the record at position " + std::to_string(anchor));
    auto view = internal::ParseRecord(value);
    if (!view) return Bad(report, anchor, "cannot be decoded: " + view.error());
    prev = internal::ToHash(view->hash);
  }
  report.last_hash = prev;

  const std::string lower = internal::PositionKey(report.from);
  const std::string upper =
      report.to == UINT64_MAX ? std::string() : internal::PositionKey(report.to + 1);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  if (!upper.empty()) read.iterate_upper_bound = &upper_slice;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(read, core.log));

  auto sha = Sha256::Create();
  if (!sha) return std::unexpected(std::move(sha.error()));
  Position expected = report.from;
  uint64_t unreported = 0;
  for (it->Seek(lower); it->Valid(); it->Next(), ++expected) {
    const rocksdb::Slice key = it->key();
    if (key.size() != internal::kPositionKeySize) {
      return Bad(report, expected, "a malformed log key is stored in its place");
    }
    const Position position = internal::DecodePositionKey(key.ToStringView());
    if (position != expected) {
      return Bad(
          report, expected,
          "missing (the next stored record is at position " + std::to_string(position) + ")");
    }
    auto view = internal::ParseRecord(it->value().ToStringView());
    if (!view) return Bad(report, position, "cannot be decoded: " + view.error());
    if (view->position != position) {
      return Bad(report, position, "its body says position " + std::to_string(view->position));
    }
    if (view->prev_hash != AsBytes(prev)) {
      return Bad(
          report, position,
          "broken link: its prev_hash is not the hash of record " + std::to_string(position - 1));
    }
    const Result<Hash> hashed = sha->Of(view->prev_hash, view->body);
    if (!hashed) return std::unexpected(hashed.error());
    const Hash& computed = *hashed;
    if (view->hash != AsBytes(computed)) {
      return Bad(report, position,
                 "hash mismatch: its bytes were altered (stored " +
                     HashHex(internal::ToHash(view->hash)) + ", computed " + HashHex(computed) +
                     ")");
    }
    prev = computed;
    report.last_hash = computed;
    ++report.checked;
    if (progress && ++unreported == kProgressEvery) {
      progress(unreported);
      unreported = 0;
    }
  }
  if (!it->status().ok()) return FailFromStatus(it->status(), "reading the log");
  if (expected <= report.to) {
    return Bad(report, expected,
               "missing (the log ends at position " + std::to_string(expected - 1) + ")");
  }
  if (progress && unreported) progress(unreported);
  return report;
}

}  // namespace

Result<VerifyReport> VerifyChain(const StoreCore& core, Position from, Position to,
                                 const std::function<void(Position)>& progress) {
  VerifyReport whole;
  whole.from = from == 0 ? 1 : from;
  whole.to = to == 0 ? core.board.last() : to;
  if (whole.from > whole.to) return whole;

  // Every record's hash depends only on its own bytes and its stored prev_hash, so the range
  // splits into segments verified at once, each anchored on the stored hash of the record
  // before it. That record is the previous segment's last, whose stored hash that segment
  // checks against its bytes: the segments together check every link of the chain.
  // Only the stored part of the range is split (a `to` past the end, even UINT64_MAX, stays
  // with the last segment, which then reports the first missing position).
  const Position stored_to = std::min(whole.to, core.board.last());
  const uint64_t count = stored_to >= whole.from ? stored_to - whole.from + 1 : 0;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const uint64_t segments =
      count < kMinSegment ? 1 : std::min<uint64_t>({cores, kMaxSegments, count / kMinSegment});
  std::vector<std::pair<Position, Position>> ranges;
  for (uint64_t i = 0; i < segments; ++i) {
    const Position begin = whole.from + count * i / segments;
    const Position end = whole.from + count * (i + 1) / segments - 1;
    ranges.emplace_back(begin, end);
  }
  ranges.back().second = whole.to;

  std::mutex progress_mu;
  uint64_t reached = 0;
  auto report_progress = [&](uint64_t n) {
    std::lock_guard lock(progress_mu);
    reached += n;
    progress(whole.from + reached - 1);
  };
  std::function<void(uint64_t)> segment_progress;
  if (progress) segment_progress = report_progress;

  std::vector<std::optional<Result<VerifyReport>>> results(ranges.size());
  {
    std::vector<std::jthread> threads;
    for (size_t i = 1; i < ranges.size(); ++i) {
      threads.emplace_back([&, i] {
        results[i] = VerifySegment(core, ranges[i].first, ranges[i].second, segment_progress);
      });
    }
    results[0] = VerifySegment(core, ranges[0].first, ranges[0].second, segment_progress);
  }

  // The first segment that failed names the first bad record: segments are in log order and a
  // segment stops at its own first failure.
  for (auto& result : results) {
    if (!*result) return std::unexpected((*result).error());
    const VerifyReport& part = **result;
    whole.checked += part.checked;
    whole.last_hash = part.last_hash;
    if (!part.ok) {
      whole.ok = false;
      whole.first_bad = part.first_bad;
      whole.problem = part.problem;
      return whole;
    }
  }
  return whole;
}

}  // namespace roster::eventstore::internal
