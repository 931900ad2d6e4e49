#include "tools/rosterd/config.h"

#include <toml++/toml.h>

#include <fstream>
#include <iterator>
#include <map>

namespace roster::tools::rosterd {
namespace {

std::expected<void, std::string> ApplyTable(const toml::table& table, const std::string& file,
                                            const FlagGiven& given_flag, Settings& s) {
  std::map<std::string, std::string*> texts = {{"data_dir", &s.data_dir},
                                               {"log", &s.log},
                                               {"listen", &s.server.listen},
                                               {"tls_cert", &s.server.tls_cert_file},
                                               {"tls_key", &s.server.tls_key_file},
                                               {"log_level", &s.log_level},
                                               {"port_file", &s.port_file},
                                               {"http", &s.http},
                                               {"http_port_file", &s.http_port_file},
                                               {"webhook_ca_file", &s.webhook_ca_file}};
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const std::string flag = FlagOf(name);
    const NumberSetting* number = nullptr;
    int64_t* number_value = nullptr;
    for (size_t i = 0; i < std::size(kNumberSettings); ++i) {
      if (name == kNumberSettings[i].key) {
        number = &kNumberSettings[i];
        number_value = &s.numbers[i];
      }
    }
    const MibSetting* mib = nullptr;
    for (const MibSetting& m : kMibSettings) {
      if (name == m.key) mib = &m;
    }
    const WebhookSetting* hook = nullptr;
    for (const WebhookSetting& w : kWebhookSettings) {
      if (name == w.key) hook = &w;
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
      if (!given) *number_value = *v;
    } else if (mib != nullptr) {
      auto v = node.value_exact<int64_t>();
      if (!v || *v < 1 || *v > Settings::kMaxCacheMb) {
        return std::unexpected(file + ": " + name + " must be an integer from 1 to " +
                               std::to_string(Settings::kMaxCacheMb));
      }
      if (!given) s.*(mib->field) = *v;
    } else if (hook != nullptr) {
      auto v = node.value_exact<int64_t>();
      if (!v || *v < 1 || *v > hook->max) {
        return std::unexpected(file + ": " + name + " must be an integer from 1 to " +
                               std::to_string(hook->max));
      }
      if (!given) s.*(hook->field) = *v;
    } else if (name == "sync") {
      auto v = node.value<bool>();
      if (!v) return std::unexpected(file + ": sync must be true or false");
      if (!given) s.sync = *v;
    } else if (name == "test-clock") {
      auto v = node.value<bool>();
      if (!v) return std::unexpected(file + ": test-clock must be true or false");
      if (!given) s.test_clock = *v;
    } else {
      return std::unexpected(file + ": unknown setting '" + name + "'");
    }
  }
  return {};
}

}  // namespace

std::string CheckLogUrl(std::string_view log) {
  if (log.empty() || log.starts_with("postgresql://") || log.starts_with("postgres://")) return "";
  return "log '" + std::string(log) +
         "' is not a PostgreSQL URI (postgresql://user@host:port/dbname?...); leave it out for "
         "the embedded log in the data directory";
}

std::string FlagOf(std::string_view key) {
  std::string flag = "--" + std::string(key);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

std::expected<void, std::string> ApplyConfig(std::string_view text, const std::string& source,
                                             const FlagGiven& given, Settings& s) {
  // toml++ 3.3.0 (Debian 12's) reaches __builtin_unreachable() when it meets some non-ASCII
  // characters where whitespace may be, e.g. `x = 1§` (marzer/tomlplusplus#190 and #295), so
  // only ASCII reaches it. Strings can still hold any character as a \uXXXX escape.
  const std::string_view bom = "\xEF\xBB\xBF";
  const size_t start = text.starts_with(bom) ? bom.size() : 0;
  for (size_t i = start, line = 1; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      return std::unexpected(source + ": line " + std::to_string(line) +
                             ": a non-ASCII character (write it as a \\uXXXX escape in a string)");
    }
  }
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
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open()) return std::unexpected(file + ": File could not be opened for reading");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ApplyConfig(text, file, given, s);
}

}  // namespace roster::tools::rosterd
