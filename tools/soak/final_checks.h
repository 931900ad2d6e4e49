// The proofs at the end of a soak, against a running rosterd with the load stopped: every
// acknowledged command retried once more; the whole log read through a subscription to find
// each command exactly once where it was acknowledged; and what rosterd serves about every
// organization, for comparing with what it serves after a rebuild.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/client/client.h"
#include "tools/soak/acks.h"
#include "tools/soak/run_state.h"

namespace roster::tools::soak {

// The log's last position, or 0 when the status query failed.
uint64_t LastPosition(api::client::Client& client);

// Retries every entry of `logs` on `connections` connections in parallel; a retry that is not a
// duplicate at the acknowledged position is a failure (lost).
RetryOutcome RetryEveryAcknowledged(const std::vector<const AckLog*>& logs,
                                    const ServerState& server, const ClientSetup& setup,
                                    Failures& failures, int connections);

// Reads records 1..last. Each non-empty command id must occupy one run of consecutive records
// (never two), every run must be an acknowledged command, and every acknowledged command must
// end at its acknowledged position with as many records as it had events.
struct LogScan {
  uint64_t records = 0;
  uint64_t commands = 0;        // runs of records with one command id
  uint64_t twice = 0;           // command ids found in more than one run
  uint64_t misplaced = 0;       // acknowledged commands not where their acknowledgement said
  uint64_t unacknowledged = 0;  // commands in the log that no writer got acknowledged
};
LogScan ScanLog(api::client::Client& client, uint64_t last, const std::vector<const AckLog*>& logs,
                Failures& failures);

// What rosterd serves as of `token`: for each organization its members (former ones too),
// invitations of every status and activity log, every page; and each user's organizations.
// Kept as digests of the answers' text (without the request id).
struct Listing {
  uint64_t digest = 0;
  uint64_t entries = 0;
  uint32_t pages = 0;
  std::string text;  // the answers themselves when short, for the failure message
};
using ReadModels = std::map<std::string, Listing>;
ReadModels ReadServedModels(api::client::Client& client, uint64_t token,
                            const std::vector<std::string>& orgs,
                            const std::vector<std::string>& users, Failures& failures);
// The listings that differ (each one a failure).
size_t CompareReadModels(const ReadModels& served, const ReadModels& rebuilt, Failures& failures);

}  // namespace roster::tools::soak
