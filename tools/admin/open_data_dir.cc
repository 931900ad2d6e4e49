#include "tools/admin/open_data_dir.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace roster::tools::admin {

std::unique_ptr<eventstore::RocksEventStore> OpenLogReadOnly(const std::filesystem::path& dir,
                                                             std::ostream& err) {
  if (!std::filesystem::is_directory(dir / "log")) {
    err << "roster-admin: " << dir.string() << " is not a Roster data directory (no log/)\n";
    return nullptr;
  }
  eventstore::StoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  auto store = eventstore::OpenRocksEventStore(dir / "log", options);
  if (!store) {
    err << "roster-admin: cannot open " << (dir / "log").string() << ": " << store.error().message
        << "\n";
    return nullptr;
  }
  return std::move(*store);
}

std::unique_ptr<api::service::Node> OpenNodeExclusive(const std::filesystem::path& dir,
                                                      const domain::Clock& clock,
                                                      std::ostream& err) {
  if (!std::filesystem::is_directory(dir / "log")) {
    err << "roster-admin: " << dir.string() << " is not a Roster data directory (no log/)\n";
    return nullptr;
  }
  api::service::NodeOptions options;
  options.store.create_if_missing = false;
  options.run_sweeper = false;  // an offline tool records nothing
  auto logger =
      std::make_shared<spdlog::logger>("admin", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto node = api::service::Node::Open(dir, clock, logger, options);
  if (!node) {
    const std::string& why = node.error().message;
    err << "roster-admin: cannot open " << dir.string() << " for writing: " << why << "\n";
    if (why.find("LOCK") != std::string::npos || why.find("lock") != std::string::npos) {
      err << "roster-admin: the directory is in use, most likely by a running rosterd; stop it "
             "first (read-only commands such as verify, export and stats work while it runs)\n";
    }
    return nullptr;
  }
  return std::move(*node);
}

void DrawProgress(std::ostream& err, const std::string& label, uint64_t done, uint64_t total) {
  constexpr int kWidth = 30;
  const double share = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(share * kWidth);
  err << '\r' << label << " [" << std::string(filled, '#') << std::string(kWidth - filled, '.')
      << "] " << static_cast<int>(share * 100) << "% " << done << "/" << total << std::flush;
}

}  // namespace roster::tools::admin
