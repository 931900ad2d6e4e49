// How the API, its CLIs and its files show times, and how they read the times people type.
// Times travel as microseconds since the Unix epoch (UTC) in the protocol and in the log; these
// two functions are the only conversions to and from text, so the export file, roster-admin and
// the roster CLI print and accept the same forms. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace roster::api::wire {

// Whether a time on a whole second still shows its fraction.
enum class Subseconds {
  kAlways,       // "2026-01-31T12:00:00.000000Z": every time the same width (export, roster-admin)
  kWhenNonZero,  // "2026-01-31T12:00:00Z": shorter table cells (the roster CLI)
};

// RFC 3339 in UTC with microseconds, e.g. "2026-01-31T12:00:00.123456Z". A time outside the
// years 0000..9999, which that form cannot hold, is its microseconds followed by "us", e.g.
// "253402300800000000us".
std::string FormatTime(int64_t time_us, Subseconds subseconds = Subseconds::kAlways);

// A point in time as a person or a script gives it, UTC, to microseconds since the epoch:
//   1769860800000000             microseconds since the epoch (digits only)
//   2026-01-31                   a date: its midnight
//   2026-01-31T12:00             a date and a time: 'T' or one space between them, seconds
//   2026-01-31T12:00:00          optional and, when given, an optional fraction (digits past
//   2026-01-31 12:00:00.123456   the sixth are dropped)
// Any form may end in 'Z' ("2026-01-31Z", "2026-01-31T12:00:00Z"). No other zone is accepted:
// times are UTC. The error is a sentence that quotes the text.
std::expected<int64_t, std::string> ParseTime(std::string_view text);

}  // namespace roster::api::wire
