// The upcasters of every old event revision Roster has ever written, registered into a codec.
// Each one reads the old revision's payload and returns the current domain event; they stay
// here forever so that old logs keep replaying to the same state (docs/schema_evolution.md).
#pragma once

namespace roster::eventstore::codec {

class EventCodec;

namespace internal {

void RegisterBuiltinUpcasters(EventCodec& codec);

}  // namespace internal
}  // namespace roster::eventstore::codec
