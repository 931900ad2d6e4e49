#include "eventstore/postgres/internal/pg_writer.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <utility>

#include "eventstore/append_check.h"
#include "eventstore/hash_chain.h"

namespace roster::eventstore::postgres::internal {
namespace {

// A group's statement stays far below PostgreSQL's 1 GB limit on one value even with large
// events (the records travel as one bytea[] parameter).
constexpr size_t kMaxGroupBytes = 64u << 20;
// The head cache is only a cache: past this many streams it starts over rather than grow
// without bound.
constexpr size_t kMaxCachedHeads = 1u << 20;

std::string VersionText(StreamVersion version) {
  return version == kNoStreamVersion ? "no stream" : "version " + std::to_string(version);
}

std::string PositionsText(Position first, Position last) {
  return "positions " + std::to_string(first) + ".." + std::to_string(last);
}

// Wakes the one caller waiting on it (see the RocksDB writer's DoneSignal for why not a
// semaphore: libstdc++'s spin before sleeping costs CPU when many callers wait for one commit).
class DoneSignal {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }
  // Notifies under the lock: the waiter owns this object and may destroy it at once.
  void Notify() {
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

}  // namespace

struct PgWriter::Pending {
  explicit Pending(AppendRequest r) : request(std::move(r)) {}

  AppendRequest request;
  size_t bytes = 0;
  Result<AppendResult> result = Fail(ErrorCode::kIoError, "not decided");
  // Its outcome depends on this group's commit: accepted, or a duplicate of a request accepted
  // earlier in the same group.
  bool rides_on_commit = false;
  DoneSignal done;
};

PgWriter::PgWriter(std::string conninfo, const PgLogOptions& options, const Statements& sql,
                   CommitFeed& feed, Conn conn)
    : conninfo_(std::move(conninfo)),
      options_(options),
      sql_(sql),
      feed_(feed),
      conn_(std::move(conn)),
      backend_pid_(conn_ ? PQbackendPID(conn_.get()) : 0),
      thread_([this] { Run(); }) {}

PgWriter::~PgWriter() { Stop(); }

void PgWriter::Stop() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  std::lock_guard lock(join_mu_);  // Close() may come from several threads at once
  if (thread_.joinable()) thread_.join();
}

void PgWriter::AddStats(PgEventLog::Stats& stats) const {
  stats.appends = appends_.load();
  stats.duplicates = duplicates_.load();
  stats.rejected = rejected_.load();
  stats.commits = commits_.load();
  stats.records = records_count_.load();
  stats.failed_groups = failed_groups_.load();
}

Result<AppendResult> PgWriter::Append(AppendRequest request) {
  if (auto error = CheckAppendRequest(request)) return std::unexpected(std::move(*error));
  const auto started = std::chrono::steady_clock::now();
  Pending pending(std::move(request));
  for (const NewEvent& event : pending.request.events) pending.bytes += event.payload.size() + 64;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return Fail(ErrorCode::kClosed, "the log is closed");
    queue_.push_back(&pending);
  }
  queue_cv_.notify_one();
  pending.done.Wait();
  timings_.append.Record(std::chrono::steady_clock::now() - started);
  return std::move(pending.result);
}

std::vector<Result<AppendResult>> PgWriter::AppendMany(std::vector<AppendRequest> requests) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<Result<AppendResult>> out(requests.size());
  std::vector<std::unique_ptr<Pending>> queued;
  std::vector<size_t> slots;  // out's index of each queued request
  for (size_t i = 0; i < requests.size(); ++i) {
    if (auto error = CheckAppendRequest(requests[i])) {
      out[i] = std::unexpected(std::move(*error));
      continue;
    }
    auto pending = std::make_unique<Pending>(std::move(requests[i]));
    for (const NewEvent& event : pending->request.events) {
      pending->bytes += event.payload.size() + 64;
    }
    queued.push_back(std::move(pending));
    slots.push_back(i);
  }
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) {
      for (size_t slot : slots) out[slot] = Fail(ErrorCode::kClosed, "the log is closed");
      return out;
    }
    // Together under one lock: in order, and the writer takes them in groups as large as it may.
    for (auto& pending : queued) queue_.push_back(pending.get());
  }
  queue_cv_.notify_one();
  for (size_t k = 0; k < queued.size(); ++k) {
    queued[k]->done.Wait();
    out[slots[k]] = std::move(queued[k]->result);
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  for (size_t k = 0; k < queued.size(); ++k) timings_.append.Record(elapsed);
  return out;
}

void PgWriter::Run() {
  pthread_setname_np(pthread_self(), "roster-pg-log");
  std::vector<Pending*> group;
  while (TakeGroup(group)) {
    CommitGroup(group);
    group.clear();
  }
}

// No lingering for more callers, unlike the RocksDB writer: a group forms while the previous
// transaction's round trips and commit are under way, which is long enough.
bool PgWriter::TakeGroup(std::vector<Pending*>& group) {
  std::unique_lock lock(queue_mu_);
  queue_cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
  if (queue_.empty()) return false;  // stopping, and everything has been answered
  size_t count = 0;
  size_t bytes = 0;
  const size_t max_appends = std::max<size_t>(1, options_.max_group_appends);
  while (count < queue_.size() && count < max_appends &&
         (count == 0 || bytes + queue_[count]->bytes <= kMaxGroupBytes)) {
    bytes += queue_[count]->bytes;
    ++count;
  }
  group.assign(queue_.begin(), queue_.begin() + count);
  queue_.erase(queue_.begin(), queue_.begin() + count);
  return true;
}

void PgWriter::CommitGroup(const std::vector<Pending*>& group) {
  const auto started = std::chrono::steady_clock::now();
  auto committed = Transact(group);
  group_commands_.clear();  // its views point into requests about to be released
  if (committed) {
    if (*committed != 0) {
      // The whole transaction, not only its COMMIT: its statements' round trips are part of
      // what each group waits for.
      timings_.commit.Record(std::chrono::steady_clock::now() - started);
      for (const Pending* pending : group) {
        if (pending->rides_on_commit && !pending->result->duplicate) {
          appends_.fetch_add(1, std::memory_order_relaxed);
        }
      }
      commits_.fetch_add(1, std::memory_order_relaxed);
      records_count_.fetch_add(positions_.size(), std::memory_order_relaxed);
      cache_valid_at_ = *committed;
      feed_.Advance(*committed);
    }
  } else {
    failed_groups_.fetch_add(1, std::memory_order_relaxed);
    heads_.clear();  // they include the lost group
    cache_valid_at_ = UINT64_MAX;
    for (Pending* pending : group) {
      if (pending->rides_on_commit) pending->result = std::unexpected(committed.error());
    }
    if (conn_ && Broken(conn_.get())) {
      conn_.reset();
      backend_pid_.store(0, std::memory_order_release);
    }
  }
  for (Pending* pending : group) pending->done.Notify();
}

Result<void> PgWriter::EnsureConnected() {
  if (conn_ && !Broken(conn_.get())) return {};
  conn_.reset();
  backend_pid_.store(0, std::memory_order_release);
  auto conn = Connect(conninfo_, options_.connect_timeout);
  if (!conn) return std::unexpected(std::move(conn.error()));
  conn_ = std::move(*conn);
  backend_pid_.store(PQbackendPID(conn_.get()), std::memory_order_release);
  return {};
}

Result<Position> PgWriter::Transact(const std::vector<Pending*>& group) {
  // Until decided, every request's outcome is the group's: whatever fails, fails them all.
  for (Pending* pending : group) pending->rides_on_commit = true;
  if (auto connected = EnsureConnected(); !connected) {
    return std::unexpected(std::move(connected.error()));
  }
  auto begun = ExecText(conn_.get(), "BEGIN", "starting an append");
  if (!begun && Broken(conn_.get())) {
    // The connection died while idle (a server restart, a failover). Nothing was sent that
    // could have taken effect, so one fresh connection is tried before failing the group.
    conn_.reset();
    if (auto connected = EnsureConnected(); !connected) {
      return std::unexpected(std::move(connected.error()));
    }
    begun = ExecText(conn_.get(), "BEGIN", "starting an append");
  }
  if (!begun) return std::unexpected(std::move(begun.error()));
  PGconn* conn = conn_.get();
  auto rollback_on_error = [&](Error error) -> Result<Position> {
    if (!Broken(conn)) PQclear(PQexec(conn, "ROLLBACK"));
    return std::unexpected(std::move(error));
  };
  Params none;
  auto head = Exec(conn, sql_.lock_head.c_str(), none, "locking the log's head");
  if (!head) return rollback_on_error(std::move(head.error()));
  if (PQntuples(head->get()) != 1 || PQgetlength(head->get(), 0, 1) != 32) {
    return rollback_on_error(Error{ErrorCode::kCorruption, "the log's head row is malformed", {}});
  }
  const Position head_position = static_cast<Position>(Int8(head->get(), 0, 0));
  std::memcpy(last_hash_.data(), PQgetvalue(head->get(), 0, 1), 32);
  last_time_us_ = Int8(head->get(), 0, 2);
  next_position_ = head_position + 1;
  // Another process appended since this writer's last commit: its stream heads are stale.
  if (head_position != cache_valid_at_) heads_.clear();
  // The locked head is committed, whoever committed it: this process knows it now rather than
  // when the NOTIFY arrives, so an answer given from it (a retry's first outcome, a conflict's
  // current version) never runs ahead of LastPosition() and WaitForPosition().
  feed_.Advance(head_position);
  if (auto looked_up = LoadLookups(group); !looked_up) {
    return rollback_on_error(std::move(looked_up.error()));
  }

  positions_.clear();
  versions_.clear();
  streams_.clear();
  records_.clear();
  command_ids_.clear();
  command_streams_.clear();
  first_positions_.clear();
  last_positions_.clear();
  first_versions_.clear();
  last_versions_.clear();
  group_commands_.clear();
  for (Pending* pending : group) {
    pending->rides_on_commit = false;
    Decide(*pending);
  }
  for (Pending* pending : group) {
    if (!pending->result && pending->result.error().code == ErrorCode::kIoError &&
        pending->rides_on_commit) {
      // Accept() could not hash a record: nothing of the group may be written.
      return rollback_on_error(pending->result.error());
    }
  }
  if (positions_.empty()) {
    // Only rejections and retries: nothing to write, nothing to wait for.
    if (auto ended = ExecText(conn, "ROLLBACK", "ending an append"); !ended) {
      heads_.clear();
      cache_valid_at_ = UINT64_MAX;
    } else {
      cache_valid_at_ = head_position;  // the heads just read are those of this head
    }
    return Position{0};
  }
  const Position last = next_position_ - 1;
  Params rows;
  rows.Int8Array(positions_)
      .ByteaArray(streams_)
      .Int8Array(versions_)
      .ByteaArray(std::vector<std::string_view>(records_.begin(), records_.end()))
      .ByteaArray(command_ids_)
      .ByteaArray(command_streams_)
      .Int8Array(first_positions_)
      .Int8Array(last_positions_)
      .Int8Array(first_versions_)
      .Int8Array(last_versions_)
      .Int8(static_cast<int64_t>(last))
      .Bytea(AsBytes(last_hash_))
      .Int8(last_time_us_)
      .Text(sql_.channel)
      .Text(std::to_string(last));
  const std::string what = PositionsText(head_position + 1, last);
  if (auto written = Exec(conn, sql_.write_group.c_str(), rows, "writing " + what); !written) {
    return rollback_on_error(std::move(written.error()));
  }
  auto commit = ExecText(conn, "COMMIT", "committing " + what);
  if (!commit) {
    if (Broken(conn)) {
      return Fail(ErrorCode::kUnavailable,
                  "the connection to PostgreSQL broke while committing " + what +
                      ": the outcome is unknown until the command id is looked up (" +
                      commit.error().message + ")");
    }
    return rollback_on_error(std::move(commit.error()));
  }
  return last;
}

Result<void> PgWriter::LoadLookups(const std::vector<Pending*>& group) {
  known_.clear();
  // Decide() finds every stream of the group in the cache: it starts over before the group's
  // missing heads are read, never after.
  if (heads_.size() + group.size() > kMaxCachedHeads) heads_.clear();
  std::vector<std::string_view> command_ids, streams;
  for (const Pending* pending : group) {
    const AppendRequest& r = pending->request;
    if (!r.metadata.command_id.empty()) command_ids.push_back(r.metadata.command_id);
    if (!heads_.contains(r.stream)) streams.push_back(r.stream);
  }
  if (!command_ids.empty()) {
    Params params;
    params.ByteaArray(command_ids);
    auto found = Exec(conn_.get(), sql_.commands_of.c_str(), params, "looking up command ids");
    if (!found) return std::unexpected(std::move(found.error()));
    for (int row = 0; row < PQntuples(found->get()); ++row) {
      CommandOutcomeRecord outcome;
      outcome.stream = std::string(Bytes(found->get(), row, 1));
      outcome.result.first_position = static_cast<Position>(Int8(found->get(), row, 2));
      outcome.result.last_position = static_cast<Position>(Int8(found->get(), row, 3));
      outcome.result.first_version = Int8(found->get(), row, 4);
      outcome.result.last_version = Int8(found->get(), row, 5);
      known_.emplace(std::string(Bytes(found->get(), row, 0)), std::move(outcome));
    }
  }
  if (!streams.empty()) {
    Params params;
    params.ByteaArray(streams);
    auto found = Exec(conn_.get(), sql_.heads_of.c_str(), params, "reading stream heads");
    if (!found) return std::unexpected(std::move(found.error()));
    for (int row = 0; row < PQntuples(found->get()); ++row) {
      const StreamVersion head =
          IsNull(found->get(), row, 1) ? kNoStreamVersion : Int8(found->get(), row, 1);
      heads_.insert_or_assign(std::string(Bytes(found->get(), row, 0)), head);
    }
  }
  return {};
}

void PgWriter::Decide(Pending& pending) {
  const AppendRequest& r = pending.request;
  if (!r.metadata.command_id.empty() && DecideDuplicate(pending)) return;
  const auto slot = heads_.find(r.stream);  // LoadLookups read every stream of the group
  const StreamVersion head = slot->second;
  if (!r.expected.Matches(head)) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    pending.result = Fail(ErrorCode::kWrongExpectedVersion,
                          "stream " + r.stream + " is at " + VersionText(head) +
                              ", the append expected " + VersionText(r.expected.value()),
                          head);
    return;
  }
  if (auto accepted = Accept(pending, head); !accepted) {
    pending.result = std::unexpected(std::move(accepted.error()));
    pending.rides_on_commit = true;
    return;
  }
  slot->second = pending.result->last_version;
}

// True when the command id was seen (the outcome is then set); false to decide it afresh.
bool PgWriter::DecideDuplicate(Pending& pending) {
  const AppendRequest& r = pending.request;
  const std::string& command_id = r.metadata.command_id;
  const auto reused = [&](std::string_view first_stream) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    pending.result = Fail(ErrorCode::kCommandIdReused,
                          "command id " + command_id + " was first used for stream " +
                              std::string(first_stream) + ", not " + r.stream);
    return true;
  };
  const auto duplicate = [&](AppendResult first) {
    duplicates_.fetch_add(1, std::memory_order_relaxed);
    first.duplicate = true;
    pending.result = first;
    return true;
  };
  if (auto it = group_commands_.find(command_id); it != group_commands_.end()) {
    const Pending& first = *it->second;
    if (first.request.stream != r.stream) return reused(first.request.stream);
    pending.rides_on_commit = true;
    return duplicate(*first.result);
  }
  const auto known = known_.find(command_id);
  if (known == known_.end()) return false;
  if (known->second.stream != r.stream) return reused(known->second.stream);
  return duplicate(known->second.result);
}

Result<void> PgWriter::Accept(Pending& pending, StreamVersion head) {
  const AppendRequest& r = pending.request;
  AppendResult result;
  result.first_position = next_position_;
  result.first_version = head + 1;
  // Appends decided concurrently may reach the writer out of time order: a record is never
  // dated before its predecessor, so a time range of the log is a position range (as on
  // RocksDB, which the chain must match).
  last_time_us_ = std::max(last_time_us_, r.metadata.time_us);
  Record record;
  record.stream = r.stream;
  record.metadata = r.metadata;
  record.metadata.time_us = last_time_us_;
  StreamVersion version = head;
  for (const NewEvent& event : r.events) {
    record.position = next_position_;
    record.stream_version = ++version;
    record.type = event.type;
    record.revision = event.revision;
    record.payload = event.payload;
    std::string value = HashedBody(record);
    const Result<Hash> hash = ChainHash(AsBytes(last_hash_), value);
    if (!hash) {
      return Fail(ErrorCode::kIoError, "hashing the record at position " +
                                           std::to_string(next_position_) + ": " +
                                           hash.error().message);
    }
    value.append(AsBytes(last_hash_));
    value.append(AsBytes(*hash));
    positions_.push_back(static_cast<int64_t>(next_position_));
    streams_.push_back(r.stream);
    versions_.push_back(version);
    records_.push_back(std::move(value));
    last_hash_ = *hash;
    ++next_position_;
  }
  result.last_position = next_position_ - 1;
  result.last_version = version;
  if (!r.metadata.command_id.empty()) {
    command_ids_.push_back(r.metadata.command_id);
    command_streams_.push_back(r.stream);
    first_positions_.push_back(static_cast<int64_t>(result.first_position));
    last_positions_.push_back(static_cast<int64_t>(result.last_position));
    first_versions_.push_back(result.first_version);
    last_versions_.push_back(result.last_version);
    group_commands_.emplace(r.metadata.command_id, &pending);
  }
  pending.rides_on_commit = true;
  pending.result = result;
  return {};
}

}  // namespace roster::eventstore::postgres::internal
