#include "tests/fuzz/targets.h"
#include "tools/rosterd/config.h"

namespace roster::tests::fuzz {
namespace {

using tools::rosterd::Settings;

bool SameSettings(const Settings& a, const Settings& b) {
  for (const auto& n : tools::rosterd::kNumberSettings) {
    if (a.*n.field != b.*n.field) return false;
  }
  return a.data_dir == b.data_dir && a.listen == b.listen && a.tls_cert == b.tls_cert &&
         a.tls_key == b.tls_key && a.log_level == b.log_level && a.sync == b.sync;
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
  for (const auto& n : tools::rosterd::kNumberSettings) {
    Check(from_file.*n.field >= 1 && from_file.*n.field <= n.max,
          "a config file set a number outside its range");
  }
}

}  // namespace roster::tests::fuzz
