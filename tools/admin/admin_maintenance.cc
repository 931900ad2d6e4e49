// roster-admin stats and rebuild.
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>
#include <unordered_set>

#include "eventstore/codec/streams.h"
#include "projections/row_codec.h"
#include "projections/view_store.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/open_data_dir.h"

namespace roster::tools::admin {

using eventstore::Position;

namespace {

uint64_t BytesUnder(const std::filesystem::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

// The engine's meta layout (projection_engine.cc): "projection/<name>" -> u32 version,
// u64 generation; the checkpoint row "\xff\xff.checkpoint" -> u64 position in "<name>@<gen>".
struct StoredProjection {
  uint32_t version = 0;
  Position position = 0;
  bool present = false;
};

StoredProjection ReadStored(projections::ViewStore& views, const std::string& name) {
  StoredProjection out;
  auto meta = views.GetMeta("projection/" + name);
  if (!meta || !*meta) return out;
  projections::RowReader r(**meta);
  out.version = r.U32();
  const uint64_t generation = r.U64();
  auto table = views.OpenTable(name + "@" + std::to_string(generation));
  if (!table) return out;
  auto checkpoint = (*table)->Get(std::string_view("\xff\xff.checkpoint"));
  if (checkpoint && *checkpoint) {
    projections::RowReader c(**checkpoint);
    out.position = c.U64();
  }
  out.present = true;
  return out;
}

}  // namespace

int RunStats(const std::filesystem::path& dir, const Streams& io) {
  auto log = OpenLogReadOnly(dir, io.err);
  if (!log) return 2;
  const Position last = log->LastPosition();
  std::unordered_set<std::string> streams;
  std::map<std::string, int64_t> members;  // active members per live organization
  std::set<std::string> orgs, deleted;
  for (Position pos = 1; pos <= last;) {
    auto records = log->ReadAll(pos, 8192);
    if (!records) {
      io.err << "roster-admin stats: " << records.error().message << "\n";
      return 1;
    }
    if (records->empty()) break;
    for (const auto& r : *records) {
      pos = r.position + 1;
      streams.insert(r.stream);
      auto owner = eventstore::codec::ParseStream(r.stream);
      if (!owner || owner->activity) continue;
      const std::string& org = owner->org.value;
      if (r.type == "organization.created")
        orgs.insert(org);
      else if (r.type == "organization.deleted")
        deleted.insert(org);
      else if (r.type == "member.joined")
        ++members[org];
      else if (r.type == "member.removed" || r.type == "member.left")
        --members[org];
    }
    if (io.progress) DrawProgress(io.err, "stats", pos - 1, last);
  }
  if (io.progress) io.err << "\n";
  int64_t active_members = 0;
  for (const auto& [org, n] : members) {
    if (!deleted.contains(org)) active_members += n;
  }
  io.out << "records: " << last << "\n"
         << "streams: " << streams.size() << "\n"
         << "organizations: " << orgs.size() << " (" << deleted.size() << " deleted)\n"
         << "active members: " << active_members << "\n"
         << "size on disk: log " << BytesUnder(dir / "log") << " bytes, views "
         << BytesUnder(dir / "views") << " bytes\n";
  projections::ViewStoreOptions view_options;
  view_options.read_only = true;
  auto views = std::filesystem::is_directory(dir / "views")
                   ? projections::ViewStore::Open(dir / "views", view_options)
                   : eventstore::Result<std::unique_ptr<projections::ViewStore>>(nullptr);
  eventstore::codec::EventCodec codec;
  io.out << "projections:\n";
  for (const auto& make : api::service::Node::ProjectionFactories(*log, codec)) {
    auto projection = make();
    const std::string name(projection->name());
    StoredProjection stored;
    if (views && *views) stored = ReadStored(**views, name);
    io.out << "  " << name << ": ";
    if (!stored.present) {
      io.out << "not built (built when rosterd next opens the directory)\n";
      continue;
    }
    io.out << "version " << stored.version << ", position " << stored.position << ", lag "
           << (last > stored.position ? last - stored.position : 0);
    if (stored.version != projection->version()) {
      io.out << ", STALE: this binary has version " << projection->version()
             << " (rebuilt automatically on next open)";
    }
    io.out << "\n";
  }
  return 0;
}

int RunRebuild(const std::filesystem::path& dir, const std::vector<std::string>& names,
               const Streams& io) {
  domain::ManualClock clock(domain::Time{});  // nothing here decides or expires anything
  auto node = OpenNodeExclusive(dir, clock, io.err);
  if (!node) return 2;
  auto& engine = node->engine();
  engine.WaitForRebuilds();  // projections stale since an upgrade are rebuilt on open
  const Position last = node->log().LastPosition();
  const auto start = std::chrono::steady_clock::now();
  if (auto started = engine.Rebuild(names); !started) {
    io.err << "roster-admin rebuild: " << started.error().message << "\n";
    return 2;
  }
  while (true) {
    bool building = false;
    Position reached = last;
    for (const auto& s : engine.Describe()) {
      if (s.building) {
        building = true;
        reached = std::min(reached, s.build_position);
      }
    }
    if (!building) break;
    if (io.progress) DrawProgress(io.err, "rebuild", reached, last);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  engine.WaitForRebuilds();
  if (io.progress) io.err << "\n";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!engine.failure().empty()) {
    io.err << "roster-admin rebuild: failed: " << engine.failure() << "\n";
    return 1;
  }
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.0f", seconds > 0 ? last / seconds : 0.0);
  io.out << "rebuild: ";
  for (const auto& s : engine.Describe()) {
    if (names.empty() || std::find(names.begin(), names.end(), s.name) != names.end()) {
      io.out << s.name << " (version " << s.version << ", generation " << s.generation
             << ", position " << s.position << ") ";
    }
  }
  io.out << "from " << last << " events in " << seconds << " s (" << rate << " events/s)\n";
  return 0;
}

}  // namespace roster::tools::admin
