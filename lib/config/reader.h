// Reading the configuration's TOML (config.cc, read_feeds.cc, read_channels.cc): the Reader
// that types each value and fails with "FILE:LINE: message", and the readers of the sections
// written outside config.cc. Internal to lib/config.
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "config/config.h"
#include "config/suggest.h"

namespace veille::config::detail {

// Thrown inside this file only; ParseConfig turns it into a Result.
struct ConfigError {
  std::string message;
};

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const toml::source_region& where, const std::string& message) const {
    throw ConfigError{file_ + ":" + std::to_string(where.begin.line) + ": " + message};
  }
  [[noreturn]] void Fail(int line, const std::string& message) const {
    throw ConfigError{file_ + ":" + std::to_string(line) + ": " + message};
  }

  // Rejects keys of `table` that are not in `known`, suggesting the closest one.
  void CheckKeys(const toml::table& table, std::string_view what,
                 const std::vector<std::string_view>& known) const {
    for (auto&& [key, node] : table) {
      const std::string_view k = key.str();
      if (std::find(known.begin(), known.end(), k) != known.end()) continue;
      std::string message = "unknown key '" + std::string(k) + "' in " + std::string(what);
      if (auto close = ClosestMatch(k, known); !close.empty()) {
        message += " (did you mean '" + close + "'?)";
      }
      Fail(key.source(), message);
    }
  }

  std::optional<std::string> String(const toml::table& t, std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (!node->is_string()) Fail(node->source(), "'" + std::string(key) + "' must be a string");
    return node->value<std::string>();
  }

  std::optional<bool> Bool(const toml::table& t, std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (!node->is_boolean())
      Fail(node->source(), "'" + std::string(key) + "' must be true or false");
    return node->value<bool>();
  }

  std::optional<std::int64_t> Integer(const toml::table& t, std::string_view key, std::int64_t min,
                                      std::int64_t max) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (!node->is_integer()) Fail(node->source(), "'" + std::string(key) + "' must be an integer");
    const auto v = *node->value<std::int64_t>();
    if (v < min || v > max) {
      Fail(node->source(), "'" + std::string(key) + "' must be between " + std::to_string(min) +
                               " and " + std::to_string(max));
    }
    return v;
  }

  // A duration: "30m", "1h30m", "7d" or an integer number of seconds.
  std::optional<std::int64_t> Duration(const toml::table& t, std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (node->is_integer() && *node->value<std::int64_t>() > 0) return node->value<std::int64_t>();
    if (node->is_string()) {
      if (auto d = ParseDurationSeconds(*node->value<std::string>())) return d;
    }
    Fail(node->source(), "'" + std::string(key) +
                             "' must be a duration such as \"90s\", \"30m\", \"24h\" or \"7d\"");
  }

  // A short duration in milliseconds, at most `max_ms`: "250ms", "2s", "0", or an integer number
  // of seconds.
  std::optional<std::int64_t> Millis(const toml::table& t, std::string_view key,
                                     std::int64_t max_ms) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    const auto text = node->value<std::string>();
    std::optional<std::int64_t> ms;
    if (node->is_integer() && *node->value<std::int64_t>() >= 0) {
      ms = *node->value<std::int64_t>() * 1000;
    } else if (text && *text == "0") {
      ms = 0;
    } else if (text && text->size() > 2 && text->substr(text->size() - 2) == "ms" &&
               text->size() < 12 && text->find_first_not_of("0123456789") == text->size() - 2) {
      ms = std::stoll(text->substr(0, text->size() - 2));
    } else if (text) {
      if (auto d = ParseDurationSeconds(*text)) ms = *d * 1000;
    }
    if (!ms || *ms > max_ms) {
      Fail(node->source(), "'" + std::string(key) +
                               "' must be a duration such as \"250ms\", \"2s\" or \"0\" (at most " +
                               std::to_string(max_ms / 1000) + "s)");
    }
    return ms;
  }

  std::optional<std::size_t> Size(const toml::table& t, std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    if (node->is_integer() && *node->value<std::int64_t>() > 0) {
      return static_cast<std::size_t>(*node->value<std::int64_t>());
    }
    if (node->is_string()) {
      if (auto s = ParseSize(*node->value<std::string>())) return s;
    }
    Fail(node->source(),
         "'" + std::string(key) + "' must be a size such as \"16MiB\" or \"512KiB\"");
  }

  std::optional<std::vector<std::string>> Strings(const toml::table& t,
                                                  std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    const toml::array* array = node->as_array();
    if (!array) Fail(node->source(), "'" + std::string(key) + "' must be an array of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
      if (!item.is_string()) {
        Fail(item.source(), "'" + std::string(key) + "' must contain only strings");
      }
      out.push_back(*item.value<std::string>());
    }
    return out;
  }

  // The tables of an array-of-tables key ([[feed]]); empty when absent.
  std::vector<const toml::table*> Tables(const toml::table& t, std::string_view key) const {
    std::vector<const toml::table*> out;
    const toml::node* node = t.get(key);
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array)
      Fail(node->source(),
           "'" + std::string(key) + "' must be written [[" + std::string(key) + "]]");
    for (const toml::node& item : *array) {
      const toml::table* table = item.as_table();
      if (!table) Fail(item.source(), "'" + std::string(key) + "' entries must be tables");
      out.push_back(table);
    }
    return out;
  }

  const toml::table* Table(const toml::table& t, std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return nullptr;
    const toml::table* table = node->as_table();
    if (!table)
      Fail(node->source(), "'" + std::string(key) + "' must be a table [" + std::string(key) + "]");
    return table;
  }

 private:
  std::string file_;
};

inline int LineOf(const toml::table& t) { return static_cast<int>(t.source().begin.line); }
inline int LineOf(const toml::table& t, std::string_view key) {
  const toml::node* node = t.get(key);
  return node ? static_cast<int>(node->source().begin.line) : LineOf(t);
}

inline std::string ResolvePath(const std::string& path, const std::string& dir) {
  if (path.empty() || path.front() == '/' || IsDatabaseUrl(path)) return path;
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

// A host that only this machine reaches ("localhost", "::1", "127.x.y.z").
inline bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// [[feed]] (read_feeds.cc); OPML files named by feeds are expanded by ExpandOpmlFeeds.
void ReadFeed(const Reader& r, const toml::table& t, const std::string& dir, FeedEntry& f);
void ExpandOpmlFeeds(const Reader& r, std::vector<FeedEntry>& feeds);
// [[search]] (read_feeds.cc): a search engine's results as feeds, appended to `feeds`.
void ReadSearch(const Reader& r, const toml::table& t, const std::string& dir,
                std::vector<FeedEntry>& feeds);
// [[rule]] (read_feeds.cc).
void ReadRule(const Reader& r, const toml::table& t, RuleEntry& rule);
// [[channel]] and [web] (read_channels.cc).
void ReadChannel(const Reader& r, const toml::table& t, const std::string& dir, ChannelEntry& c);
void ReadWeb(const Reader& r, const toml::table& t, const std::string& dir, WebSection& w);

}  // namespace veille::config::detail
