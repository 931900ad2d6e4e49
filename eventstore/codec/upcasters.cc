#include "eventstore/codec/internal/upcasters.h"

#include "eventstore/codec/codec.h"
#include "eventstore/codec/internal/wire_convert.h"

namespace roster::eventstore::codec::internal {

// invitation.sent revision 1: an absolute deadline (`expiresAt`) instead of the granted
// lifetime. The deadline is exactly what the domain event holds, so nothing is guessed. The
// lifetime, expiresAt - sentAt, is what revision 2 stores and the invitations projection
// computes, so a record whose lifetime does not fit in 64 bits is refused like other malformed
// values.
Decoded<domain::InvitationSent> ReadRev1(wire::InvitationSent::Reader r) {
  int64_t valid_for_us = 0;
  if (__builtin_sub_overflow(r.getExpiresAt(), r.getSentAt(), &valid_for_us)) {
    return std::unexpected(
        CodecError{"invitation.sent revision 1: expiresAt - sentAt is out of range"});
  }
  return domain::InvitationSent{domain::InvitationId(Str(r.getInvitationId())),
                                domain::Email::FromNormalized(Str(r.getEmail())),
                                Str(r.getDisplayName()),
                                Str(r.getRole()),
                                domain::UserId(Str(r.getInviter())),
                                Str(r.getTokenHash()),
                                domain::FromMicros(r.getSentAt()),
                                domain::FromMicros(r.getExpiresAt())};
}

void RegisterBuiltinUpcasters(EventCodec& codec) {
  codec.RegisterUpcaster(std::string(domain::InvitationSent::kType), 1,
                         [](std::string_view payload) -> DecodeResult {
                           return WithMessage(payload, "payload", [](capnp::MessageReader& reader) {
                             return AsEvent(ReadRev1(reader.getRoot<wire::InvitationSent>()));
                           });
                         });
}

}  // namespace roster::eventstore::codec::internal
