// The standard Cap'n Proto stream framing, read defensively.
//
// A frame is a segment table (a 32-bit segment count minus one, each segment's size in words,
// padding to a word) followed by the segments. Before reading a frame's body the reader learns
// its full size from the first bytes and refuses absurd tables (too many segments, more bytes
// than the limit) without allocating for them. Decoding goes through Cap'n Proto's own reader
// with traversal and nesting limits. Stateless functions; thread-safe.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace roster::api::wire {

struct FrameLimits {
  size_t max_message_bytes = 1u << 20;  // the whole frame, table included
  uint32_t max_segments = 64;
  uint64_t traversal_limit_words = 1u << 17;  // 1 MiB worth of words
  int nesting_limit = 32;
};

// How many bytes the frame starting at `prefix` occupies in total, once enough of its table is
// present: nullopt-like 0 means "need at least `*need` bytes to tell". Fails when the table
// breaks a limit.
struct FrameProbe {
  size_t total = 0;  // known total frame size (0: not yet known)
  size_t need = 0;   // bytes needed before the size is known (when total == 0)
};
std::expected<FrameProbe, std::string> ProbeFrame(std::span<const uint8_t> prefix,
                                                  const FrameLimits& limits);

// A received frame, word-aligned, ready for a Cap'n Proto reader. Resource type.
class Frame {
 public:
  explicit Frame(size_t bytes) : words_((bytes + 7) / 8) {}
  uint8_t* data() { return reinterpret_cast<uint8_t*>(words_.data()); }
  size_t size() const { return words_.size() * sizeof(capnp::word); }
  kj::ArrayPtr<const capnp::word> words() const {
    return kj::arrayPtr(words_.data(), words_.size());
  }

 private:
  std::vector<capnp::word> words_;
};

capnp::ReaderOptions ReaderOptionsFor(const FrameLimits& limits);

// Serializes a message with its segment table, ready to write to a socket.
std::string EncodeFrame(capnp::MessageBuilder& message);
// The same, appended to `out`: many small messages then go out as one buffer.
void AppendFrame(capnp::MessageBuilder& message, std::string& out);

}  // namespace roster::api::wire
