#include "eventstore/codec/codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstdint>
#include <cstring>

#include "eventstore/codec/internal/upcasters.h"
#include "eventstore/codec/internal/wire_convert.h"

namespace roster::eventstore::codec {

using namespace internal;

namespace {

template <class E>
DecodeResult ReadCurrent(std::string_view payload) {
  return WithMessage(payload, "payload", [](capnp::MessageReader& reader) {
    return AsEvent(Read(reader.getRoot<typename WireOf<E>::type>()));
  });
}

}  // namespace

namespace internal {

kj::ArrayPtr<const capnp::word> AlignedWords(std::string_view bytes, kj::Array<capnp::word>& copy) {
  const size_t words = bytes.size() / sizeof(capnp::word);
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) == 0) {
    return kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data()), words);
  }
  copy = kj::heapArray<capnp::word>(words);
  std::memcpy(copy.begin(), bytes.data(), words * sizeof(capnp::word));
  return copy.asPtr();
}

}  // namespace internal

EventCodec::EventCodec() {
  [this]<size_t... I>(std::index_sequence<I...>) {
    ((types_[std::string(std::variant_alternative_t<I, domain::Event>::kType)] =
          TypeInfo{RevisionOf<std::variant_alternative_t<I, domain::Event>>::value,
                   &ReadCurrent<std::variant_alternative_t<I, domain::Event>>}),
     ...);
  }
  (std::make_index_sequence<std::variant_size_v<domain::Event>>{});
  RegisterBuiltinUpcasters(*this);
}

eventstore::NewEvent EventCodec::Encode(const domain::Event& event) const {
  return std::visit(
      [](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        capnp::MallocMessageBuilder message(128);
        Write(message.initRoot<typename WireOf<E>::type>(), e);
        kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
        kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
        return eventstore::NewEvent{
            std::string(E::kType), RevisionOf<E>::value,
            std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size())};
      },
      event);
}

DecodeResult EventCodec::Decode(std::string_view type, uint16_t revision,
                                std::string_view payload) const {
  auto it = types_.find(type);
  if (it == types_.end()) {
    return std::unexpected(CodecError{"unknown event type '" + std::string(type) + "'"});
  }
  if (revision == it->second.current_revision) return it->second.read_current(payload);
  if (revision > it->second.current_revision) {
    return std::unexpected(
        CodecError{"event type '" + std::string(type) + "' revision " + std::to_string(revision) +
                   " is newer than this binary understands (" +
                   std::to_string(it->second.current_revision) + "); upgrade Roster"});
  }
  auto up = upcasters_.find({std::string(type), revision});
  if (up == upcasters_.end()) {
    return std::unexpected(CodecError{"no upcaster for event type '" + std::string(type) +
                                      "' revision " + std::to_string(revision)});
  }
  return up->second(payload);
}

uint16_t EventCodec::CurrentRevision(std::string_view type) const {
  auto it = types_.find(type);
  return it == types_.end() ? 0 : it->second.current_revision;
}

void EventCodec::RegisterUpcaster(std::string type, uint16_t revision, Upcaster upcaster) {
  upcasters_[{std::move(type), revision}] = std::move(upcaster);
}

}  // namespace roster::eventstore::codec
