// End-to-end test support: a real rosterd child on a loopback port of its choosing with a fresh
// data directory, the roster CLI run as a user would run it, and client library connections.
//
// Every test gets its own server (CTest runs each test case in its own process); the data
// directory and the server go with the fixture. Binaries come from ROSTER_BIN_DIR.
#pragma once

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/client/client.h"
#include "eventstore/testing/temp_dir.h"
#include "tests/support/rosterd_process.h"

namespace roster::tests::e2e {

// A whole file (a child's captured output, a token file).
std::string ReadFile(const std::filesystem::path& path);

// Environment prefixes a CLI child must not inherit: the developer's own server and token.
inline const std::vector<std::string> kDeveloperSettings = {"ROSTER_SERVER=", "ROSTER_TOKEN"};

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// What `<cmd> --json` printed, decoded into the protocol struct it is the JSON of.
template <typename T>
class Json {
 public:
  explicit Json(const std::string& text);
  typename T::Reader get() const { return reader_; }
  const typename T::Reader* operator->() const { return &reader_; }

 private:
  std::unique_ptr<capnp::MallocMessageBuilder> message_;
  typename T::Reader reader_;
};

// Decodes `text` into `root` (capnp JSON with Data as hex, as roster --json writes it).
void DecodeJson(const std::string& text, capnp::DynamicStruct::Builder root);

template <typename T>
Json<T>::Json(const std::string& text) : message_(std::make_unique<capnp::MallocMessageBuilder>()) {
  DecodeJson(text, capnp::toDynamic(message_->initRoot<T>()));
  reader_ = message_->getRoot<T>().asReader();
}

class RosterdTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;  // stops rosterd with SIGTERM and expects a clean exit
  // rosterd's arguments beyond the data directory and listener (e.g. --test-clock).
  virtual std::vector<std::string> ExtraArgs() const { return {}; }

  // Runs build/bin/roster with --server and --token-file prepended; `env` adds variables.
  CliRun Roster(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                bool with_credentials = true);
  // Runs build/bin/roster-admin with --data-dir of this rosterd prepended (read-only commands
  // are safe beside the live server).
  CliRun RosterAdmin(const std::vector<std::string>& args);
  // Same, expecting exit 0; returns stdout.
  std::string Ok(const std::vector<std::string>& args);
  // Same with --json, expecting exit 0; decodes stdout.
  template <typename T>
  Json<T> OkJson(std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    return Json<T>(Ok(args));
  }
  // Expects exit 1 and the error code in stderr.
  void Rejected(const std::vector<std::string>& args, const std::string& code);

  // org create with the given preset; `owner` becomes the first owner.
  void CreateOrg(const std::string& org, const std::string& preset, const std::string& owner);
  // `inviter` invites `user` (email user@example.test) with `role`, and `user` accepts.
  void Join(const std::string& org, const std::string& inviter, const std::string& user,
            const std::string& role);

  // SIGKILLs rosterd (nothing flushed or closed) and starts it again on the same data directory
  // with `args` in place of ExtraArgs(). Returns why it did not start (its error and the end of
  // its log), empty when it listens.
  std::string KillAndRestart(const std::vector<std::string>& args);

  std::unique_ptr<api::client::Client> Connect();
  // The log's last position (status query over a client connection).
  uint64_t LastPosition();

  std::string address() const { return rosterd_->address(); }
  const std::string& admin_token() const { return admin_token_; }
  std::string token_file() const { return (dir_.path() / "data" / "admin.token").string(); }

  eventstore::testing::TempDir dir_{"roster-e2e"};

 private:
  CliRun RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env);

  RosterdOptions options_;
  std::unique_ptr<Rosterd> rosterd_;
  std::string admin_token_;
  std::unique_ptr<api::client::Client> status_client_;
};

}  // namespace roster::tests::e2e
