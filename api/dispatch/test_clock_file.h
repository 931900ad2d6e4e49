// The test clock's offset on disk: `<data>/test-clock`, so that a restart of a rosterd started
// with --test-clock resumes where its time had got to instead of going back to the system
// clock (events recorded after the restart would then be older than those before it).
//
// The file holds the offset in microseconds as one decimal line. It is written only by an
// advance, atomically (a temporary file, fsync, rename, fsync of the directory), so a crash
// leaves the old offset or the new one, never a torn file. Its presence marks a data directory
// whose times run ahead of the system clock: rosterd refuses to open it without --test-clock
// (docs/operations.md). Stateless functions; the caller serializes writes.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "domain/time.h"

namespace roster::api::dispatch {

// `<data_dir>/test-clock`.
std::filesystem::path TestClockFile(const std::filesystem::path& data_dir);

// The offset kept in `file`: nullopt when there is no file; an error when it cannot be read or
// does not hold an offset in [0, OffsetClock::kMaxOffset].
std::expected<std::optional<domain::Duration>, std::string> ReadTestClockOffset(
    const std::filesystem::path& file);

// Replaces `file` with `offset`, durably, before returning.
std::expected<void, std::string> WriteTestClockOffset(const std::filesystem::path& file,
                                                      domain::Duration offset);

}  // namespace roster::api::dispatch
