// A domain event as JSON: every field of its current events.capnp struct, named as there
// (camelCase), 64-bit integers as strings and enums by name (Cap'n Proto's JSON codec). For
// readers outside Roster that want the whole event, not a summary (webhooks). Pure; thread-safe.
#pragma once

#include <string>

#include "domain/events.h"

namespace roster::eventstore::codec {

std::string EventDataJson(const domain::Event& event);

}  // namespace roster::eventstore::codec
