#include "tools/bench/append_load.h"

#include <atomic>
#include <vector>

#include "eventstore/testing/store_helpers.h"
#include "eventstore/testing/temp_dir.h"

namespace roster::bench {

namespace es = roster::eventstore;

LoadResult DurableAppendLoad(const std::string& dir_base, double seconds, int threads,
                             size_t value_bytes, es::RocksEventStore::Stats* stats) {
  es::testing::TempDir dir("roster-bench-append", dir_base);
  auto store = es::testing::OpenOrDie(dir.path(), es::StoreOptions{});
  const std::string payload(value_bytes, 'v');
  std::vector<es::StreamVersion> heads(threads, es::kNoStreamVersion);
  std::atomic<bool> reported{false};
  auto result = RunLoad(threads, std::chrono::duration<double>(seconds), [&](int t, uint64_t i) {
    es::AppendRequest request;
    request.stream = es::testing::Numbered("bench-stream-", t);
    request.expected = es::ExpectedVersion::Exactly(heads[t]);
    request.events.push_back(es::NewEvent{"bench.appended", 1, payload});
    request.metadata.actor = "bench";
    request.metadata.command_id = request.stream + "/" + std::to_string(i);
    request.metadata.source = "roster-bench";
    auto appended = store->Append(std::move(request));
    if (!appended) {
      if (!reported.exchange(true)) Progress("append failed: " + appended.error().message);
      return false;
    }
    heads[t] = appended->last_version;
    return true;
  });
  if (stats) *stats = store->stats();
  return result;
}

}  // namespace roster::bench
