#include "eventstore/postgres/internal/pg_verify.h"

#include <algorithm>
#include <string>

#include "eventstore/hash_chain.h"

namespace roster::eventstore::postgres::internal {
namespace {

constexpr Position kBatch = 8192;
constexpr uint64_t kProgressEvery = 1 << 16;

VerifyReport Bad(VerifyReport report, Position position, std::string problem) {
  report.ok = false;
  report.first_bad = position;
  report.problem = "position " + std::to_string(position) + ": " + std::move(problem);
  return report;
}

Hash ToHash(std::string_view bytes) {
  Hash hash{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), hash.size()), hash.begin());
  return hash;
}

}  // namespace

Result<VerifyReport> VerifyChain(PGconn* conn, const Statements& sql, Position from, Position to,
                                 const std::function<void(Position)>& progress) {
  VerifyReport report;
  report.from = from == 0 ? 1 : from;
  if (to == 0) {
    Params none;
    auto head = Exec(conn, sql.read_head.c_str(), none, "reading the log's head");
    if (!head) return std::unexpected(std::move(head.error()));
    to = PQntuples(head->get()) == 1 ? static_cast<Position>(Int8(head->get(), 0, 0)) : 0;
  }
  report.to = to;
  if (report.from > report.to) return report;

  Hash prev{};
  bool anchored = report.from == 1;  // the first record links to all zeroes
  Position expected = report.from;
  // Anchor on the predecessor's stored hash; it is not itself checked here.
  Position batch_from = report.from > 1 ? report.from - 1 : report.from;
  uint64_t unreported = 0;
  while (expected <= report.to) {
    const Position batch_to = std::min(report.to, batch_from + kBatch - 1);
    Params params;
    params.Int8(static_cast<int64_t>(batch_from)).Int8(static_cast<int64_t>(batch_to));
    auto rows = Exec(conn, sql.verify_range.c_str(), params, "reading the log");
    if (!rows) return std::unexpected(std::move(rows.error()));
    const PGresult* r = rows->get();
    for (int row = 0; row < PQntuples(r); ++row) {
      const Position position = static_cast<Position>(Int8(r, row, 0));
      const std::string_view value = Bytes(r, row, 3);
      if (position == report.from - 1) {
        auto anchor = ParseStoredRecordView(value);
        if (!anchor) return Bad(report, position, "cannot be decoded: " + anchor.error());
        prev = ToHash(anchor->hash);
        report.last_hash = prev;
        anchored = true;
        continue;
      }
      if (!anchored) return Bad(report, report.from - 1, "missing (needed to anchor the chain)");
      if (position != expected) {
        return Bad(
            report, expected,
            "missing (the next stored record is at position " + std::to_string(position) + ")");
      }
      auto view = ParseStoredRecordView(value);
      if (!view) return Bad(report, position, "cannot be decoded: " + view.error());
      if (view->position != position) {
        return Bad(report, position, "its body says position " + std::to_string(view->position));
      }
      if (view->prev_hash != AsBytes(prev)) {
        return Bad(
            report, position,
            "broken link: its prev_hash is not the hash of record " + std::to_string(position - 1));
      }
      const Result<Hash> computed = ChainHash(view->prev_hash, view->body);
      if (!computed) return std::unexpected(computed.error());
      if (view->hash != AsBytes(*computed)) {
        return Bad(report, position,
                   "hash mismatch: its bytes were altered (stored " + HashHex(ToHash(view->hash)) +
                       ", computed " + HashHex(*computed) + ")");
      }
      if (Bytes(r, row, 1) != view->stream || Int8(r, row, 2) != view->stream_version) {
        return Bad(report, position,
                   "its stream columns disagree with its record (the index would mislead reads)");
      }
      prev = *computed;
      report.last_hash = prev;
      ++report.checked;
      ++expected;
      if (progress && ++unreported == kProgressEvery) {
        progress(expected - 1);
        unreported = 0;
      }
    }
    if (expected <= batch_to) {
      if (!anchored) return Bad(report, report.from - 1, "missing (needed to anchor the chain)");
      return Bad(report, expected,
                 "missing (the log ends at position " + std::to_string(expected - 1) + ")");
    }
    batch_from = batch_to + 1;
  }
  if (progress) progress(expected - 1);
  return report;
}

}  // namespace roster::eventstore::postgres::internal
