#include "tests/support/rosterd_process.h"

#include <fstream>
#include <iterator>
#include <system_error>
#include <thread>
#include <utility>

namespace roster::tests {
namespace {

std::string ReadFrom(const std::filesystem::path& path, uintmax_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

uintmax_t SizeOf(const std::filesystem::path& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// The port in a complete port file (rosterd renames it into place whole), or 0.
uint16_t ReadPort(const std::filesystem::path& path) {
  std::ifstream in(path);
  unsigned port = 0;
  if (!(in >> port) || port == 0 || port > 65535) return 0;
  return static_cast<uint16_t>(port);
}

RosterdOptions OptionsFor(const std::filesystem::path& data_dir, std::vector<std::string> extra) {
  RosterdOptions options;
  options.data_dir = data_dir;
  options.extra_args = std::move(extra);
  return options;
}

}  // namespace

Rosterd::Rosterd(const std::filesystem::path& data_dir, std::vector<std::string> extra)
    : Rosterd(OptionsFor(data_dir, std::move(extra))) {}

Rosterd::Rosterd(RosterdOptions options) : options_(std::move(options)) {
  const std::string base = options_.data_dir.string();
  if (options_.binary.empty()) options_.binary = std::filesystem::path(ROSTER_BIN_DIR) / "rosterd";
  if (options_.stdout_path.empty()) options_.stdout_path = base + ".stdout";
  if (options_.stderr_path.empty()) options_.stderr_path = base + ".stderr";
  port_file_ = base + ".port";
  // rosterd removes it too, but only once it runs: an old one must not be taken for this start.
  std::error_code ignored;  // a missing file is the usual case
  std::filesystem::remove(port_file_, ignored);
  stdout_offset_ = SizeOf(options_.stdout_path);

  ChildOptions child;
  child.argv = {
      options_.binary.string(), "--data-dir", base, "--listen", "127.0.0.1:0", "--port-file",
      port_file_.string()};
  child.argv.insert(child.argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  child.stdout_path = options_.stdout_path;
  child.stderr_path = options_.stderr_path;
  child.append_output = true;
  child.drop_env_prefixes = options_.drop_env_prefixes;
  auto started = ChildProcess::Start(child);
  if (!started) {
    error_ = "cannot start " + options_.binary.string() + ": " + started.error();
    return;
  }
  child_.emplace(std::move(*started));

  // The port file appears whole once rosterd listens; polled, as nothing else tells of it.
  const auto until = std::chrono::steady_clock::now() + options_.start_timeout;
  while (true) {
    if (const uint16_t port = ReadPort(port_file_); port != 0) {
      port_ = port;
      return;
    }
    if (!child_->Running()) {
      error_ = "rosterd exited with status " +
               std::to_string(*child_->Wait(std::chrono::milliseconds(0)));
      return;
    }
    if (std::chrono::steady_clock::now() >= until) {
      error_ =
          "rosterd did not listen within " + std::to_string(options_.start_timeout.count()) + " ms";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Rosterd::~Rosterd() = default;  // the ChildProcess kills what still runs

std::string Rosterd::output() const { return ReadFrom(options_.stdout_path, stdout_offset_); }

std::string Rosterd::StderrTail(size_t bytes) const {
  const uintmax_t size = SizeOf(options_.stderr_path);
  const uintmax_t from = size > bytes ? size - bytes : 0;
  return (from > 0 ? "..." : "") + ReadFrom(options_.stderr_path, from);
}

void Rosterd::Signal(int sig) {
  if (child_) child_->Signal(sig);
}

int Rosterd::Wait(std::chrono::milliseconds timeout) {
  if (!child_) return -1;
  return child_->Wait(timeout).value_or(-1);
}

std::optional<int> Rosterd::Stop(std::chrono::milliseconds grace) {
  if (!child_) return std::nullopt;
  return child_->Stop(grace);
}

std::string ReadToken(const std::filesystem::path& data_dir) {
  std::ifstream in(data_dir / "admin.token");
  std::string token;
  std::getline(in, token);
  return token;
}

}  // namespace roster::tests
