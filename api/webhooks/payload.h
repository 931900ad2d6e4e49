// The body of a webhook request: one log record as a JSON object (docs/webhooks.md lists the
// fields). `data` is the whole event as the log stores it now (EventDataJson), so a receiver
// learns who joined, how (the invitation id; empty for an organization's creator), with which
// role, without calling back. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "eventstore/codec/codec.h"
#include "eventstore/record.h"

namespace roster::api::webhooks {

// The organization a record belongs to, or empty for a stream Roster does not write.
std::string OrgOf(std::string_view stream);

// The JSON body for `record`. A record the codec cannot read still goes out, with `data` null
// and `decodeError` saying why, so that a receiver is never silently skipped.
std::string PayloadJson(const eventstore::Record& record,
                        const eventstore::codec::EventCodec& codec);

}  // namespace roster::api::webhooks
