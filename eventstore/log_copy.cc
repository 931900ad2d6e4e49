#include "eventstore/log_copy.h"

#include <string>
#include <utility>
#include <vector>

namespace roster::eventstore {
namespace {

constexpr Position kReadBatch = 4096;

std::unexpected<Error> Mismatch(Position position, const std::string& what) {
  return Fail(ErrorCode::kCorruption, "the copy disagrees with the source at position " +
                                          std::to_string(position) + ": " + what);
}

// Appends `records` (one source append) to `to` and checks it lands where it stood.
Result<void> AppendOne(EventLog& to, std::vector<Record>& records) {
  const Record& first = records.front();
  AppendRequest request;
  request.stream = first.stream;
  request.expected = ExpectedVersion::Exactly(first.stream_version - 1);
  request.metadata = first.metadata;
  for (Record& r : records) {
    request.events.push_back(NewEvent{std::move(r.type), r.revision, std::move(r.payload)});
  }
  auto appended = to.Append(std::move(request));
  if (!appended) return std::unexpected(std::move(appended.error()));
  if (appended->duplicate || appended->first_position != first.position ||
      appended->last_position != records.back().position) {
    return Mismatch(first.position, "it was appended at positions " +
                                        std::to_string(appended->first_position) + ".." +
                                        std::to_string(appended->last_position));
  }
  return {};
}

// Whether `r` continues the source append whose records so far are `pending`.
bool SameAppend(const std::vector<Record>& pending, const Record& r) {
  const Record& first = pending.front();
  return !first.metadata.command_id.empty() && r.metadata.command_id == first.metadata.command_id &&
         r.stream == first.stream && r.position == pending.back().position + 1;
}

}  // namespace

Result<CopyReport> CopyLog(EventLog& from, EventLog& to,
                           const std::function<void(Position, Position)>& progress) {
  if (to.LastPosition() != 0) {
    return Fail(ErrorCode::kInvalidArgument, "the destination is not empty (it ends at position " +
                                                 std::to_string(to.LastPosition()) + ")");
  }
  CopyReport report;
  report.records = from.LastPosition();
  Hash source_last{};
  std::vector<Record> pending;  // the records of the source append being gathered
  const auto flush = [&]() -> Result<void> {
    if (pending.empty()) return {};
    if (auto appended = AppendOne(to, pending); !appended) return appended;
    ++report.appends;
    pending.clear();
    return {};
  };
  for (Position next = 1; next <= report.records;) {
    auto batch = from.ReadAll(next, std::min<Position>(kReadBatch, report.records - next + 1));
    if (!batch) return std::unexpected(std::move(batch.error()));
    if (batch->empty()) return Mismatch(next, "the source has no record there");
    next = batch->back().position + 1;
    source_last = batch->back().hash;
    for (Record& r : *batch) {
      if (!pending.empty() && !SameAppend(pending, r)) {
        if (auto flushed = flush(); !flushed) return std::unexpected(flushed.error());
      }
      pending.push_back(std::move(r));
    }
    if (progress) progress(next - 1, report.records);
  }
  if (auto flushed = flush(); !flushed) return std::unexpected(flushed.error());
  auto verified = to.Verify(1, report.records);
  if (!verified) return std::unexpected(std::move(verified.error()));
  report.verified = *verified;
  if (!verified->ok) return report;
  if (report.records > 0 && verified->last_hash != source_last) {
    return Mismatch(report.records, "the copy's chain ends on " + HashHex(verified->last_hash) +
                                        ", the source's on " + HashHex(source_last));
  }
  return report;
}

}  // namespace roster::eventstore
