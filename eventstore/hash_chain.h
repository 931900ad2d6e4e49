// The hash chain's contract, for code that checks a copy of the log without opening the store
// (the audit export and `roster-admin verify-export`): which bytes a record's hash covers and
// how it is computed. The layout itself is in docs/storage_format.md. Thread-safe.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "eventstore/error.h"
#include "eventstore/record.h"

namespace roster::eventstore {

// The bytes a record's hash covers: its stored value up to, not including, prev_hash. The
// encoding is a pure function of the fields, so a decoded record gives back the stored bytes.
std::string HashedBody(const Record& record);

// SHA-256(prev || body): the hash the log stores for a record whose predecessor hashed to prev.
// kIoError when OpenSSL cannot compute it (no SHA-256 in its configuration): that says nothing
// about the record, so callers must not report it as a mismatch.
Result<Hash> ChainHash(std::string_view prev, std::string_view body);

// A stored record value (body, then prev_hash, then hash) decoded and checked for layout; the
// error says what is malformed. The hash itself is not checked: compare with ChainHash.
std::expected<Record, std::string> ParseStoredRecord(std::string_view value);
// The same, parsed in place: the view borrows from `value`. For backends that keep the stored
// value as it is (the PostgreSQL log) and hand it to RecordVisitors without copying.
std::expected<RecordView, std::string> ParseStoredRecordView(std::string_view value);

}  // namespace roster::eventstore
