#include "tests/fuzz/targets.h"
#include "tools/rosterd/config.h"

namespace roster::tests::fuzz {
namespace {

using tools::rosterd::Settings;

bool SameSettings(const Settings& a, const Settings& b) {
  return a.numbers == b.numbers && a.data_dir == b.data_dir && a.server.listen == b.server.listen &&
         a.server.tls_cert_file == b.server.tls_cert_file &&
         a.server.tls_key_file == b.server.tls_key_file && a.log_level == b.log_level &&
         a.port_file == b.port_file && a.http == b.http && a.http_port_file == b.http_port_file &&
         a.sync == b.sync && a.model_cache_mb == b.model_cache_mb &&
         a.storage_cache_mb == b.storage_cache_mb;
}

}  // namespace

void FuzzConfigFile(std::span<const uint8_t> input) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  const std::string source = "fuzz.toml";
  Settings from_file;
  auto applied = tools::rosterd::ApplyConfig(
      text, source, [](const std::string&) { return false; }, from_file);
  Settings flags_win;
  auto all_given = tools::rosterd::ApplyConfig(
      text, source, [](const std::string&) { return true; }, flags_win);
  Check(applied.has_value() == all_given.has_value(),
        "whether a file is accepted depends on the flags given");
  Check(SameSettings(flags_win, Settings{}), "a setting from the file overrode a flag");
  if (!applied) {
    Check(applied.error().starts_with(source + ": "), "a config error does not name the file");
    return;
  }
  for (size_t i = 0; i < from_file.numbers.size(); ++i) {
    Check(
        from_file.numbers[i] >= 1 && from_file.numbers[i] <= tools::rosterd::kNumberSettings[i].max,
        "a config file set a number outside its range");
  }
  for (const tools::rosterd::MibSetting& m : tools::rosterd::kMibSettings) {
    Check(from_file.*(m.field) >= 1 && from_file.*(m.field) <= Settings::kMaxCacheMb,
          "a config file set a cache size outside its range");
  }
}

}  // namespace roster::tests::fuzz
