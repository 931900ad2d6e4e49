#include "eventstore/codec/state_codec.h"
#include "tests/fuzz/targets.h"

namespace roster::tests::fuzz {
namespace {

// What a snapshot stores (state.capnp). The derived indexes are left out: bytes that break the
// aggregate's invariants (two members with one email, two owners with one join number) decode,
// and then which of them an index names follows the hash maps' order, which differs between
// two equal states built in different orders.
bool SamePrimaryData(const domain::OrganizationState& a, const domain::OrganizationState& b) {
  return a.org_id == b.org_id && a.name == b.name && a.status == b.status &&
         a.catalog == b.catalog && a.settings == b.settings && a.members == b.members &&
         a.invitations == b.invitations && a.projects == b.projects && a.api_keys == b.api_keys &&
         a.resources == b.resources && a.memberships_created == b.memberships_created &&
         a.invitations_created == b.invitations_created;
}

}  // namespace

void FuzzSnapshot(std::span<const uint8_t> input) {
  const std::string_view bytes(reinterpret_cast<const char*>(input.data()), input.size());
  auto state = eventstore::codec::DecodeState(bytes);
  if (!state) {
    Check(!state.error().message.empty(), "DecodeState failed without a message");
    return;
  }
  // A loaded snapshot is written again by the next snapshot of that organization.
  auto again = eventstore::codec::DecodeState(eventstore::codec::EncodeState(*state));
  Check(again.has_value(), "a decoded snapshot, encoded again, does not decode");
  Check(SamePrimaryData(*again, *state), "a decoded snapshot, encoded and decoded again, changed");
}

}  // namespace roster::tests::fuzz
