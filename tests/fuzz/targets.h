// The decoder fuzz targets. Each feeds one input to a decoder through the public function the
// product calls, and checks what that decoder promises: whatever the bytes, it answers with a
// value or an error and never crashes, throws or leaks. An error is a correct answer to bad
// bytes; a broken promise prints what broke and aborts, which libFuzzer (decoder_fuzzer.cc,
// fuzz build) and the replay of tests/fuzz/regressions/ (replay_test.cc, every build) report
// with the input. Safe to call from one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace roster::tests::fuzz {

// EventCodec::Decode over one record. Byte 0 chooses the type from EventTypeNames() (modulo
// its size plus one: the last choice is a type Roster does not know), byte 1 is the revision
// and the rest is the payload. A decoded event must encode and decode again to itself.
void FuzzEventRecord(std::span<const uint8_t> input);
// The input for FuzzEventRecord that decodes `payload` as `revision` of `type`.
std::string EventRecordInput(std::string_view type, uint8_t revision, std::string_view payload);
// The type names of domain::Event's alternatives, in the variant's order.
const std::vector<std::string>& EventTypeNames();

// DecodeState over a snapshot's bytes. A decoded state must encode and decode again to itself.
void FuzzSnapshot(std::span<const uint8_t> input);

// roster-admin verify-export's check (tools::admin::VerifyExport) over the input as an export
// file (JSON Lines or CSV), then over the same file with its hash chain recomputed, so that the
// checks behind the SHA-256 links (the records' events, times, positions, stream summaries,
// the end line) see fuzzed records too.
void FuzzExportFile(std::span<const uint8_t> input);

// rosterd's config file (tools/rosterd/config.h) over the input as TOML text: accepted settings
// are in range, errors name the file, and a flag given for every key keeps every default.
void FuzzConfigFile(std::span<const uint8_t> input);

// The HTTP API's request parsing and translation (api/http): the input is an HTTP request as
// a client sends it, parsed with the server's Beast parser and limits; a request for a route
// is translated into its protocol request (path and query parameters, the JSON body through
// capnp's JsonCodec). Bad input must be a BAD_REQUEST with a JSON problem document; a built
// request must be of the route's kind and traversable.
void FuzzHttpRequest(std::span<const uint8_t> input);

// Prints `what` and aborts unless `ok`: a broken promise of the decoder under test.
void Check(bool ok, const char* what);

}  // namespace roster::tests::fuzz
