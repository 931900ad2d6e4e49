#include "api/http/metrics.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>

namespace roster::api::http {
namespace {

// Label values come from route kinds and projection names (ours), but are escaped anyway so a
// future name cannot break the exposition format.
std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Durations(std::string& out, std::string_view name, std::string_view help,
               const eventstore::DurationHistogram& histogram) {
  Header(out, name, "histogram", help);
  const auto s = histogram.snapshot();
  auto append = std::back_inserter(out);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < eventstore::DurationHistogram::kBounds.size(); ++i) {
    cumulative += s.buckets[i];
    fmt::format_to(append, "{}_bucket{{le=\"{}\"}} {}\n", name,
                   eventstore::DurationHistogram::kBounds[i], cumulative);
  }
  cumulative += s.buckets.back();
  fmt::format_to(append, "{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, cumulative,
                 name, s.sum_seconds, name, cumulative);
}

}  // namespace

void Metrics::Observe(std::string_view kind, std::string_view family, unsigned status,
                      std::string_view code, double seconds) {
  std::lock_guard lock(mu_);
  requests_[{std::string(kind), status, code.empty() ? "OK" : std::string(code)}]++;
  auto it = latency_.find(family);
  if (it == latency_.end()) it = latency_.emplace(std::string(family), Histogram{}).first;
  Histogram& h = it->second;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      h.buckets[i]++;
      break;
    }
  }
  h.count++;
  h.sum += seconds;
}

void Metrics::Committed(uint64_t position) {
  // Listeners may run on several committing threads: only a later position counts.
  uint64_t previous = last_commit_.load();
  do {
    if (position <= previous) return;
  } while (!last_commit_.compare_exchange_weak(previous, position));
  const uint64_t records = position - previous;
  size_t bucket = 0;
  while (bucket < kCommitBuckets.size() && records > kCommitBuckets[bucket]) ++bucket;
  commit_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  commit_records_.fetch_add(records, std::memory_order_relaxed);
}

std::string Metrics::Render(const wire::Status::Reader* status) const {
  std::string out;
  auto append = std::back_inserter(out);
  {
    std::lock_guard lock(mu_);
    Header(out, "roster_http_requests_total", "counter",
           "HTTP requests by route kind, status and the protocol's result code.");
    for (const auto& [key, n] : requests_) {
      fmt::format_to(append,
                     "roster_http_requests_total{{kind=\"{}\",status=\"{}\",code=\"{}\"}} {}\n",
                     Escape(key.kind), key.status, Escape(key.code), n);
    }
    Header(out, "roster_http_request_duration_seconds", "histogram",
           "HTTP request latency by family (command, query, admin, operator).");
    for (const auto& [family, h] : latency_) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += h.buckets[i];
        fmt::format_to(
            append, "roster_http_request_duration_seconds_bucket{{family=\"{}\",le=\"{}\"}} {}\n",
            Escape(family), kBuckets[i], cumulative);
      }
      fmt::format_to(append,
                     "roster_http_request_duration_seconds_bucket{{family=\"{}\",le=\"+Inf\"}} {}\n"
                     "roster_http_request_duration_seconds_sum{{family=\"{}\"}} {}\n"
                     "roster_http_request_duration_seconds_count{{family=\"{}\"}} {}\n",
                     Escape(family), h.count, Escape(family), h.sum, Escape(family), h.count);
    }
  }
  Header(out, "roster_http_connections", "gauge", "Open HTTP connections.");
  fmt::format_to(append, "roster_http_connections {}\n", connections_.load());
  Header(out, "roster_http_in_flight", "gauge", "HTTP requests being answered.");
  fmt::format_to(append, "roster_http_in_flight {}\n", in_flight_.load());
  Header(out, "roster_process_resident_memory_bytes", "gauge", "Resident set size.");
  fmt::format_to(append, "roster_process_resident_memory_bytes {}\n", ResidentBytes());
  Header(out, "roster_log_commit_records", "histogram",
         "Records made durable per commit of the log (the group-commit size), since the HTTP "
         "listener started.");
  {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kCommitBuckets.size(); ++i) {
      cumulative += commit_buckets_[i].load(std::memory_order_relaxed);
      fmt::format_to(append, "roster_log_commit_records_bucket{{le=\"{}\"}} {}\n",
                     kCommitBuckets[i], cumulative);
    }
    cumulative += commit_buckets_.back().load(std::memory_order_relaxed);
    fmt::format_to(append,
                   "roster_log_commit_records_bucket{{le=\"+Inf\"}} {}\n"
                   "roster_log_commit_records_sum {}\n"
                   "roster_log_commit_records_count {}\n",
                   cumulative, commit_records_.load(std::memory_order_relaxed), cumulative);
  }
  if (log_timings_ != nullptr) {
    Durations(out, "roster_log_append_duration_seconds",
              "An append to the log, from the call until its outcome (waiting for a group "
              "commit included), since the log was opened.",
              log_timings_->append);
    Durations(out, "roster_log_commit_duration_seconds",
              "One group commit's durable write (RocksDB's synced write, or PostgreSQL's "
              "transaction), since the log was opened.",
              log_timings_->commit);
  }
  if (status == nullptr) return out;

  const uint64_t last = status->getLastPosition();
  Header(out, "roster_log_last_position", "gauge", "The log's last position.");
  fmt::format_to(append, "roster_log_last_position {}\n", last);
  struct Series {
    std::string_view name, type, help;
    uint64_t (*value)(wire::ProjectionInfo::Reader, uint64_t last);
  };
  static constexpr Series kSeries[] = {
      {"roster_projection_position", "gauge", "The last position a read model applied.",
       [](wire::ProjectionInfo::Reader p, uint64_t) { return p.getPosition(); }},
      {"roster_projection_lag", "gauge", "Records of the log a read model has not applied yet.",
       [](wire::ProjectionInfo::Reader p, uint64_t l) {
         return l > p.getPosition() ? l - p.getPosition() : 0;
       }},
      {"roster_projection_ready", "gauge", "1 when the read model answers queries.",
       [](wire::ProjectionInfo::Reader p, uint64_t) { return uint64_t{p.getReady()}; }},
      {"roster_projection_building", "gauge", "1 while the read model is being rebuilt.",
       [](wire::ProjectionInfo::Reader p, uint64_t) { return uint64_t{p.getBuilding()}; }},
      {"roster_model_cache_hits_total", "counter", "Organizations found in a model's cache.",
       [](wire::ProjectionInfo::Reader p, uint64_t) { return p.getCacheHits(); }},
      {"roster_model_cache_misses_total", "counter", "Organizations read back from a model's rows.",
       [](wire::ProjectionInfo::Reader p, uint64_t) { return p.getCacheMisses(); }},
      {"roster_model_cache_bytes", "gauge", "Estimated bytes a model's cache holds.",
       [](wire::ProjectionInfo::Reader p, uint64_t) { return p.getCacheBytes(); }},
      {"roster_model_cache_orgs", "gauge", "Organizations a model's cache holds.",
       [](wire::ProjectionInfo::Reader p, uint64_t) { return p.getCachedOrgs(); }},
  };
  for (const auto& series : kSeries) {
    Header(out, series.name, series.type, series.help);
    for (auto p : status->getProjections()) {
      fmt::format_to(append, "{}{{projection=\"{}\"}} {}\n", series.name,
                     Escape(p.getName().cStr()), series.value(p, last));
    }
  }
  return out;
}

uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace roster::api::http
