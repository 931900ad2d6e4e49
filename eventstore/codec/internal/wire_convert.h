// Field-by-field conversion between domain events and their events.capnp structs. Private to
// the codec target. One Write/Read pair per struct; Read returns a CodecError for a value the
// domain cannot hold (an unknown permission name), and lets Cap'n Proto's kj::Exception for a
// malformed message through to WithMessage, the one place that catches it.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <expected>
#include <string>
#include <string_view>
#include <type_traits>

#include "domain/events.h"
#include "eventstore/codec/codec.h"
#include "eventstore/codec/events.capnp.h"
#include "eventstore/codec/text.h"

namespace roster::eventstore::codec::internal {

// What a reader returns: the domain value, or why the bytes cannot be one.
template <class T>
using Decoded = std::expected<T, CodecError>;

// One event type's reading as the Event variant that Decode returns.
template <class E>
DecodeResult AsEvent(Decoded<E> decoded) {
  if (!decoded) return std::unexpected(std::move(decoded.error()));
  return domain::Event(std::move(*decoded));
}

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
  Decoded<domain::name> Read(wire::name::Reader r);

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
Decoded<domain::InvitationSent> Read(wire::MemberInvitedV2::Reader r);
Decoded<domain::InvitationSent> ReadRev1(wire::InvitationSent::Reader r);
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

// `bytes` as Cap'n Proto words: in place when word-aligned, otherwise copied into `copy`, which
// must outlive the result (Cap'n Proto reads aligned words; a payload sits wherever the store's
// buffer put it). `bytes` must hold a whole number of words.
kj::ArrayPtr<const capnp::word> AlignedWords(std::string_view bytes, kj::Array<capnp::word>& copy);

// Runs `read` (capnp::MessageReader& -> std::expected<T, CodecError>) over the Cap'n Proto
// message in `bytes` and returns its result; `what` names the bytes in errors ("payload",
// "snapshot"). Cap'n Proto's readers throw kj::Exception on a malformed message: this is where
// the codec catches it, once, and turns it into a CodecError.
template <class Fn>
std::invoke_result_t<Fn, capnp::MessageReader&> WithMessage(std::string_view bytes,
                                                            std::string_view what, Fn&& read) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return std::unexpected(
        CodecError{std::string(what) + " is not a whole number of Cap'n Proto words"});
  }
  kj::Array<capnp::word> copy;
  try {
    // A message Roster wrote is a tree that its reader visits once, so decoding it never
    // traverses more words than it holds. A larger limit (Cap'n Proto's default is 8M words)
    // would let a list of empty elements claim millions of them in a few bytes; a fixed one
    // would refuse the snapshot of a large organization.
    capnp::ReaderOptions options;
    options.traversalLimitInWords = bytes.size() / sizeof(capnp::word);
    capnp::FlatArrayMessageReader reader(AlignedWords(bytes, copy), options);
    return read(reader);
  } catch (const kj::Exception& e) {
    return std::unexpected(
        CodecError{"malformed " + std::string(what) + ": " + e.getDescription().cStr()});
  }
}

// Shared pieces.
void WriteRole(wire::Role::Builder b, const domain::Role& role);
Decoded<domain::Role> ReadRole(wire::Role::Reader r);
void WriteSettings(wire::OrgSettings::Builder b, const domain::OrgSettings& s);
void WriteCatalog(wire::RoleCatalog::Builder b, const domain::RoleCatalog& catalog);
Decoded<domain::RoleCatalog> ReadCatalog(wire::RoleCatalog::Reader r);
Decoded<domain::OrgSettings> ReadSettings(wire::OrgSettings::Reader r);
Decoded<domain::PermissionSet> ReadPermissions(capnp::List<capnp::Text>::Reader r);

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

}  // namespace roster::eventstore::codec::internal
