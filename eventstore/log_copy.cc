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

// The source's appends, rebuilt from its records, handed to the destination many at a time
// (EventLog::AppendMany), so that they share its commits: one at a time, a PostgreSQL
// destination paid a transaction per append (figures in docs/admin.md).
class Batch {
 public:
  static constexpr size_t kAppends = 2048;

  explicit Batch(EventLog& to) : to_(to) {}

  // Adds one source append (its records, in order).
  void Add(std::vector<Record>& records) {
    const Record& first = records.front();
    AppendRequest request;
    request.stream = first.stream;
    request.expected = ExpectedVersion::Exactly(first.stream_version - 1);
    request.metadata = first.metadata;
    for (Record& r : records) {
      request.events.push_back(NewEvent{std::move(r.type), r.revision, std::move(r.payload)});
    }
    where_.emplace_back(first.position, records.back().position);
    requests_.push_back(std::move(request));
  }
  bool full() const { return requests_.size() >= kAppends; }

  // Appends what was added and checks that each landed where it stood in the source.
  Result<void> Flush(uint64_t& appends) {
    if (requests_.empty()) return {};
    auto outcomes = to_.AppendMany(std::move(requests_));
    requests_.clear();
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const auto& [first, last] = where_[i];
      if (!outcomes[i]) return std::unexpected(std::move(outcomes[i].error()));
      if (outcomes[i]->duplicate || outcomes[i]->first_position != first ||
          outcomes[i]->last_position != last) {
        return Mismatch(first, "it was appended at positions " +
                                   std::to_string(outcomes[i]->first_position) + ".." +
                                   std::to_string(outcomes[i]->last_position));
      }
      ++appends;
    }
    where_.clear();
    return {};
  }

 private:
  EventLog& to_;
  std::vector<AppendRequest> requests_;
  std::vector<std::pair<Position, Position>> where_;  // each request's source positions
};

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
  Batch batch(to);
  const auto flush = [&]() -> Result<void> {
    if (pending.empty()) return {};
    batch.Add(pending);
    pending.clear();
    if (batch.full()) return batch.Flush(report.appends);
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
  if (auto flushed = batch.Flush(report.appends); !flushed) {
    return std::unexpected(flushed.error());
  }
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
