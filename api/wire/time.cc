#include "api/wire/time.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <time.h>

#include <charconv>
#include <chrono>

namespace roster::api::wire {
namespace {

using std::chrono::days;
using std::chrono::microseconds;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_time;

constexpr sys_days kFirstDay = std::chrono::year(0) / std::chrono::January / 1;
constexpr sys_days kPastLastDay = std::chrono::year(10000) / std::chrono::January / 1;

// Longest first: strptime stops where its format ends, so a shorter format would also match the
// start of a longer text.
constexpr const char* kFormats[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
                                    "%Y-%m-%d %H:%M", "%Y-%m-%d"};
constexpr int kFormatsWithSeconds = 2;

std::unexpected<std::string> NotATime(std::string_view text) {
  return std::unexpected("'" + std::string(text) +
                         "' is neither microseconds since the epoch nor a UTC date/time like "
                         "2026-01-31T12:00:00Z");
}

}  // namespace

std::string FormatTime(int64_t time_us, Subseconds subseconds) {
  const sys_time<microseconds> t{microseconds(time_us)};
  if (t < kFirstDay || t >= kPastLastDay) return fmt::format("{}us", time_us);
  // The day and the time of day are formatted apart: fmt 9 formats a time_point through
  // localtime() and drops its fraction, while a std::tm is printed field by field and a
  // duration's %T keeps the microseconds; neither knows a time zone.
  const sys_days day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day date{day};
  std::tm fields{};
  fields.tm_year = static_cast<int>(date.year()) - 1900;
  fields.tm_mon = static_cast<int>(static_cast<unsigned>(date.month())) - 1;
  fields.tm_mday = static_cast<int>(static_cast<unsigned>(date.day()));
  const microseconds time_of_day = t - day;
  if (subseconds == Subseconds::kWhenNonZero && time_of_day % seconds(1) == microseconds(0)) {
    return fmt::format("{:%F}T{:%T}Z", fields, std::chrono::duration_cast<seconds>(time_of_day));
  }
  return fmt::format("{:%F}T{:%T}Z", fields, time_of_day);
}

std::expected<int64_t, std::string> ParseTime(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t us = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), us);
    if (error != std::errc() || end != text.data() + text.size()) {
      return std::unexpected("'" + std::string(text) + "' microseconds is beyond the year 294,000");
    }
    return us;
  }
  const std::string copy(text);  // strptime reads a NUL-terminated string
  std::tm tm{};
  const char* rest = nullptr;
  int format = 0;
  for (; format < static_cast<int>(std::size(kFormats)); ++format) {
    tm = std::tm{};
    rest = strptime(copy.c_str(), kFormats[format], &tm);
    if (rest != nullptr) break;
  }
  if (rest == nullptr) return NotATime(text);
  std::string_view tail(rest);
  microseconds fraction(0);
  if (format < kFormatsWithSeconds && tail.starts_with('.')) {
    const size_t digits = std::min(tail.find_first_not_of("0123456789", 1), tail.size()) - 1;
    if (digits == 0) return NotATime(text);
    int64_t value = 0;
    std::from_chars(tail.data() + 1, tail.data() + 1 + std::min<size_t>(digits, 6), value);
    for (size_t d = digits; d < 6; ++d) value *= 10;
    fraction = microseconds(value);
    tail.remove_prefix(1 + digits);
  }
  if (tail.starts_with('Z')) tail.remove_prefix(1);
  if (!tail.empty()) return NotATime(text);
  // strptime checks each field's range but not the day against its month.
  const std::chrono::year_month_day date{std::chrono::year(tm.tm_year + 1900),
                                         std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                                         std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
  if (!date.ok()) return NotATime(text);
  const auto t = sys_days(date) + std::chrono::hours(tm.tm_hour) + std::chrono::minutes(tm.tm_min) +
                 seconds(tm.tm_sec) + fraction;
  return std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count();
}

}  // namespace roster::api::wire
