// Cap'n Proto text as std::string, for every reader of Roster's Cap'n Proto messages: the
// codec and the API dispatcher. A pure function; thread-safe.
#pragma once

#include <capnp/blob.h>

#include <string>

namespace roster::eventstore::codec {

// The whole text, embedded NULs included: its size, not its first NUL, says where it ends, so
// an id or name holding a NUL reads back as it was written rather than cut short.
inline std::string Str(capnp::Text::Reader text) { return std::string(text.cStr(), text.size()); }

}  // namespace roster::eventstore::codec
