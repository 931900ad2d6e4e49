#include "tests/support/pg_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <system_error>

#include "tests/support/child_process.h"

namespace roster::tests {
namespace {

// A port nobody listens on now: bind to port 0 and read what the kernel chose. Another process
// may take it before the server does; Start() then tries another.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Where the server's directory goes: $ROSTER_PG_TMPDIR if set; else, for a test server, memory
// (/dev/shm) when there is one, since its data need not survive and copying the initdb'd
// template to a loaded disk took seconds per test process; else $TMPDIR or /tmp, where a
// durable (benchmark) server always goes, so that its fsyncs reach a disk.
std::string BaseDir(bool durable) {
  if (const char* env = std::getenv("ROSTER_PG_TMPDIR"); env != nullptr && *env != '\0') {
    return env;
  }
  if (!durable && access("/dev/shm", W_OK) == 0) return "/dev/shm";
  const char* env = std::getenv("TMPDIR");
  return env != nullptr && *env != '\0' ? std::string(env) : "/tmp";
}

std::string Script() { return std::string(ROSTER_SOURCE_DIR) + "/tests/support/pg_test_server.sh"; }

}  // namespace

std::expected<std::unique_ptr<PgTestServer>, std::string> PgTestServer::Start(
    const PgTestServerOptions& options) {
  std::string last_error;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string pattern = BaseDir(options.durable) + "/roster-pg-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return std::unexpected("mkdtemp failed");
    const int port = FreeLoopbackPort();
    std::unique_ptr<PgTestServer> server(new PgTestServer(pattern, port, options));
    auto started = server->Run("start '" + pattern + "' " + std::to_string(port) + " " +
                               std::to_string(getpid()) + (options.durable ? " durable" : ""));
    if (started) return server;
    last_error = started.error();
  }
  return std::unexpected("starting PostgreSQL: " + last_error);
}

std::expected<std::unique_ptr<PgTestServer>, std::string> PgTestServer::StartStandby(
    const PgTestServer& primary, bool synchronous) {
  std::string last_error;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string pattern = BaseDir(primary.options_.durable) + "/roster-pg-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return std::unexpected("mkdtemp failed");
    const int port = FreeLoopbackPort();
    std::unique_ptr<PgTestServer> server(new PgTestServer(pattern, port, primary.options_));
    auto started = server->Run("standby '" + pattern + "' " + std::to_string(port) + " '" +
                               primary.dir_.string() + "' " + std::to_string(primary.port_) + " " +
                               std::to_string(getpid()) + (synchronous ? " sync" : " async"));
    if (started) return server;
    last_error = started.error();
  }
  return std::unexpected("starting a standby: " + last_error);
}

std::expected<void, std::string> PgTestServer::Promote() {
  return Run("promote '" + dir_.string() + "'");
}

std::expected<void, std::string> PgTestServer::Kill() {
  return Run("kill '" + dir_.string() + "'");
}

std::expected<void, std::string> PgTestServer::PauseWalSenders() {
  return Run("pause-sender '" + dir_.string() + "'");
}

std::expected<void, std::string> PgTestServer::ResumeWalSenders() {
  return Run("resume-sender '" + dir_.string() + "'");
}

PgTestServer::~PgTestServer() {
  // Best effort: the watchdog stops a server left running once this process is gone.
  (void)Stop("immediate");
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PgTestServer::conninfo(std::string_view dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " user=roster dbname=" + std::string(dbname);
}

std::expected<void, std::string> PgTestServer::Stop(std::string_view mode) {
  return Run("stop '" + dir_.string() + "' " + std::string(mode));
}

std::expected<void, std::string> PgTestServer::Restart() {
  return Run("start '" + dir_.string() + "' " + std::to_string(port_) + " " +
             std::to_string(getpid()) + (options_.durable ? " durable" : ""));
}

std::expected<void, std::string> PgTestServer::Run(const std::string& args) const {
  const CommandRun run = RunCommand(Script() + " " + args + " 2>&1");
  if (run.status != 0) return std::unexpected(run.out.empty() ? "the script failed" : run.out);
  return {};
}

}  // namespace roster::tests
