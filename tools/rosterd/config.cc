#include "tools/rosterd/config.h"

#include <toml++/toml.h>

#include <map>

namespace roster::tools::rosterd {
namespace {

std::expected<void, std::string> ApplyTable(const toml::table& table, const std::string& file,
                                            const FlagGiven& given_flag, Settings& s) {
  std::map<std::string, std::string*> texts = {{"data_dir", &s.data_dir},
                                               {"listen", &s.listen},
                                               {"tls_cert", &s.tls_cert},
                                               {"tls_key", &s.tls_key},
                                               {"log_level", &s.log_level}};
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const std::string flag = FlagOf(name);
    const NumberSetting* number = nullptr;
    for (const NumberSetting& n : kNumberSettings) {
      if (name == n.key) number = &n;
    }
    const bool given = given_flag(flag);
    if (auto t = texts.find(name); t != texts.end()) {
      auto v = node.value<std::string>();
      if (!v) return std::unexpected(file + ": " + name + " must be a string");
      if (!given) *t->second = *v;
    } else if (number != nullptr) {
      // Integers only: toml++'s converting value<int64_t>() casts a float such as 1e300 to
      // int64_t unchecked (undefined behaviour), and would take 2.0 or true as a number.
      auto v = node.value_exact<int64_t>();
      if (!v || *v < 1 || *v > number->max) {
        return std::unexpected(file + ": " + name + " must be an integer from 1 to " +
                               std::to_string(number->max));
      }
      if (!given) s.*number->field = *v;
    } else if (name == "sync") {
      auto v = node.value<bool>();
      if (!v) return std::unexpected(file + ": sync must be true or false");
      if (!given) s.sync = *v;
    } else {
      return std::unexpected(file + ": unknown setting '" + name + "'");
    }
  }
  return {};
}

}  // namespace

std::string FlagOf(std::string_view key) {
  std::string flag = "--" + std::string(key);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

std::expected<void, std::string> ApplyConfig(std::string_view text, const std::string& source,
                                             const FlagGiven& given, Settings& s) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return std::unexpected(source + ": " + std::string(e.description()));
  }
  return ApplyTable(table, source, given, s);
}

std::expected<void, std::string> ApplyConfigFile(const std::string& file, const FlagGiven& given,
                                                 Settings& s) {
  toml::table table;
  try {
    table = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return std::unexpected(file + ": " + std::string(e.description()));
  }
  return ApplyTable(table, file, given, s);
}

}  // namespace roster::tools::rosterd
