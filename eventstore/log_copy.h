// CopyLog: copies every record of one EventLog into another, empty one, through the
// destination's own Append (so its positions, stream heads, command outcomes and hash chain are
// built by its own writer), then verifies the destination's chain and that it ends on the
// source's last hash. Works between any two backends; the records, and so the chain, come out
// byte for byte the same.
//
// The source's appends are rebuilt from its records: consecutive records of one stream with
// the same non-empty command id were one append and are appended together (so a retry of that
// command id on the copy gets the same first outcome); a record without a command id is
// appended alone, which gives the same record. In order, up to 2,048 appends handed to the
// destination at once (EventLog::AppendMany), so that they share its commits.
//
// Thread-safe as the logs are; the source may be appended to meanwhile (the copy stops at the
// last position it saw when it started).
#pragma once

#include <functional>

#include "eventstore/event_log.h"

namespace roster::eventstore {

struct CopyReport {
  Position records = 0;   // records copied (the source's last position when the copy started)
  uint64_t appends = 0;   // appends made on the destination
  VerifyReport verified;  // the destination's chain, checked after the copy
};

// kInvalidArgument when `to` is not empty; kCorruption when the destination disagrees with the
// source (a position, a version or the final hash); the logs' own errors otherwise.
// `progress(done, total)` is called now and then.
Result<CopyReport> CopyLog(EventLog& from, EventLog& to,
                           const std::function<void(Position done, Position total)>& progress = {});

}  // namespace roster::eventstore
