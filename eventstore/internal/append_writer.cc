#include "eventstore/internal/append_writer.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>

#include "eventstore/append_check.h"
#include "eventstore/internal/byte_order.h"
#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/record_format.h"
#include "eventstore/internal/rocks_status.h"
#include "eventstore/internal/store_reads.h"

namespace roster::eventstore::internal {
namespace {

// One group's WriteBatch stays well below RocksDB's comfort zone even with large events.
constexpr size_t kMaxGroupBytes = 64u << 20;
// The head cache is only a cache: past this many streams it starts over rather than grow
// without bound.
constexpr size_t kMaxCachedHeads = 1u << 20;

std::string VersionText(StreamVersion version) {
  return version == kNoStreamVersion ? "no stream" : "version " + std::to_string(version);
}

rocksdb::WriteOptions MakeWriteOptions(const StoreOptions& options) {
  rocksdb::WriteOptions write;
  write.sync = options.sync;
  return write;
}

}  // namespace

// Wakes the one caller waiting on it. std::binary_semaphore would do, but libstdc++'s waits
// spin on sched_yield before sleeping, which costs CPU and context switches when many callers
// wait for one synced write. This sleeps at once.
class DoneSignal {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }
  // Notifies under the lock: the waiter owns this object and may destroy it as soon as it
  // can take the lock after seeing done_.
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

struct AppendWriter::Pending {
  explicit Pending(AppendRequest r) : request(std::move(r)) {}

  AppendRequest request;
  std::vector<std::string> bodies;  // encoded on the caller's thread
  size_t bytes = 0;
  Result<AppendResult> result;
  // Its outcome depends on this group's write: accepted, or a duplicate of a request accepted
  // earlier in the same group.
  bool rides_on_write = false;
  DoneSignal done;
};

AppendWriter::AppendWriter(StoreCore& core, Position last_position, const Hash& last_hash,
                           int64_t last_time_us, Sha256 sha)
    : core_(core),
      write_options_(MakeWriteOptions(core.options)),
      next_position_(last_position + 1),
      last_hash_(last_hash),
      last_time_us_(last_time_us),
      sha_(std::move(sha)),
      thread_([this] { Run(); }) {}

AppendWriter::~AppendWriter() { Stop(); }

void AppendWriter::Stop() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  std::lock_guard lock(join_mu_);  // Close() may come from several threads at once
  if (thread_.joinable()) thread_.join();
}

RocksEventStore::Stats AppendWriter::stats() const {
  return {appends_.load(), duplicates_.load(), rejected_.load(), commits_.load(), records_.load()};
}

Error AppendWriter::StoreFailedError() const {
  return Error{ErrorCode::kStoreFailed,
               "the store stopped accepting writes after an I/O error: " + failure_, std::nullopt};
}

Result<AppendResult> AppendWriter::Append(AppendRequest request) {
  if (auto error = CheckAppendRequest(request)) return std::unexpected(std::move(*error));
  if (failed_.load(std::memory_order_acquire)) return std::unexpected(StoreFailedError());

  const auto started = std::chrono::steady_clock::now();
  Pending pending(std::move(request));
  const AppendRequest& r = pending.request;
  pending.bodies.reserve(r.events.size());
  for (const NewEvent& event : r.events) {
    pending.bodies.push_back(internal::EncodeBody(r.stream, event, r.metadata));
    pending.bytes += pending.bodies.back().size();
  }
  bool wake_writer;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return Fail(ErrorCode::kClosed, "the store is closed");
    queue_.push_back(&pending);
    wake_writer = queue_.size() >= wake_writer_at_;
  }
  if (wake_writer) queue_cv_.notify_one();
  pending.done.Wait();
  timings_.append.Record(std::chrono::steady_clock::now() - started);
  return std::move(pending.result);
}

std::vector<Result<AppendResult>> AppendWriter::AppendMany(std::vector<AppendRequest> requests) {
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
    const AppendRequest& r = pending->request;
    pending->bodies.reserve(r.events.size());
    for (const NewEvent& event : r.events) {
      pending->bodies.push_back(internal::EncodeBody(r.stream, event, r.metadata));
      pending->bytes += pending->bodies.back().size();
    }
    queued.push_back(std::move(pending));
    slots.push_back(i);
  }
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_ || failed_.load(std::memory_order_acquire)) {
      const Error error = stopping_ ? Error{ErrorCode::kClosed, "the store is closed", std::nullopt}
                                    : StoreFailedError();
      for (size_t slot : slots) out[slot] = std::unexpected(error);
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

void AppendWriter::Run() {
  pthread_setname_np(pthread_self(), "roster-log");
  std::vector<Pending*> group;
  while (TakeGroup(group)) {
    CommitGroup(group);
    group.clear();
  }
}

bool AppendWriter::TakeGroup(std::vector<Pending*>& group) {
  std::unique_lock lock(queue_mu_);
  queue_cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
  if (queue_.empty()) return false;  // stopping, and everything has been answered
  const size_t target = std::min(linger_.target(), core_.options.max_group_appends);
  if (queue_.size() < target && linger_.budget() > CommitLinger::Nanos::zero()) {
    wake_writer_at_ = target;  // appends wake us once, when the target is met
    const bool reached = queue_cv_.wait_for(lock, linger_.budget(),
                                            [&] { return queue_.size() >= target || stopping_; });
    wake_writer_at_ = 1;
    linger_.OnWait(reached);
  }
  size_t count = 0;
  size_t bytes = 0;
  while (count < queue_.size() && count < core_.options.max_group_appends &&
         (count == 0 || bytes + queue_[count]->bytes <= kMaxGroupBytes)) {
    bytes += queue_[count]->bytes;
    ++count;
  }
  if (count == queue_.size()) {
    group.swap(queue_);
  } else {
    group.assign(queue_.begin(), queue_.begin() + count);
    queue_.erase(queue_.begin(), queue_.begin() + count);
  }
  return true;
}

void AppendWriter::CommitGroup(const std::vector<Pending*>& group) {
  batch_.Clear();
  group_commands_.clear();
  const Position first_position = next_position_;
  for (Pending* pending : group) {
    if (failed_.load(std::memory_order_relaxed)) {
      pending->result = std::unexpected(StoreFailedError());
    } else if (auto decided = Decide(*pending); !decided) {
      pending->result = std::unexpected(decided.error());
      FailGroup(group, decided.error());
    }
  }
  group_commands_.clear();  // its views point into requests about to be released

  CommitLinger::Nanos write_time{0};
  // After a failure while deciding, the batch is incomplete: it must not be written.
  if (next_position_ > first_position && !failed_.load(std::memory_order_relaxed)) {
    const auto write_start = std::chrono::steady_clock::now();
    const rocksdb::Status status = core_.db->Write(write_options_, &batch_);
    write_time = std::chrono::steady_clock::now() - write_start;
    timings_.commit.Record(write_time);
    if (!status.ok()) {
      FailGroup(group, Error{ErrorCode::kIoError,
                             ErrorFromStatus(status, "committing positions " +
                                                         std::to_string(first_position) + ".." +
                                                         std::to_string(next_position_ - 1))
                                 .message,
                             std::nullopt});
    } else {
      for (const Pending* pending : group) {
        if (pending->rides_on_write && !pending->result->duplicate) {
          appends_.fetch_add(1, std::memory_order_relaxed);
        }
      }
      commits_.fetch_add(1, std::memory_order_relaxed);
      records_.fetch_add(next_position_ - first_position, std::memory_order_relaxed);
      core_.board.Publish(next_position_ - 1);
      core_.listeners.Notify(next_position_ - 1);
    }
  }
  size_t queued;
  {
    std::lock_guard lock(queue_mu_);
    queued = queue_.size();
  }
  linger_.OnCommit(group.size(), queued, write_time);
  for (Pending* pending : group) pending->done.Notify();
}

void AppendWriter::FailGroup(const std::vector<Pending*>& group, const Error& error) {
  failure_ = error.message;
  failed_.store(true, std::memory_order_release);
  heads_.clear();  // they include the lost group
  for (Pending* pending : group) {
    if (pending->rides_on_write) pending->result = std::unexpected(error);
  }
}

Result<void> AppendWriter::Decide(Pending& pending) {
  const AppendRequest& r = pending.request;
  if (!r.metadata.command_id.empty() && DecideDuplicate(pending)) return {};

  auto slot = HeadSlot(r.stream);
  if (!slot) {
    pending.result = std::unexpected(std::move(slot.error()));
    return {};
  }
  const StreamVersion head = **slot;
  if (!r.expected.Matches(head)) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    pending.result = Fail(ErrorCode::kWrongExpectedVersion,
                          "stream " + r.stream + " is at " + VersionText(head) +
                              ", the append expected " + VersionText(r.expected.value()),
                          head);
    return {};
  }
  if (auto accepted = Accept(pending, head); !accepted) return accepted;
  **slot = pending.result->last_version;
  return {};
}

// True when the command id was seen (the outcome is then set); false to decide it afresh.
bool AppendWriter::DecideDuplicate(Pending& pending) {
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
    pending.rides_on_write = true;
    return duplicate(*first.result);
  }
  rocksdb::PinnableSlice value;
  const rocksdb::Status status =
      core_.db->Get(rocksdb::ReadOptions(), core_.commands, command_id, &value);
  if (status.IsNotFound()) return false;
  if (!status.ok()) {
    pending.result = FailFromStatus(status, "looking up command id " + command_id);
    return true;
  }
  const auto entry = internal::ParseCommandEntry(value.ToStringView());
  if (!entry) {
    pending.result = Fail(ErrorCode::kCorruption,
                          "the stored outcome of command id " + command_id + " is malformed");
    return true;
  }
  if (entry->stream != r.stream) return reused(entry->stream);
  return duplicate(entry->result);
}

Result<void> AppendWriter::Accept(Pending& pending, StreamVersion head) {
  const AppendRequest& r = pending.request;
  AppendResult result;
  result.first_position = next_position_;
  result.first_version = head + 1;
  StreamVersion version = head;
  char position_value[8];
  // Appends decided concurrently may reach the writer out of time order: a record is never
  // dated before its predecessor, so a time range of the log is a position range.
  last_time_us_ = std::max(last_time_us_, r.metadata.time_us);
  for (size_t i = 0; i < pending.bodies.size(); ++i) {
    std::string& body = pending.bodies[i];
    ++version;
    internal::PatchBody(body, r.stream.size(), next_position_, version);
    internal::PatchTime(body, internal::BodyTimeOffset(r.stream, r.events[i], r.metadata),
                        last_time_us_);
    const Result<Hash> hashed = sha_.Of(AsBytes(last_hash_), body);
    if (!hashed) {
      return Fail(ErrorCode::kIoError, "hashing the record at position " +
                                           std::to_string(next_position_) + ": " +
                                           hashed.error().message);
    }
    const Hash& hash = *hashed;
    body.append(AsBytes(last_hash_));
    body.append(AsBytes(hash));
    key_.assign(internal::PositionKey(next_position_));
    batch_.Put(core_.log, key_, body).PermitUncheckedError();  // fails only on size overflow
    internal::StoreLe64(position_value, next_position_);
    key_.assign(internal::StreamPrefix(r.stream));
    internal::AppendBigEndian64(key_, static_cast<uint64_t>(version));
    batch_.Put(core_.streams, key_, rocksdb::Slice(position_value, 8)).PermitUncheckedError();
    last_hash_ = hash;
    ++next_position_;
  }
  result.last_position = next_position_ - 1;
  result.last_version = version;
  if (!r.metadata.command_id.empty()) {
    batch_
        .Put(core_.commands, r.metadata.command_id, internal::EncodeCommandEntry(result, r.stream))
        .PermitUncheckedError();
    group_commands_.emplace(r.metadata.command_id, &pending);
  }
  pending.rides_on_write = true;
  pending.result = result;
  return {};
}

Result<StreamVersion*> AppendWriter::HeadSlot(std::string_view stream) {
  if (auto it = heads_.find(stream); it != heads_.end()) return &it->second;
  // Everything in RocksDB was committed by this writer, so it is all visible to it.
  auto head = ReadStreamHead(core_, stream, UINT64_MAX);
  if (!head) return std::unexpected(std::move(head.error()));
  if (heads_.size() >= kMaxCachedHeads) heads_.clear();
  return &heads_.emplace(std::string(stream), *head).first->second;
}

}  // namespace roster::eventstore::internal
