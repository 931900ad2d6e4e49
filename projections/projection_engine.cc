#include "projections/projection_engine.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "eventstore/codec/streams.h"
#include "projections/internal/engine.h"
#include "projections/row_codec.h"

namespace roster::projections {

using namespace internal;
using eventstore::Position;
using eventstore::Record;

ProjectionEngine::ProjectionEngine(eventstore::EventLog& log, ViewStore& views,
                                   const eventstore::codec::EventCodec& codec,
                                   std::vector<ProjectionFactory> factories, EngineOptions options)
    : log_(log), views_(views), codec_(codec), options_(std::move(options)) {
  for (ProjectionFactory& f : factories) {
    auto slot = std::make_unique<Slot>();
    std::unique_ptr<Projection> probe = f();
    slot->name = std::string(probe->name());
    slot->version = probe->version();
    slot->make = [f = std::move(f), budget = options_.model_cache_bytes] {
      std::unique_ptr<Projection> p = f();
      p->SetCacheBudget(budget);
      return p;
    };
    slots_.push_back(std::move(slot));
  }
}

ProjectionEngine::~ProjectionEngine() { Stop(); }

namespace {

// Loads a table's rows into a fresh projection; returns its checkpoint, or nullopt when a row
// cannot be read.
std::optional<Position> LoadRows(Projection& p, const Table& table, Error* error) {
  Position checkpoint = 0;
  bool ok = true;
  std::unique_lock lock(p.mutex());
  if (!p.NeedsRowsAtStart()) {
    auto row = table.Get(kCheckpointKey);
    if (!row) {
      *error = row.error();
      return std::nullopt;
    }
    if (!*row) return Position{0};
    RowReader r(**row);
    checkpoint = r.U64();
    if (!r.done()) {
      *error =
          Error{ErrorCode::kCorruption, "unreadable checkpoint in " + table.name(), std::nullopt};
      return std::nullopt;
    }
    return checkpoint;
  }
  auto scanned = table.Scan("", "", [&](std::string_view key, std::string_view value) {
    if (key == kCheckpointKey) {
      RowReader r(value);
      checkpoint = r.U64();
      ok = r.done();
    } else {
      ok = p.LoadRow(key, value);
    }
    return ok;
  });
  if (!scanned) {
    *error = scanned.error();
    return std::nullopt;
  }
  if (ok) ok = p.FinishLoad();
  if (!ok) {
    *error = Error{ErrorCode::kCorruption, "unreadable row in " + table.name(), std::nullopt};
    return std::nullopt;
  }
  return checkpoint;
}

}  // namespace

Result<void> ProjectionEngine::LoadOrScheduleBuild(Slot& slot) {
  auto meta_bytes = views_.GetMeta(MetaKey("projection/", slot.name));
  if (!meta_bytes) return std::unexpected(meta_bytes.error());
  std::optional<Meta> meta = DecodeMeta(*meta_bytes);
  uint64_t highest_generation = meta ? meta->generation : 0;
  if (meta && meta->version == slot.version) {
    auto table = views_.OpenTable(TableName(slot.name, meta->generation));
    if (!table) return std::unexpected(table.error());
    std::shared_ptr<Projection> p = slot.make();
    p->Attach(*table);
    Error error;
    if (auto checkpoint = LoadRows(*p, **table, &error)) {
      slot.active = std::move(p);
      slot.generation = meta->generation;
      slot.position = *checkpoint;
      options_.logger->info("projection {} v{} loaded at position {}", slot.name, slot.version,
                            slot.position);
    } else {
      options_.logger->error("projection {}: {}; rebuilding it", slot.name, error.message);
    }
  } else if (meta) {
    options_.logger->info("projection {} is stored at version {}, this binary has {}: rebuilding",
                          slot.name, meta->version, slot.version);
  }

  auto build_bytes = views_.GetMeta(MetaKey("building/", slot.name));
  if (!build_bytes) return std::unexpected(build_bytes.error());
  std::optional<Meta> build = DecodeMeta(*build_bytes);
  if (build) highest_generation = std::max(highest_generation, build->generation);
  if (build && build->version == slot.version) {
    // An interrupted rebuild: continue from its checkpoint.
    auto table = views_.OpenTable(TableName(slot.name, build->generation));
    if (!table) return std::unexpected(table.error());
    std::shared_ptr<Projection> p = slot.make();
    p->Attach(*table);
    Error error;
    if (auto checkpoint = LoadRows(*p, **table, &error)) {
      slot.building = std::move(p);
      slot.build_generation = build->generation;
      slot.build_position = *checkpoint;
      options_.logger->info("projection {}: resuming its rebuild at position {}", slot.name,
                            slot.build_position);
      return {};
    }
    options_.logger->error("projection {}: {}; restarting its rebuild", slot.name, error.message);
  }
  if (slot.active) return {};
  return BeginBuild(slot, highest_generation + 1, /*fresh=*/true);
}

Result<void> ProjectionEngine::BeginBuild(Slot& slot, uint64_t generation, bool fresh) {
  const std::string table_name = TableName(slot.name, generation);
  if (fresh) {
    std::vector<std::string> names = views_.TableNames();
    if (std::find(names.begin(), names.end(), table_name) != names.end()) {
      auto stale = views_.OpenTable(table_name);
      if (!stale) return std::unexpected(stale.error());
      if (auto dropped = views_.DropTable(*stale); !dropped) return dropped;
    }
  }
  auto table = views_.OpenTable(table_name);
  if (!table) return std::unexpected(table.error());
  ViewBatch meta;
  meta.PutMeta(MetaKey("building/", slot.name), EncodeMeta({slot.version, generation}));
  if (auto written = views_.Write(meta); !written) return written;
  std::shared_ptr<Projection> p = slot.make();
  p->Attach(*table);
  p->SetBulk(true);  // a fresh table: write every row once, at the end
  std::lock_guard lock(mu_);
  slot.building = std::move(p);
  slot.build_generation = generation;
  slot.build_position = 0;
  return {};
}

Result<void> ProjectionEngine::Start() {
  bool any_building = false;
  Position start = log_.LastPosition();
  bool any_active = false;
  for (auto& slot : slots_) {
    if (auto r = LoadOrScheduleBuild(*slot); !r) return r;
    if (slot->building) any_building = true;
    if (slot->active) {
      start = any_active ? std::min(start, slot->position) : slot->position;
      any_active = true;
    }
  }
  auto sub = log_.Subscribe(start);
  if (!sub) return std::unexpected(sub.error());
  subscription_ = std::move(*sub);
  live_ = std::thread([this] { LiveLoop(); });
  if (any_building) StartBuilder();
  return {};
}

void ProjectionEngine::StartBuilder() {
  {
    std::lock_guard lock(mu_);
    building_ = true;
  }
  if (builder_.joinable()) builder_.join();
  builder_ = std::thread([this] { BuildLoop(); });
}

void ProjectionEngine::Stop() {
  if (stopping_.exchange(true)) return;
  if (subscription_) subscription_->Close();
  if (live_.joinable()) live_.join();
  if (builder_.joinable()) builder_.join();
  cv_.notify_all();
}

void ProjectionEngine::Fail(const std::string& why) {
  options_.logger->error("projections stopped: {}", why);
  std::lock_guard lock(mu_);
  if (failure_.empty()) failure_ = why;
  cv_.notify_all();
}

std::string ProjectionEngine::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

bool ProjectionEngine::Decode(const std::vector<Record>& records, std::vector<Decoded>& out,
                              bool parallel) {
  out.clear();
  out.resize(records.size());
  std::atomic<bool> ok{true};
  auto decode = [&](size_t from, size_t to) {
    for (size_t i = from; i < to && ok; ++i) {
      const Record& r = records[i];
      std::optional<eventstore::codec::StreamOwner> owner =
          eventstore::codec::ParseStream(r.stream);
      if (!owner) continue;  // not a Roster stream
      auto event = codec_.Decode(r);
      if (!event) {
        Fail("cannot decode record " + std::to_string(r.position) + " (" + r.type +
             "): " + event.error().message);
        ok = false;
        return;
      }
      out[i] = Decoded{&r, std::move(owner->org), std::move(*event)};
    }
  };
  // Large batches (rebuilds) are decoded by two threads: decoding is half of a rebuild's work.
  if (parallel && records.size() >= 1024) {
    const size_t half = records.size() / 2;
    std::thread second(decode, half, records.size());
    decode(0, half);
    second.join();
  } else {
    decode(0, records.size());
  }
  std::erase_if(out, [](const Decoded& d) { return d.record == nullptr; });
  return ok;
}

bool ProjectionEngine::ApplyDecoded(const std::vector<Decoded>& decoded, std::vector<Slot*>& slots,
                                    bool building) {
  ApplyEach(decoded, slots, building);
  for (Slot* slot : slots) {
    Projection& p = building ? *slot->building : *slot->active;
    std::shared_lock lock(p.mutex());
    if (std::string failure = p.failure(); !failure.empty()) {
      Fail("projection " + slot->name + ": " + failure);
      return false;
    }
  }
  return true;
}

void ProjectionEngine::ApplyEach(const std::vector<Decoded>& decoded, std::vector<Slot*>& slots,
                                 bool building) {
  auto apply = [&](Slot* slot) {
    Projection& p = building ? *slot->building : *slot->active;
    const Position at = building ? slot->build_position : slot->position;
    std::unique_lock lock(p.mutex());
    const auto begin = Clock::now();
    for (const Decoded& d : decoded) {
      if (d.record->position > at) p.Apply(EventContext{*d.record, d.event, d.org});
    }
    if (building) slot->build_apply_seconds += Seconds(Clock::now() - begin);
  };
  if (!building || slots.size() < 2 || decoded.size() < 1024) {
    for (Slot* slot : slots) apply(slot);
    return;
  }
  // A rebuild applies to the projections on two threads, split by the work each took so far.
  std::vector<Slot*> order(slots);
  std::sort(order.begin(), order.end(), [](const Slot* a, const Slot* b) {
    return a->build_apply_seconds > b->build_apply_seconds;
  });
  std::vector<Slot*> mine, theirs;
  double mine_load = 0, their_load = 0;
  for (Slot* s : order) {
    const double load = std::max(s->build_apply_seconds, 1e-9);
    if (mine_load <= their_load) {
      mine.push_back(s);
      mine_load += load;
    } else {
      theirs.push_back(s);
      their_load += load;
    }
  }
  std::thread other([&] {
    for (Slot* s : theirs) apply(s);
  });
  for (Slot* s : mine) apply(s);
  other.join();
}

void ProjectionEngine::LiveLoop() {
  pthread_setname_np(pthread_self(), "roster-views");
  RowBuffer rows;            // one projection's rows of a flush, reused
  bool unreachable = false;  // the log's server is away (said once per outage)
  while (!stopping_) {
    auto next = subscription_->Next(options_.live_batch, std::chrono::milliseconds(250));
    if (!next && next.error().code == ErrorCode::kUnavailable) {
      // A log on another server (PostgreSQL) can be away for a while: the read models keep
      // answering at their position, and catch up once it is back. Nothing was consumed.
      if (!unreachable) {
        options_.logger->warn("projections wait for the log: {}", next.error().message);
        unreachable = true;
      }
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_.load(); });
      continue;
    }
    if (!next) {
      if (next.error().code != ErrorCode::kClosed) Fail("reading the log: " + next.error().message);
      return;
    }
    if (unreachable) {
      options_.logger->info("projections read the log again");
      unreachable = false;
    }
    if (next->empty()) continue;
    std::lock_guard apply(apply_mu_);
    std::vector<Slot*> active;
    {
      std::lock_guard lock(mu_);
      for (auto& s : slots_) {
        if (s->active) active.push_back(s.get());
      }
    }
    std::vector<Decoded> decoded;
    if (!Decode(*next, decoded)) return;
    if (!ApplyDecoded(decoded, active, /*building=*/false)) return;
    ViewBatch batch;
    const Position last = next->back().position;
    for (Slot* slot : active) {
      {
        std::unique_lock lock(slot->active->mutex());
        rows.Clear();
        CollectSink collect(rows);
        slot->active->Flush(collect);
      }
      // In key order, each row lands next to the one before it in the table's memtable, and
      // RocksDB's skip list then searches only the levels below where the two part, instead
      // of from the top for every row written in hash order.
      rows.Sort();
      BatchSink sink(batch, slot->active->table());
      for (size_t i = 0; i < rows.size(); ++i) {
        if (rows.put(i)) {
          sink.Put(rows.key(i), rows.value(i));
        } else {
          sink.Delete(rows.key(i));
        }
      }
      sink.Put(kCheckpointKey, EncodePosition(std::max(slot->position, last)));
    }
    if (auto written = views_.Write(batch); !written) {
      Fail("writing projections: " + written.error().message);
      return;
    }
    for (Slot* slot : active) {
      std::unique_lock lock(slot->active->mutex());
      slot->active->Flushed();
    }
    std::lock_guard lock(mu_);
    for (Slot* s : active) s->position = std::max(s->position, next->back().position);
    cv_.notify_all();
  }
}

std::shared_ptr<Projection> ProjectionEngine::Active(std::string_view name) const {
  std::lock_guard lock(mu_);
  for (const auto& s : slots_) {
    if (s->name == name) return s->active;
  }
  return nullptr;
}

Result<void> ProjectionEngine::WaitFor(std::string_view name, Position position,
                                       std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  const Slot* slot = nullptr;
  for (const auto& s : slots_) {
    if (s->name == name) slot = s.get();
  }
  if (slot == nullptr) {
    return std::unexpected(Error{ErrorCode::kInvalidArgument,
                                 "no projection named " + std::string(name), std::nullopt});
  }
  const bool reached = cv_.wait_for(lock, timeout, [&] {
    return !failure_.empty() || stopping_ || (slot->active && slot->position >= position);
  });
  if (!failure_.empty()) {
    return std::unexpected(
        Error{ErrorCode::kStoreFailed, "projections stopped: " + failure_, std::nullopt});
  }
  if (reached && slot->active && slot->position >= position) return {};
  std::string why = slot->active ? "projection " + slot->name + " is at position " +
                                       std::to_string(slot->position) + ", not yet " +
                                       std::to_string(position)
                                 : "projection " + slot->name + " is being rebuilt (at " +
                                       std::to_string(slot->build_position) + ")";
  return std::unexpected(Error{ErrorCode::kTimeout, why, std::nullopt});
}

Result<void> ProjectionEngine::CatchUp(std::chrono::milliseconds timeout) const {
  const Position target = log_.LastPosition();
  const auto deadline = Clock::now() + timeout;
  for (const auto& s : slots_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (auto r = WaitFor(s->name, target, std::max(left, std::chrono::milliseconds(0))); !r)
      return r;
  }
  return {};
}

Result<void> ProjectionEngine::Rebuild(const std::vector<std::string>& names) {
  std::vector<Slot*> chosen;
  {
    std::lock_guard lock(mu_);
    if (building_) {
      return std::unexpected(
          Error{ErrorCode::kInvalidArgument, "a rebuild is already running", std::nullopt});
    }
    for (auto& s : slots_) {
      if (names.empty() || std::find(names.begin(), names.end(), s->name) != names.end()) {
        chosen.push_back(s.get());
      }
    }
    std::string unknown, known;
    for (const auto& n : names) {
      if (std::none_of(slots_.begin(), slots_.end(), [&](const auto& s) { return s->name == n; })) {
        unknown += (unknown.empty() ? "'" : ", '") + n + "'";
      }
    }
    if (!unknown.empty() || chosen.empty()) {
      for (const auto& s : slots_) known += (known.empty() ? "" : ", ") + s->name;
      return std::unexpected(Error{ErrorCode::kInvalidArgument,
                                   "unknown projection name " + unknown + " (known: " + known + ")",
                                   std::nullopt});
    }
    building_ = true;
  }
  for (size_t i = 0; i < chosen.size(); ++i) {
    Slot* s = chosen[i];
    if (auto r = BeginBuild(*s, std::max(s->generation, s->build_generation) + 1, true); !r) {
      std::lock_guard lock(mu_);
      // No builder will run for the ones already begun: Describe must not report them building.
      for (size_t j = 0; j < i; ++j) chosen[j]->building.reset();
      building_ = false;
      return r;
    }
  }
  StartBuilder();
  return {};
}

void ProjectionEngine::WaitForRebuilds() const {
  std::unique_lock lock(mu_);
  // Not also until a failure: a failed rebuild is over only once its builder has cleaned up.
  cv_.wait(lock, [&] { return !building_; });
}

eventstore::Position ProjectionEngine::PositionOf(std::string_view name) const {
  std::lock_guard lock(mu_);
  for (const auto& s : slots_) {
    if (s->name == name) return s->position;
  }
  return 0;
}

std::vector<ProjectionStatus> ProjectionEngine::Describe() const {
  std::lock_guard lock(mu_);
  std::vector<ProjectionStatus> out;
  for (const auto& s : slots_) {
    out.push_back(ProjectionStatus{s->name, s->version, s->generation, s->active != nullptr,
                                   s->position, s->building != nullptr, s->build_position,
                                   s->active ? s->active->cache_stats() : std::nullopt});
  }
  return out;
}

}  // namespace roster::projections
