#include "api/dispatch/test_clock_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace roster::api::dispatch {
namespace {

std::string Errno() { return std::strerror(errno); }

}  // namespace

std::filesystem::path TestClockFile(const std::filesystem::path& data_dir) {
  return data_dir / "test-clock";
}

std::expected<std::optional<domain::Duration>, std::string> ReadTestClockOffset(
    const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (ec) return std::unexpected("cannot read " + file.string() + ": " + ec.message());
    return std::nullopt;
  }
  std::ifstream in(file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) return std::unexpected("cannot read " + file.string());
  std::string text = buffer.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  int64_t us = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), us);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || us < 0 ||
      us > domain::OffsetClock::kMaxOffset.count()) {
    return std::unexpected(file.string() +
                           " does not hold the test clock's offset (microseconds, 0 to "
                           "36500 days): '" +
                           text.substr(0, 40) + "'");
  }
  return domain::Duration(us);
}

std::expected<void, std::string> WriteTestClockOffset(const std::filesystem::path& file,
                                                      domain::Duration offset) {
  const std::string tmp = file.string() + ".tmp";
  const std::string content = std::to_string(offset.count()) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected("cannot write " + tmp + ": " + Errno());
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  const std::string write_error = written ? "" : Errno();
  ::close(fd);
  if (!written) return std::unexpected("cannot write " + tmp + ": " + write_error);
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    return std::unexpected("cannot rename " + tmp + ": " + Errno());
  }
  // The rename is durable only once the directory entry is.
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return std::unexpected("cannot open " + dir.string() + ": " + Errno());
  const bool synced = ::fsync(dir_fd) == 0;
  const std::string sync_error = synced ? "" : Errno();
  ::close(dir_fd);
  if (!synced) return std::unexpected("cannot fsync " + dir.string() + ": " + sync_error);
  return {};
}

}  // namespace roster::api::dispatch
