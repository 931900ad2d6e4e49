// EventLog: the append-only log of event records, grouped into streams.
//
// This is the interface the rest of Roster programs against; RocksEventStore
// (rocks_event_store.h) is the embedded implementation, and a replicated backend can be added
// behind the same interface. Every method is thread-safe. Appends are acknowledged only once
// durable; readers never see a record before it is durable, and see records in position order.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "eventstore/error.h"
#include "eventstore/log_timings.h"
#include "eventstore/record.h"

namespace roster::eventstore {

// A cursor over the whole log: catches up from a position, then yields records as they are
// appended, in order, each once. Not thread-safe: one consumer per subscription. Must not
// outlive the EventLog that made it.
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Returns up to max_count records after the cursor, waiting up to `timeout` for the first one.
  // An empty vector means the timeout passed with nothing new. Fails with kClosed once Close()
  // was called on the subscription or the store.
  virtual Result<std::vector<Record>> Next(size_t max_count, std::chrono::milliseconds timeout) = 0;
  // The position of the last record returned (the cursor).
  virtual Position position() const = 0;
  // Wakes a blocked Next() and makes every later call fail with kClosed. Thread-safe.
  virtual void Close() = 0;
};

// Sees one record parsed in place; the view borrows from the store and is valid only during
// the call. Returning false stops the scan after this record.
using RecordVisitor = std::function<bool(const RecordView&)>;

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends all events of `request` to its stream atomically, once durable. A command id seen
  // before returns the first append's result with duplicate = true and writes nothing.
  virtual Result<AppendResult> Append(AppendRequest request) = 0;
  // The requests appended in this order, each with its own outcome, as Append would one after
  // the other; but handed to the log's writer together, so that they share commits instead of
  // paying one each (a bulk load: copying a log). A refused request does not stop the others.
  virtual std::vector<Result<AppendResult>> AppendMany(std::vector<AppendRequest> requests) {
    std::vector<Result<AppendResult>> out;
    out.reserve(requests.size());
    for (auto& r : requests) out.push_back(Append(std::move(r)));
    return out;
  }

  // Records of one stream with version >= from_version, in version order, at most max_count.
  virtual Result<std::vector<Record>> ReadStream(std::string_view stream,
                                                 StreamVersion from_version, size_t max_count) = 0;
  // Records of the whole log with position >= from_position, in order, at most max_count.
  virtual Result<std::vector<Record>> ReadAll(Position from_position, size_t max_count) = 0;
  // The same records passed one by one to `visit` without copying them out (for readers that
  // re-encode them anyway: subscriptions, exports), until `visit` returns false. Returns how
  // many were visited.
  virtual Result<size_t> VisitAll(Position from_position, size_t max_count,
                                  const RecordVisitor& visit) = 0;
  // The version of the stream's last event, or kNoStreamVersion.
  virtual Result<StreamVersion> StreamHead(std::string_view stream) = 0;
  // The position of the last durable record (0 for an empty log).
  virtual Position LastPosition() const = 0;
  // The first outcome of an append made with `command_id`, if any: what a retry would get.
  virtual Result<std::optional<CommandOutcomeRecord>> FindCommand(std::string_view command_id) = 0;

  // Records after `after_position` (pass 0 for the whole log), then live ones.
  virtual Result<std::unique_ptr<Subscription>> Subscribe(Position after_position) = 0;
  // Blocks until LastPosition() >= position or the timeout passes; returns the last position
  // either way (smaller than `position` after a timeout), or kClosed once the log is closed.
  virtual Result<Position> WaitForPosition(Position position,
                                           std::chrono::milliseconds timeout) = 0;
  // Registers a callback run after each durable commit with the new last position, on the
  // committing thread: it must be quick and must not call back into the log (post work
  // elsewhere instead). Returns an id for RemoveCommitListener.
  virtual uint64_t AddCommitListener(std::function<void(Position)> listener) = 0;
  virtual void RemoveCommitListener(uint64_t id) = 0;
  // The durations of this process's appends and commits since the log was opened; null for a
  // log that does not time them.
  virtual const LogTimings* timings() const { return nullptr; }

  // Walks the hash chain over positions [from, to] (to = 0 means up to the last record) and
  // names the first record whose hash or link is wrong, or which is missing or undecodable.
  // `progress`, when given, is called now and then with the position reached.
  virtual Result<VerifyReport> Verify(Position from, Position to,
                                      std::function<void(Position)> progress = {}) = 0;
};

}  // namespace roster::eventstore
