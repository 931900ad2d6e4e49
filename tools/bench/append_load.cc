#include "tools/bench/append_load.h"

#include <atomic>

#include "eventstore/testing/store_helpers.h"

namespace roster::tools::bench {

namespace es = roster::eventstore;

DurableAppender::DurableAppender(const std::string& dir_base, int threads, size_t value_bytes)
    : dir_("roster-bench-append", dir_base),
      store_(es::testing::OpenOrDie(dir_.path(), es::StoreOptions{})),
      threads_(threads),
      payload_(value_bytes, 'v'),
      heads_(threads, es::kNoStreamVersion),
      next_(threads, 0) {}

LoadResult DurableAppender::Run(double seconds) {
  std::atomic<bool> reported{false};
  return RunLoad(threads_, std::chrono::duration<double>(seconds), [&](int t, uint64_t) {
    es::AppendRequest request;
    request.stream = es::testing::Numbered("bench-stream-", t);
    request.expected = es::ExpectedVersion::Exactly(heads_[t]);
    request.events.push_back(es::NewEvent{"bench.appended", 1, payload_});
    request.metadata.actor = "bench";
    request.metadata.command_id = request.stream + "/" + std::to_string(next_[t]++);
    request.metadata.source = "roster-bench";
    auto appended = store_->Append(std::move(request));
    if (!appended) {
      if (!reported.exchange(true)) Progress("append failed: " + appended.error().message);
      return false;
    }
    heads_[t] = appended->last_version;
    return true;
  });
}

LoadResult DurableAppendLoad(const std::string& dir_base, double seconds, int threads,
                             size_t value_bytes, es::RocksEventStore::Stats* stats) {
  DurableAppender appender(dir_base, threads, value_bytes);
  LoadResult result = appender.Run(seconds);
  if (stats) *stats = appender.stats();
  return result;
}

}  // namespace roster::tools::bench
