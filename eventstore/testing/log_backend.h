// The event log's test suite runs against every EventLog backend: its tests are value-
// parameterized (TEST_P) over a LogBackendParam, and each test binary links one definition of
// LogBackends() naming the backends it runs (eventstore_test: RocksDB; eventstore_pg_test:
// PostgreSQL, on a server the binary starts), so that each backend's cases carry their own CTest
// label. A suite file instantiates itself with ROSTER_INSTANTIATE_LOG_SUITE(Suite).
//
// A LogBackend gives each test a fresh, empty log of its own and can open it again. Header-only
// apart from LogBackends(); not thread-safe (one per test).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "eventstore/event_log.h"

namespace roster::eventstore::testing {

// The counters both backends keep, under the same names.
struct LogStats {
  uint64_t appends = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t commits = 0;
};

class LogBackend {
 public:
  virtual ~LogBackend() = default;
  // A fresh, empty log (the first call), or the same log opened again once the caller has
  // dropped the previous one. Aborts the test binary when the log cannot be opened.
  virtual std::unique_ptr<EventLog> Open() = 0;
  virtual LogStats Stats(EventLog& log) = 0;
  // Closes the log as the backend's Close() does (answer what is queued, fail later calls).
  virtual void Close(EventLog& log) = 0;
};

struct LogBackendParam {
  const char* name;
  std::unique_ptr<LogBackend> (*make)();
};
// GoogleTest prints a parameter into each test's CTest name: its backend, not its bytes.
inline void PrintTo(const LogBackendParam& param, std::ostream* os) { *os << param.name; }

// Defined once per test binary.
std::vector<LogBackendParam> LogBackends();

inline std::string LogBackendName(const ::testing::TestParamInfo<LogBackendParam>& info) {
  return info.param.name;
}

// The usual fixture: a fresh log per test.
class LogTest : public ::testing::TestWithParam<LogBackendParam> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    log_ = backend_->Open();
  }
  // Drops the log and opens it again.
  void Reopen() {
    log_.reset();
    log_ = backend_->Open();
  }
  LogStats stats() { return backend_->Stats(*log_); }

  std::unique_ptr<LogBackend> backend_;
  std::unique_ptr<EventLog> log_;
};

// A Record with the view's fields copied out.
inline Record ToRecord(const RecordView& view) {
  Record r;
  r.position = view.position;
  r.stream = std::string(view.stream);
  r.stream_version = view.stream_version;
  r.type = std::string(view.type);
  r.revision = view.revision;
  r.metadata =
      EventMetadata{std::string(view.actor), std::string(view.command_id),
                    std::string(view.correlation_id), std::string(view.source), view.time_us};
  r.payload = std::string(view.payload);
  std::copy(view.prev_hash.begin(), view.prev_hash.end(), r.prev_hash.begin());
  std::copy(view.hash.begin(), view.hash.end(), r.hash.begin());
  return r;
}

}  // namespace roster::eventstore::testing

#define ROSTER_INSTANTIATE_LOG_SUITE(suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                   \
                           ::testing::ValuesIn(::roster::eventstore::testing::LogBackends()), \
                           ::roster::eventstore::testing::LogBackendName)
