// The event log's test suite on the RocksDB backend: a fresh store directory per test.
#include <memory>

#include "eventstore/rocks_event_store.h"
#include "eventstore/testing/log_backend.h"
#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"

namespace roster::eventstore::testing {
namespace {

class RocksBackend final : public LogBackend {
 public:
  std::unique_ptr<EventLog> Open() override { return OpenOrDie(dir_.path()); }
  LogStats Stats(EventLog& log) override {
    const auto s = static_cast<RocksEventStore&>(log).stats();
    return {s.appends, s.duplicates, s.rejected, s.commits};
  }
  void Close(EventLog& log) override { static_cast<RocksEventStore&>(log).Close(); }

 private:
  TempDir dir_;
};

}  // namespace

std::vector<LogBackendParam> LogBackends() {
  return {{"RocksDB", [] { return std::unique_ptr<LogBackend>(new RocksBackend()); }}};
}

}  // namespace roster::eventstore::testing
