// The figures a soak prints: a table on stdout, then one JSON line with the same figures
// (the last line, for scripts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/soak/rss.h"

namespace roster::tools::soak {

struct Figures {
  double minutes = 0;
  uint64_t seed = 0;
  double load_seconds = 0;
  double total_seconds = 0;
  int writers = 0;
  int checkers = 0;
  int queriers = 0;
  int subscribers = 0;
  uint64_t commands_acknowledged = 0;  // every answered command
  uint64_t commands_appended = 0;
  uint64_t commands_no_change = 0;
  uint64_t commands_rejected = 0;
  uint64_t commands_resent = 0;
  uint64_t resent_found_applied = 0;
  uint64_t orgs_created = 0;
  uint64_t orgs_deleted = 0;
  uint64_t checks = 0;
  uint64_t queries = 0;
  uint64_t queries_refused = 0;
  uint64_t subscription_records = 0;
  uint64_t subscriptions_reconnected = 0;
  uint64_t subscriptions_broken = 0;
  uint64_t kills = 0;
  uint64_t crashes = 0;  // rosterd exiting on its own: each one is also a failure
  double longest_start_s = 0;
  uint64_t bad_garbage = 0;
  uint64_t bad_stalled = 0;
  uint64_t bad_silent = 0;
  uint64_t acks_checked_after_kills = 0;
  uint64_t final_retried = 0;
  uint64_t log_records = 0;
  uint64_t log_commands = 0;
  uint64_t lost = 0;  // retries not answered as the acknowledged duplicate, or not where acked
  uint64_t twice = 0;
  uint64_t unacknowledged = 0;
  uint64_t listings_compared = 0;
  uint64_t listings_differ = 0;
  bool verify_ok = false;
  std::string verify_line;
  double longest_wait_s = 0;
  std::string longest_wait_worker;
  double window_s = 0;
  double up_seconds = 0;
  RssVerdict rss;
  uint64_t failures = 0;
  bool pass = false;
};

void PrintReport(const Figures& f, const std::vector<std::string>& first_failures);

}  // namespace roster::tools::soak
