// Snapshots of the Organization aggregate as bytes (state.capnp), so that loading an
// organization with a long history reads one snapshot plus the events after it instead of
// replaying everything. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "domain/organization_state.h"
#include "eventstore/codec/codec.h"

namespace roster::eventstore::codec {

// Bump whenever state.capnp or the meaning of a stored field changes: snapshots written with
// another format are ignored and the aggregate is rebuilt from its events.
constexpr uint32_t kSnapshotFormat = 1;

std::string EncodeState(const domain::OrganizationState& state);
std::expected<domain::OrganizationState, CodecError> DecodeState(std::string_view bytes);

}  // namespace roster::eventstore::codec
