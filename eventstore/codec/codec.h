// EventCodec: domain events <-> the versioned Cap'n Proto records the event log stores.
//
// Encode gives a record's type name (the event's stable kType), the current revision of that
// type and the payload bytes (a single-segment Cap'n Proto message whose root is the type's
// struct in events.capnp). Decode reads a payload of the current revision directly; a payload
// of an older revision goes through the upcaster registered for that (type, revision), which
// turns the old bytes into the current domain event. Old records are never rewritten.
//
// Thread-safety: Encode and Decode are const and safe to call from many threads; register
// upcasters before sharing the codec.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "domain/events.h"
#include "eventstore/record.h"

namespace roster::eventstore::codec {

struct CodecError {
  std::string message;
};

using DecodeResult = std::expected<domain::Event, CodecError>;
// Reads a payload written in an old revision of one event type into the current domain event.
using Upcaster = std::function<DecodeResult(std::string_view payload)>;

class EventCodec {
 public:
  // A codec with the upcasters for every revision this version of Roster has ever written.
  EventCodec();

  eventstore::NewEvent Encode(const domain::Event& event) const;

  DecodeResult Decode(std::string_view type, uint16_t revision, std::string_view payload) const;
  DecodeResult Decode(const eventstore::Record& record) const {
    return Decode(record.type, record.revision, record.payload);
  }

  // The revision Encode writes for `type` (0 when the type is unknown).
  uint16_t CurrentRevision(std::string_view type) const;

  // Registers (or replaces) the reader of `revision` of `type`, older than the current one.
  void RegisterUpcaster(std::string type, uint16_t revision, Upcaster upcaster);

 private:
  using Reader = DecodeResult (*)(std::string_view payload);
  struct TypeInfo {
    uint16_t current_revision = 1;
    Reader read_current = nullptr;
  };
  std::map<std::string, TypeInfo, std::less<>> types_;
  std::map<std::pair<std::string, uint16_t>, Upcaster> upcasters_;
};

}  // namespace roster::eventstore::codec
