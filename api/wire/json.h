// Protocol structs as JSON: one line per struct, field names as in api/wire/roster.capnp, 64-bit
// integers as strings (as Cap'n Proto's JSON codec writes them), Data as lower-case hex.
// Shared by the roster CLI's --json and roster-admin's, so both print one format.
// Pure functions; thread-safe.
#pragma once

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>

#include <string>

namespace roster::api::wire {

std::string ToJson(capnp::DynamicStruct::Reader value);
template <typename Reader>
std::string ToJson(Reader value) {
  return ToJson(capnp::DynamicStruct::Reader(capnp::toDynamic(value)));
}

// Makes `codec` read and write Data as ToJson does (hex), for decoding JSON in this format
// (the HTTP API's request bodies).
void UseHexData(capnp::JsonCodec& codec);

}  // namespace roster::api::wire
