#include "eventstore/postgres/pg_event_log.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "eventstore/hash_chain.h"
#include "eventstore/postgres/internal/commit_feed.h"
#include "eventstore/postgres/internal/conn_pool.h"
#include "eventstore/postgres/internal/pg_conn.h"
#include "eventstore/postgres/internal/pg_notifier.h"
#include "eventstore/postgres/internal/pg_schema.h"
#include "eventstore/postgres/internal/pg_verify.h"
#include "eventstore/postgres/internal/pg_writer.h"

namespace roster::eventstore::postgres {

using internal::Bytes;
using internal::Exec;
using internal::Int8;
using internal::IsNull;
using internal::Params;
using internal::PgResult;

namespace {

// Rows fetched per statement by the scans (VisitAll): enough to amortise a round trip, few
// enough that a scan's memory stays small.
constexpr size_t kScanBatch = 1024;
// LIMIT takes a bigint.
int64_t Limit(size_t count) {
  return static_cast<int64_t>(std::min<size_t>(count, static_cast<size_t>(INT64_MAX)));
}

std::unexpected<Error> Closed() { return Fail(ErrorCode::kClosed, "the log is closed"); }

}  // namespace

struct PgEventLog::Parts {
  Parts(std::string conninfo_in, const PgLogOptions& options_in, Position last)
      : conninfo(std::move(conninfo_in)),
        options(options_in),
        sql(options.schema),
        feed(last),
        pool(conninfo, options.connect_timeout) {}

  const std::string conninfo;
  const PgLogOptions options;
  const internal::Statements sql;
  internal::CommitFeed feed;
  internal::ConnPool pool;
  std::unique_ptr<internal::PgWriter> writer;
  std::unique_ptr<internal::PgNotifier> notifier;
  std::atomic<bool> closed{false};

  // Runs `query` on a pooled connection. An idle connection may have broken since it was last
  // used (a server restart, a failover): a read is safe to repeat, so it is tried once more on
  // a fresh connection before the error is reported.
  template <class Query>
  auto WithConn(Query query) -> decltype(query(static_cast<PGconn*>(nullptr))) {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool.Borrow();
      if (!lease) return std::unexpected(std::move(lease.error()));
      auto result = query(lease->get());
      if (result || attempt == 1 || !internal::Broken(lease->get())) return result;
    }
  }

  // Records from rows of (position, record), checked dense from `from` and decoded.
  Result<std::vector<Record>> Decode(const PGresult* rows, Position from, bool dense) {
    std::vector<Record> records;
    records.reserve(PQntuples(rows));
    for (int row = 0; row < PQntuples(rows); ++row) {
      const Position position = static_cast<Position>(Int8(rows, row, 0));
      if (dense && position != from + row) {
        return Fail(ErrorCode::kCorruption,
                    "the record at position " + std::to_string(from + row) + " is missing");
      }
      auto record = ParseStoredRecord(Bytes(rows, row, 1));
      if (!record) {
        return Fail(ErrorCode::kCorruption, "the record at position " + std::to_string(position) +
                                                " cannot be decoded: " + record.error());
      }
      records.push_back(std::move(*record));
    }
    return records;
  }
};

namespace {

class PgSubscription final : public Subscription {
 public:
  PgSubscription(PgEventLog& log, internal::CommitFeed& feed, Position after)
      : log_(log), feed_(feed), cursor_(after) {}

  Result<std::vector<Record>> Next(size_t max_count, std::chrono::milliseconds timeout) override {
    if (closed_.load(std::memory_order_acquire) || feed_.closed()) return Closed();
    if (max_count == 0) return std::vector<Record>{};
    Position last = feed_.last();
    if (last <= cursor_) {
      last = feed_.WaitBeyond(cursor_, internal::CommitFeed::DeadlineAfter(timeout),
                              [this] { return closed_.load(std::memory_order_acquire); });
      if (closed_.load(std::memory_order_acquire) || feed_.closed()) return Closed();
      if (last <= cursor_) return std::vector<Record>{};
    }
    auto records = log_.ReadAll(cursor_ + 1, std::min<uint64_t>(max_count, last - cursor_));
    if (records && !records->empty()) cursor_ = records->back().position;
    return records;
  }
  Position position() const override { return cursor_; }
  void Close() override {
    closed_.store(true, std::memory_order_release);
    feed_.Wake();
  }

 private:
  PgEventLog& log_;
  internal::CommitFeed& feed_;
  Position cursor_;
  std::atomic<bool> closed_{false};
};

}  // namespace

Result<std::unique_ptr<PgEventLog>> OpenPgEventLog(const std::string& conninfo,
                                                   const PgLogOptions& options) {
  if (!internal::ValidSchemaName(options.schema)) {
    return Fail(ErrorCode::kInvalidArgument,
                "schema name '" + options.schema +
                    "' is not lower-case letters, digits and '_' (at most 50 bytes)");
  }
  auto conn = internal::Connect(conninfo, options.connect_timeout);
  if (!conn) return std::unexpected(std::move(conn.error()));
  if (auto ready = internal::EnsureSchema(conn->get(), options.schema, options.create_if_missing);
      !ready) {
    return std::unexpected(std::move(ready.error()));
  }
  const internal::Statements sql(options.schema);
  Params none;
  auto head = Exec(conn->get(), sql.read_head.c_str(), none, "reading the log's head");
  if (!head) return std::unexpected(std::move(head.error()));
  if (PQntuples(head->get()) != 1) {
    return Fail(ErrorCode::kCorruption, "schema " + options.schema + " has no head row");
  }
  auto parts = std::make_unique<PgEventLog::Parts>(conninfo, options,
                                                   static_cast<Position>(Int8(head->get(), 0, 0)));
  PgEventLog::Parts& p = *parts;
  p.writer =
      std::make_unique<internal::PgWriter>(conninfo, options, p.sql, p.feed, std::move(*conn));
  internal::PgWriter& writer = *p.writer;
  p.notifier = std::make_unique<internal::PgNotifier>(conninfo, options, p.sql, p.feed,
                                                      [&writer] { return writer.backend_pid(); });
  return std::unique_ptr<PgEventLog>(new PgEventLog(std::move(parts)));
}

PgEventLog::PgEventLog(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

PgEventLog::~PgEventLog() { Close(); }

void PgEventLog::Close() {
  parts_->writer->Stop();  // answers what is queued first
  parts_->closed.store(true, std::memory_order_release);
  parts_->notifier->Stop();
  parts_->feed.Close();
}

Result<void> PgEventLog::CheckOpen() const {
  if (parts_->closed.load(std::memory_order_acquire)) return Closed();
  return {};
}

PgEventLog::Stats PgEventLog::stats() const {
  Stats stats;
  parts_->writer->AddStats(stats);
  stats.notifier_connects = parts_->notifier->connects();
  stats.unreachable_since_us = parts_->notifier->away_since_us();
  return stats;
}

const LogTimings* PgEventLog::timings() const { return &parts_->writer->timings(); }

const std::string& PgEventLog::schema() const { return parts_->options.schema; }

Result<AppendResult> PgEventLog::Append(AppendRequest request) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  return parts_->writer->Append(std::move(request));
}

std::vector<Result<AppendResult>> PgEventLog::AppendMany(std::vector<AppendRequest> requests) {
  if (auto open = CheckOpen(); !open) {
    return std::vector<Result<AppendResult>>(requests.size(), std::unexpected(open.error()));
  }
  return parts_->writer->AppendMany(std::move(requests));
}

Result<std::vector<Record>> PgEventLog::ReadAll(Position from_position, size_t max_count) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  const Position from = std::max<Position>(from_position, 1);
  if (max_count == 0) return std::vector<Record>{};
  return parts_->WithConn([&](PGconn* conn) -> Result<std::vector<Record>> {
    Params params;
    params.Int8(static_cast<int64_t>(from)).Int8(Limit(max_count));
    auto rows = Exec(conn, parts_->sql.read_all.c_str(), params, "reading the log");
    if (!rows) return std::unexpected(std::move(rows.error()));
    return parts_->Decode(rows->get(), from, /*dense=*/true);
  });
}

Result<std::vector<Record>> PgEventLog::ReadStream(std::string_view stream,
                                                   StreamVersion from_version, size_t max_count) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  if (max_count == 0) return std::vector<Record>{};
  return parts_->WithConn([&](PGconn* conn) -> Result<std::vector<Record>> {
    Params params;
    params.Bytea(stream).Int8(std::max<StreamVersion>(from_version, 0)).Int8(Limit(max_count));
    auto rows = Exec(conn, parts_->sql.read_stream.c_str(), params, "reading a stream");
    if (!rows) return std::unexpected(std::move(rows.error()));
    return parts_->Decode(rows->get(), 0, /*dense=*/false);
  });
}

Result<size_t> PgEventLog::VisitAll(Position from_position, size_t max_count,
                                    const RecordVisitor& visit) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  Position next = std::max<Position>(from_position, 1);
  size_t visited = 0;
  while (visited < max_count) {
    const size_t want = std::min(kScanBatch, max_count - visited);
    auto rows = parts_->WithConn([&](PGconn* conn) -> Result<PgResult> {
      Params params;
      params.Int8(static_cast<int64_t>(next)).Int8(Limit(want));
      return Exec(conn, parts_->sql.read_all.c_str(), params, "reading the log");
    });
    if (!rows) return std::unexpected(std::move(rows.error()));
    const PGresult* result = rows->get();
    for (int row = 0; row < PQntuples(result); ++row, ++next) {
      if (static_cast<Position>(Int8(result, row, 0)) != next) {
        return Fail(ErrorCode::kCorruption,
                    "the record at position " + std::to_string(next) + " is missing");
      }
      auto view = ParseStoredRecordView(Bytes(result, row, 1));
      if (!view) {
        return Fail(ErrorCode::kCorruption, "the record at position " + std::to_string(next) +
                                                " cannot be decoded: " + view.error());
      }
      ++visited;
      if (!visit(*view)) return visited;
    }
    if (static_cast<size_t>(PQntuples(result)) < want) break;  // the end of the log
  }
  return visited;
}

Result<StreamVersion> PgEventLog::StreamHead(std::string_view stream) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  return parts_->WithConn([&](PGconn* conn) -> Result<StreamVersion> {
    Params params;
    params.Bytea(stream);
    auto rows = Exec(conn, parts_->sql.stream_head.c_str(), params, "reading a stream head");
    if (!rows) return std::unexpected(std::move(rows.error()));
    if (IsNull(rows->get(), 0, 0)) return kNoStreamVersion;
    return Int8(rows->get(), 0, 0);
  });
}

Result<std::optional<CommandOutcomeRecord>> PgEventLog::FindCommand(std::string_view command_id) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  return parts_->WithConn([&](PGconn* conn) -> Result<std::optional<CommandOutcomeRecord>> {
    Params params;
    params.Bytea(command_id);
    auto rows = Exec(conn, parts_->sql.find_command.c_str(), params, "looking up a command id");
    if (!rows) return std::unexpected(std::move(rows.error()));
    if (PQntuples(rows->get()) == 0) return std::nullopt;
    const PGresult* r = rows->get();
    CommandOutcomeRecord outcome;
    outcome.stream = std::string(Bytes(r, 0, 0));
    outcome.result.first_position = static_cast<Position>(Int8(r, 0, 1));
    outcome.result.last_position = static_cast<Position>(Int8(r, 0, 2));
    outcome.result.first_version = Int8(r, 0, 3);
    outcome.result.last_version = Int8(r, 0, 4);
    return outcome;
  });
}

Position PgEventLog::LastPosition() const { return parts_->feed.last(); }

Result<std::unique_ptr<Subscription>> PgEventLog::Subscribe(Position after_position) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  return std::make_unique<PgSubscription>(*this, parts_->feed, after_position);
}

Result<Position> PgEventLog::WaitForPosition(Position position, std::chrono::milliseconds timeout) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  internal::CommitFeed& feed = parts_->feed;
  if (feed.last() >= position) return feed.last();
  const Position last = feed.WaitBeyond(position - 1, internal::CommitFeed::DeadlineAfter(timeout),
                                        [] { return false; });
  if (feed.closed()) return Closed();
  return last;
}

uint64_t PgEventLog::AddCommitListener(std::function<void(Position)> listener) {
  return parts_->feed.AddListener(std::move(listener));
}

void PgEventLog::RemoveCommitListener(uint64_t id) { parts_->feed.RemoveListener(id); }

Result<VerifyReport> PgEventLog::Verify(Position from, Position to,
                                        std::function<void(Position)> progress) {
  if (auto open = CheckOpen(); !open) return std::unexpected(open.error());
  return parts_->WithConn(
      [&](PGconn* conn) { return internal::VerifyChain(conn, parts_->sql, from, to, progress); });
}

}  // namespace roster::eventstore::postgres
