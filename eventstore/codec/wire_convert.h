// Field-by-field conversion between domain events and their events.capnp structs. Private to
// the codec target. One Write/Read pair per struct; Read throws CodecFailure on values that
// cannot be represented in the domain (an unknown permission name), which Decode turns into a
// CodecError.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "domain/events.h"
#include "eventstore/codec/codec.h"
#include "eventstore/codec/events.capnp.h"

namespace roster::eventstore::codec {

struct CodecFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
inline capnp::Text::Reader Txt(const std::string& s) {
  return capnp::Text::Reader(s.data(), s.size());
}

// Maps each domain event to its wire struct.
template <class E>
struct WireOf;

// The revision Encode writes for each event: 1 unless specialized where a revision 2 exists
// (with its upcaster from revision 1 in upcasters.cc).
template <class E>
struct RevisionOf {
  static constexpr uint16_t value = 1;
};

#define ROSTER_WIRE(name)                                   \
  template <>                                               \
  struct WireOf<domain::name> {                             \
    using type = wire::name;                                \
  };                                                        \
  void Write(wire::name::Builder b, const domain::name& e); \
  domain::name Read(wire::name::Reader r);

ROSTER_WIRE(OrganizationCreated)
ROSTER_WIRE(OrganizationRenamed)
ROSTER_WIRE(OrganizationSettingsChanged)
ROSTER_WIRE(OrganizationDeleted)
// invitation.sent is at revision 2 (MemberInvitedV2); its revision-1 reader is ReadRev1.
template <>
struct WireOf<domain::InvitationSent> {
  using type = wire::MemberInvitedV2;
};
template <>
struct RevisionOf<domain::InvitationSent> {
  static constexpr uint16_t value = 2;
};
void Write(wire::MemberInvitedV2::Builder b, const domain::InvitationSent& e);
domain::InvitationSent Read(wire::MemberInvitedV2::Reader r);
domain::InvitationSent ReadRev1(wire::InvitationSent::Reader r);
ROSTER_WIRE(InvitationResent)
ROSTER_WIRE(InvitationRevoked)
ROSTER_WIRE(InvitationAccepted)
ROSTER_WIRE(InvitationExpired)
ROSTER_WIRE(MemberJoined)
ROSTER_WIRE(MemberRoleChanged)
ROSTER_WIRE(MemberRemoved)
ROSTER_WIRE(MemberLeft)
ROSTER_WIRE(OwnershipTransferred)
ROSTER_WIRE(RoleDefined)
ROSTER_WIRE(RoleUpdated)
ROSTER_WIRE(RoleDeleted)
ROSTER_WIRE(ProjectCreated)
ROSTER_WIRE(ProjectRenamed)
ROSTER_WIRE(ProjectDeleted)
ROSTER_WIRE(ProjectMemberAdded)
ROSTER_WIRE(ProjectMemberRoleChanged)
ROSTER_WIRE(ProjectMemberRemoved)
ROSTER_WIRE(ApiKeyCreated)
ROSTER_WIRE(ApiKeyRevoked)
ROSTER_WIRE(ApiKeyRotationRecommended)
ROSTER_WIRE(ResourceRegistered)
ROSTER_WIRE(ResourceReassigned)
ROSTER_WIRE(ResourceDeleted)
ROSTER_WIRE(MemberLoggedIn)
ROSTER_WIRE(MemberActive)

#undef ROSTER_WIRE

// Runs `read` over the Cap'n Proto message in `payload` (copied when misaligned), turning every
// failure (a malformed message, a value the domain cannot hold) into a CodecError.
template <class Fn>
std::expected<domain::Event, CodecError> WithMessage(std::string_view payload, Fn&& read) {
  if (payload.size() % sizeof(capnp::word) != 0 || payload.empty()) {
    return std::unexpected(CodecError{"payload is not a whole number of Cap'n Proto words"});
  }
  const size_t words = payload.size() / sizeof(capnp::word);
  std::unique_ptr<capnp::word[]> copy;
  const capnp::word* data = reinterpret_cast<const capnp::word*>(payload.data());
  if (reinterpret_cast<uintptr_t>(payload.data()) % alignof(capnp::word) != 0) {
    copy.reset(new capnp::word[words]);
    std::memcpy(copy.get(), payload.data(), payload.size());
    data = copy.get();
  }
  try {
    // A payload Roster wrote is a tree that its reader visits once, so decoding it never
    // traverses more words than it holds; a larger limit (the default is 8M words) lets a list
    // of empty elements claim millions of them in a few bytes.
    capnp::ReaderOptions options;
    options.traversalLimitInWords = words;
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(data, words), options);
    return read(reader);
  } catch (const kj::Exception& e) {
    return std::unexpected(
        CodecError{std::string("malformed payload: ") + e.getDescription().cStr()});
  } catch (const CodecFailure& e) {
    return std::unexpected(CodecError{e.what()});
  }
}

// Shared pieces.
void WriteRole(wire::Role::Builder b, const domain::Role& role);
domain::Role ReadRole(wire::Role::Reader r);
void WriteSettings(wire::OrgSettings::Builder b, const domain::OrgSettings& s);
void WriteCatalog(wire::RoleCatalog::Builder b, const domain::RoleCatalog& catalog);
domain::RoleCatalog ReadCatalog(wire::RoleCatalog::Reader r);
domain::OrgSettings ReadSettings(wire::OrgSettings::Reader r);
domain::PermissionSet ReadPermissions(capnp::List<capnp::Text>::Reader r);

// Writes `set` by stable names into the `permissions` field of a Role or ProjectRole builder.
template <class Builder>
void SetPermissions(Builder b, domain::PermissionSet set) {
  auto list = b.initPermissions(static_cast<unsigned>(set.size()));
  unsigned i = 0;
  for (domain::Permission p : set.List()) {
    std::string_view name = domain::PermissionName(p);
    list.set(i++, capnp::Text::Reader(name.data(), name.size()));
  }
}

}  // namespace roster::eventstore::codec
