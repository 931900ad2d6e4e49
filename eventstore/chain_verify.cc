#include "eventstore/chain_verify.h"

#include <memory>
#include <string>

#include "eventstore/record_codec.h"
#include "eventstore/record_format.h"
#include "eventstore/rocks_status.h"
#include "eventstore/sha256.h"

namespace roster::eventstore::internal {
namespace {

constexpr uint64_t kProgressEvery = 1 << 16;

VerifyReport Bad(VerifyReport report, Position position, std::string problem) {
  report.ok = false;
  report.first_bad = position;
  report.problem = "position " + std::to_string(position) + ": " + std::move(problem);
  return report;
}

}  // namespace

Result<VerifyReport> VerifyChain(const StoreCore& core, Position from, Position to,
                                 const std::function<void(Position)>& progress) {
  VerifyReport report;
  report.from = from == 0 ? 1 : from;
  report.to = to == 0 ? core.board.last() : to;
  if (report.from > report.to) return report;

  Hash prev{};
  if (report.from > 1) {
    // Anchor on the predecessor's stored hash; it is not itself checked here.
    const Position anchor = report.from - 1;
    std::string value;
    rocksdb::Status s =
        core.db->Get(rocksdb::ReadOptions(), core.log, codec::PositionKey(anchor), &value);
    if (s.IsNotFound()) return Bad(report, anchor, "missing (needed to anchor the chain)");
    if (!s.ok())
      return FailFromStatus(s, "reading the record at position " + std::to_string(anchor));
    auto view = codec::ParseRecord(value);
    if (!view) return Bad(report, anchor, "cannot be decoded: " + view.error());
    prev = codec::ToHash(view->hash);
  }
  report.last_hash = prev;

  const std::string lower = codec::PositionKey(report.from);
  const std::string upper =
      report.to == UINT64_MAX ? std::string() : codec::PositionKey(report.to + 1);
  const rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  if (!upper.empty()) read.iterate_upper_bound = &upper_slice;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(read, core.log));

  Sha256 sha;
  Position expected = report.from;
  for (it->Seek(lower); it->Valid(); it->Next(), ++expected) {
    const rocksdb::Slice key = it->key();
    if (key.size() != format::kPositionKeySize) {
      return Bad(report, expected, "a malformed log key is stored in its place");
    }
    const Position position = codec::DecodePositionKey(key.ToStringView());
    if (position != expected) {
      return Bad(
          report, expected,
          "missing (the next stored record is at position " + std::to_string(position) + ")");
    }
    auto view = codec::ParseRecord(it->value().ToStringView());
    if (!view) return Bad(report, position, "cannot be decoded: " + view.error());
    if (view->position != position) {
      return Bad(report, position, "its body says position " + std::to_string(view->position));
    }
    if (view->prev_hash != codec::AsBytes(prev)) {
      return Bad(
          report, position,
          "broken link: its prev_hash is not the hash of record " + std::to_string(position - 1));
    }
    const Hash computed = sha.Of(view->prev_hash, view->body);
    if (view->hash != codec::AsBytes(computed)) {
      return Bad(report, position,
                 "hash mismatch: its bytes were altered (stored " + codec::Hex(view->hash) +
                     ", computed " + codec::Hex(codec::AsBytes(computed)) + ")");
    }
    prev = computed;
    report.last_hash = computed;
    ++report.checked;
    if (progress && report.checked % kProgressEvery == 0) progress(position);
  }
  if (!it->status().ok()) return FailFromStatus(it->status(), "reading the log");
  if (expected <= report.to) {
    return Bad(report, expected,
               "missing (the log ends at position " + std::to_string(expected - 1) + ")");
  }
  if (progress) progress(report.to);
  return report;
}

}  // namespace roster::eventstore::internal
