#include "eventstore/codec/internal/upcasters.h"

#include "eventstore/codec/codec.h"
#include "eventstore/codec/internal/wire_convert.h"

namespace roster::eventstore::codec::internal {

// invitation.sent revision 1: an absolute deadline (`expiresAt`) instead of the granted
// lifetime. The deadline is exactly what the domain event holds, so nothing is guessed.
Decoded<domain::InvitationSent> ReadRev1(wire::InvitationSent::Reader r) {
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
