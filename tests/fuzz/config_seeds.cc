// Writes config_fuzzer's seed corpus: the example roster.toml of docs/operations.md (every
// ```toml block there, read at run time so the seeds follow the docs), the files the rosterd
// tests start it with, a file setting every key (at its default and at its maximum), and files
// that use the rest of TOML's syntax (comments, every string form, tables, arrays, dates,
// floats) or break a rule (a value out of range, a wrong type, an unknown key).
//
// Usage: config_seeds <output directory> <source directory>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/rosterd/config.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <output directory> <source directory>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  std::vector<std::pair<std::string, std::string>> seeds;

  std::ifstream doc(std::filesystem::path(argv[2]) / "docs" / "operations.md");
  std::string line, block;
  bool in_toml = false;
  while (std::getline(doc, line)) {
    if (!in_toml && line == "```toml") {
      in_toml = true;
      block.clear();
    } else if (in_toml && line == "```") {
      in_toml = false;
      seeds.emplace_back("docs_operations_" + std::to_string(seeds.size()), block);
    } else if (in_toml) {
      block += line + "\n";
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "config_seeds: no ```toml block in docs/operations.md\n");
    return 1;
  }

  const roster::tools::rosterd::Settings defaults;
  std::string every_default =
      "# every setting at its default\n"
      "data_dir = \"" +
      defaults.data_dir + "\"\nlisten = \"" + defaults.server.listen + "\"\n" +
      "tls_cert = \"\"\ntls_key = \"\"\nlog_level = \"" + defaults.log_level + "\"\n" +
      "sync = true\n";
  std::string every_max = "sync = false\n";
  for (const auto& m : roster::tools::rosterd::kMibSettings) {
    every_default += std::string(m.key) + " = " + std::to_string(defaults.*(m.field)) + "\n";
    every_max += std::string(m.key) + " = " +
                 std::to_string(roster::tools::rosterd::Settings::kMaxCacheMb) + "\n";
  }
  for (size_t i = 0; i < defaults.numbers.size(); ++i) {
    const auto& n = roster::tools::rosterd::kNumberSettings[i];
    every_default += std::string(n.key) + " = " + std::to_string(defaults.numbers[i]) + "\n";
    every_max += std::string(n.key) + " = " + std::to_string(n.max) + "\n";
  }
  seeds.emplace_back("every_default", every_default);
  seeds.emplace_back("every_max", every_max);
  // tests/api/rosterd_e2e_test.cc
  seeds.emplace_back("e2e_limits",
                     "max_subscriptions = 1\nmax_credits = 50\nlog_level = \"warn\"\n");
  seeds.emplace_back("e2e_misspelt", "max_subscription = 1\n");
  seeds.emplace_back("e2e_huge", "io_threads = 100000\n");
  seeds.emplace_back("strings",
                     "data_dir = 'C:\\srv\\roster'  # literal\n"
                     "listen = \"\\u0030.0.0.0:7400\"\n"
                     "tls_cert = \"\"\"\n/etc/roster/\\\n  server.pem\"\"\"\n"
                     "tls_key = '''\n/etc/roster/server.key'''\n"
                     "log_level = \"debug\"\n");
  seeds.emplace_back("escapes_and_bom",
                     "\xEF\xBB\xBF# after a byte order mark\n"
                     "data_dir = \"/srv/r\\u00f4ster/\\U0001F600\\t\\\"x\\\"\"\n");
  seeds.emplace_back("numbers",
                     "max_message_bytes = 0x100000\nmax_connections = 1_024\n"
                     "max_in_flight = +64\nframe_deadline_ms = 0o23420\n"
                     "idle_timeout_ms = 0b1000\nio_threads = 2.0\nworker_threads = 1e2\n");
  seeds.emplace_back("wrong_types",
                     "sync = \"yes\"\nlisten = 7400\nmax_credits = [1, 2]\n"
                     "worker_threads = 1979-05-27T07:32:00Z\n");
  seeds.emplace_back("tables",
                     "[server]\nlisten = \"0.0.0.0:7400\"\n[[servers]]\nname = \"a\"\n"
                     "point = { x = 1, y = [1.5, inf, nan], z = { deep = true } }\n"
                     "when = 07:32:00\nday = 1979-05-27\n");
  seeds.emplace_back("dotted_keys", "server.listen = \"0.0.0.0:7400\"\n\"quoted key\" = 1\n");
  seeds.emplace_back("out_of_range", "max_credits = 4294967296\nio_threads = 0\n");
  seeds.emplace_back("syntax_error", "listen = \"0.0.0.0:7400\nmax_credits = \n");

  for (const auto& [name, text] : seeds) {
    std::ofstream(out / (name + ".toml"), std::ios::binary) << text;
  }
  std::printf("%zu seeds written to %s\n", seeds.size(), out.c_str());
  return 0;
}
