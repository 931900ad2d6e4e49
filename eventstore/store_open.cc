// OpenRocksEventStore: decides whether a directory is a Roster store we can open, creates one
// when it is missing or empty, and wires up the StoreCore and the writer.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "eventstore/internal/append_writer.h"
#include "eventstore/internal/record_codec.h"
#include "eventstore/internal/record_format.h"
#include "eventstore/internal/rocks_options.h"
#include "eventstore/internal/rocks_status.h"
#include "eventstore/internal/store_core.h"
#include "eventstore/rocks_event_store.h"

namespace roster::eventstore {
namespace {

namespace fs = std::filesystem;

std::unexpected<Error> NotAStore(const fs::path& dir, const std::string& why) {
  return Fail(ErrorCode::kNotARosterStore, dir.string() + " is not a Roster store: " + why);
}

std::unexpected<Error> IoError(const fs::path& dir, const std::string& what,
                               const std::error_code& ec) {
  return Fail(ErrorCode::kIoError, dir.string() + ": " + what + ": " + ec.message());
}

// A trailing slash would make "dir.roster-creating" a child of dir rather than a sibling.
fs::path Normalize(const fs::path& dir) {
  fs::path out = fs::absolute(dir).lexically_normal();
  if (!out.has_filename()) out = out.parent_path();
  return out;
}

Result<void> SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::error_code ec(errno, std::generic_category());
    if (fd >= 0) ::close(fd);
    return IoError(dir, "syncing the directory", ec);
  }
  ::close(fd);
  return {};
}

// Creates an empty RocksDB with Roster's column families and meta key in `path`.
Result<void> CreateDatabase(const fs::path& path, const StoreOptions& options) {
  rocksdb::DBOptions db_options = internal::MakeDbOptions(options);
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  const auto families = internal::MakeColumnFamilies(internal::RosterColumnFamilyNames(), options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, path.string(), families, &handles, &raw);
  if (!s.ok()) return internal::FailFromStatus(s, "creating a store in " + path.string());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write;
  write.sync = true;
  s = db->Put(write, handles[0], std::string(internal::kMetaKey),
              internal::EncodeMeta(internal::kFormatVersion));
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  if (s.ok()) s = db->Close();
  if (!s.ok()) return internal::FailFromStatus(s, "creating a store in " + path.string());
  return {};
}

// Builds the store next to `dir` and renames it into place: a crash part-way leaves only the
// sibling, which the next attempt removes. `dir` is missing or empty.
Result<void> CreateStore(const fs::path& dir, const StoreOptions& options) {
  std::error_code ec;
  fs::path staging = dir;
  staging += ".roster-creating";
  fs::remove_all(staging, ec);
  if (ec) return IoError(staging, "removing a stale creation directory", ec);
  fs::create_directories(dir.parent_path(), ec);
  if (ec) return IoError(dir.parent_path(), "creating the parent directory", ec);
  if (auto created = CreateDatabase(staging, options); !created) {
    fs::remove_all(staging, ec);  // best effort; the next attempt removes it anyway
    return created;
  }
  fs::rename(staging, dir, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    // A mount point cannot be renamed over; create in place. A crash during this narrow
    // window leaves a RocksDB without our meta key, which later opens refuse by name.
    return CreateDatabase(dir, options);
  }
  return SyncDirectory(dir.parent_path());
}

// Refuses anything that is not a Roster store, or is one of a newer format.
Result<void> CheckMeta(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* meta, const fs::path& dir) {
  std::string value;
  const rocksdb::Status s =
      db.Get(rocksdb::ReadOptions(), meta, std::string(internal::kMetaKey), &value);
  if (s.IsNotFound()) return NotAStore(dir, "a RocksDB database without Roster's meta key");
  if (!s.ok()) return internal::FailFromStatus(s, "reading the meta key in " + dir.string());
  const auto version = internal::ParseMeta(value);
  if (!version) return NotAStore(dir, "its meta key does not hold a Roster format marker");
  if (*version > internal::kFormatVersion) {
    return Fail(ErrorCode::kNewerFormat,
                dir.string() + " holds a Roster store of format version " +
                    std::to_string(*version) + "; this program reads format versions up to " +
                    std::to_string(internal::kFormatVersion) + ". Use a newer Roster.");
  }
  if (*version == 0) return NotAStore(dir, "its meta key names format version 0");
  return {};
}

struct LogEnd {
  Position position = 0;
  Hash hash{};
  int64_t time_us = INT64_MIN;
};

Result<LogEnd> ReadLogEnd(internal::StoreCore& core) {
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(rocksdb::ReadOptions(), core.log));
  it->SeekToLast();
  if (!it->status().ok()) return internal::FailFromStatus(it->status(), "reading the log's end");
  if (!it->Valid()) return LogEnd{};
  if (it->key().size() != internal::kPositionKeySize) {
    return Fail(ErrorCode::kCorruption, core.dir.string() + ": the last log key is malformed");
  }
  LogEnd end;
  end.position = internal::DecodePositionKey(it->key().ToStringView());
  auto view = internal::ParseRecord(it->value().ToStringView());
  if (!view) {
    // A writer could not chain onto it; a read-only open (verify, dump) still may look.
    if (!core.options.read_only) {
      return Fail(ErrorCode::kCorruption, core.dir.string() + ": the last record (position " +
                                              std::to_string(end.position) +
                                              ") cannot be decoded: " + view.error() +
                                              "; open read-only and run verify");
    }
    return end;
  }
  end.hash = internal::ToHash(view->hash);
  end.time_us = view->time_us;
  return end;
}

Result<std::unique_ptr<internal::StoreCore>> OpenExisting(const fs::path& dir,
                                                          const StoreOptions& options) {
  rocksdb::DBOptions db_options = internal::MakeDbOptions(options);
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, dir.string(), &names);
  if (!s.ok())
    return NotAStore(dir, "it cannot be read as a RocksDB database (" + s.ToString() + ")");
  const auto ours = internal::RosterColumnFamilyNames();
  for (const std::string& name : ours) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      return NotAStore(dir, "a RocksDB database without Roster's column family '" + name + "'");
    }
  }
  // Our families first, in handle order, then any others (RocksDB must open them all).
  std::vector<std::string> ordered = ours;
  for (const std::string& name : names) {
    if (std::find(ours.begin(), ours.end(), name) == ours.end()) ordered.push_back(name);
  }

  auto core = std::make_unique<internal::StoreCore>(dir, options, 0);
  rocksdb::DB* raw = nullptr;
  const auto families = internal::MakeColumnFamilies(ordered, options);
  s = options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir.string(), families, &core->handles, &raw)
          : rocksdb::DB::Open(db_options, dir.string(), families, &core->handles, &raw);
  if (!s.ok()) return internal::FailFromStatus(s, "opening the store in " + dir.string());
  core->db.reset(raw);
  core->meta = core->handles[0];
  core->log = core->handles[1];
  core->streams = core->handles[2];
  core->commands = core->handles[3];
  if (auto meta = CheckMeta(*core->db, core->meta, dir); !meta) {
    return std::unexpected(std::move(meta.error()));
  }
  return core;
}

}  // namespace

Result<std::unique_ptr<RocksEventStore>> OpenRocksEventStore(const fs::path& dir_in,
                                                             const StoreOptions& options) {
  if (options.max_group_appends == 0) {
    return Fail(ErrorCode::kInvalidArgument, "max_group_appends must be at least 1");
  }
  const fs::path dir = Normalize(dir_in);
  const bool may_create = options.create_if_missing && !options.read_only;
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) return IoError(dir, "reading", ec);

  bool create = false;
  if (!fs::exists(status)) {
    if (!may_create) return NotAStore(dir, "the directory does not exist");
    create = true;
  } else if (!fs::is_directory(status)) {
    return NotAStore(dir, "it is not a directory");
  } else {
    const bool empty = fs::is_empty(dir, ec);
    if (ec) return IoError(dir, "listing", ec);
    if (empty) {
      if (!may_create) return NotAStore(dir, "the directory is empty");
      create = true;
    } else if (!fs::exists(dir / "CURRENT", ec)) {
      return NotAStore(dir, "the directory is not empty and holds no RocksDB database");
    }
  }
  if (create) {
    if (auto created = CreateStore(dir, options); !created) {
      return std::unexpected(std::move(created.error()));
    }
  }

  auto core = OpenExisting(dir, options);
  if (!core) return std::unexpected(std::move(core.error()));
  auto end = ReadLogEnd(**core);
  if (!end) return std::unexpected(std::move(end.error()));
  (*core)->board.Publish(end->position);
  std::unique_ptr<internal::AppendWriter> writer;
  if (!options.read_only) {
    auto sha = internal::Sha256::Create();
    if (!sha) return std::unexpected(std::move(sha.error()));
    writer = std::make_unique<internal::AppendWriter>(**core, end->position, end->hash,
                                                      end->time_us, std::move(*sha));
  }
  return std::unique_ptr<RocksEventStore>(new RocksEventStore(std::move(*core), std::move(writer)));
}

}  // namespace roster::eventstore
