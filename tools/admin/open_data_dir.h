// Opening a data directory for the admin tool: the log read-only (no lock, safe beside a live
// rosterd), or the whole node read-write (exclusive: refused while rosterd holds it).
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "api/service/node.h"
#include "eventstore/rocks_event_store.h"

namespace roster::tools::admin {

// Null after writing why to `err` (a missing directory, not a Roster store, ...).
std::unique_ptr<eventstore::RocksEventStore> OpenLogReadOnly(const std::filesystem::path& dir,
                                                             std::ostream& err);

// Null after writing why to `err`; names a live rosterd as the likely holder of the lock.
std::unique_ptr<api::service::Node> OpenNodeExclusive(const std::filesystem::path& dir,
                                                      const domain::Clock& clock,
                                                      std::ostream& err);

// Draws "label [#####.....] 45% 450000/1000000" on a terminal, in place.
void DrawProgress(std::ostream& err, const std::string& label, uint64_t done, uint64_t total);

}  // namespace roster::tools::admin
