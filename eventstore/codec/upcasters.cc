#include "eventstore/codec/upcasters.h"

#include "eventstore/codec/codec.h"

namespace roster::codec {

// Every event type is still at revision 1: nothing to upcast yet.
void RegisterBuiltinUpcasters(EventCodec&) {}

}  // namespace roster::codec
