#include "config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/redact.h"
#include "common/time.h"
#include "common/url.h"
#include "config/opml.h"
#include "config/reader.h"
#include "config/search.h"
#include "config/suggest.h"

namespace veille::config {

using detail::ConfigError;
using detail::ExpandOpmlFeeds;
using detail::IsLoopbackHost;
using detail::LineOf;
using detail::ReadChannel;
using detail::Reader;
using detail::ReadFeed;
using detail::ReadRule;
using detail::ReadSearch;
using detail::ReadWeb;
using detail::ResolvePath;

const std::vector<std::string_view>& DaemonKeys() {
  static const std::vector<std::string_view> kKeys = {
      "database", "log_level",       "user_agent",   "lock_file", "retention",
      "language", "commit_interval", "commit_batch", "lease_time"};
  return kKeys;
}

const std::vector<std::string_view>& PollingKeys() {
  static const std::vector<std::string_view> kKeys = {
      "interval",    "min_interval",  "max_interval",    "concurrency",
      "per_host",    "timeout",       "connect_timeout", "max_body",
      "max_entries", "allow_private", "host_spacing",    "max_redirects",
      "ca_file",     "proxy",         "broken_after",    "honor_publisher_interval"};
  return kKeys;
}

bool IsDatabaseUrl(std::string_view database) {
  auto starts = [&](std::string_view scheme) {
    if (database.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(database[i])) != scheme[i]) return false;
    }
    return true;
  };
  return starts("postgresql://") || starts("postgres://");
}

namespace {

// A password in the URL's user-info ("user:secret@host") or its query ("password=").
bool UrlHoldsPassword(std::string_view url) {
  const std::size_t start = url.find("://") + 3;
  const std::size_t end = url.find_first_of("/?", start);
  const std::string_view authority =
      url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
    return true;
  }
  const std::size_t query = url.find('?');
  if (query == std::string_view::npos) return false;
  std::string lower;
  for (char c : url.substr(query))
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("?password=") != std::string::npos ||
         lower.find("&password=") != std::string::npos;
}

void ReadDaemon(const Reader& r, const toml::table& t, const std::string& dir, DaemonSection& d) {
  r.CheckKeys(t, "[daemon]", DaemonKeys());
  if (auto v = r.String(t, "database")) {
    if (v->empty()) r.Fail(LineOf(t, "database"), "'database' must not be empty");
    d.database = *v;
  }
  d.database = ResolvePath(d.database, dir);
  if (IsDatabaseUrl(d.database)) {
    if (UrlHoldsPassword(d.database)) {
      r.Fail(LineOf(t, "database"),
             "'database' must not hold a password (it would be in logs and `ps`): libpq reads it "
             "from ~/.pgpass, PGPASSFILE or a service file");
    }
  }
  if (auto v = r.String(t, "log_level")) {
    static const std::vector<std::string_view> kLevels = {"trace", "debug",    "info", "warn",
                                                          "error", "critical", "off"};
    if (std::find(kLevels.begin(), kLevels.end(), *v) == kLevels.end()) {
      r.Fail(LineOf(t, "log_level"),
             "'log_level' must be one of trace, debug, info, warn, error, critical, off");
    }
    d.log_level = *v;
  }
  if (auto v = r.String(t, "user_agent")) {
    if (v->find_first_of("\r\n") != std::string::npos || v->empty()) {
      r.Fail(LineOf(t, "user_agent"), "'user_agent' must be one non-empty line");
    }
    d.user_agent = *v;
  }
  if (auto v = r.String(t, "lock_file")) d.lock_file = ResolvePath(*v, dir);
  if (auto v = r.String(t, "language")) {
    // The languages with a catalog in po/ (i18n::kLanguages).
    if (*v != "en" && *v != "fr") {
      r.Fail(LineOf(t, "language"), "'language' must be \"en\" or \"fr\", not \"" + *v + "\"");
    }
    d.language = *v;
  }
  if (const toml::node* node = t.get("retention"); node && node->value<std::string>() == "never") {
    d.retention_s = 0;
  } else if (auto v = r.Duration(t, "retention")) {
    d.retention_s = *v;
  }
  if (auto ms = r.Millis(t, "commit_interval", 60'000)) d.commit_interval_ms = *ms;
  if (auto v = r.Integer(t, "commit_batch", 1, 10'000)) d.commit_batch = static_cast<int>(*v);
  if (auto ms = r.Millis(t, "lease_time", 24 * 3600'000)) {
    if (*ms < 1000) r.Fail(LineOf(t, "lease_time"), "'lease_time' must be at least 1s");
    d.lease_time_ms = *ms;
  }
}

void ReadPolling(const Reader& r, const toml::table& t, const std::string& dir, PollingSection& p) {
  r.CheckKeys(t, "[polling]", PollingKeys());
  if (auto v = r.Duration(t, "interval")) p.interval_s = *v;
  if (auto v = r.Duration(t, "min_interval")) p.min_interval_s = *v;
  if (auto v = r.Duration(t, "max_interval")) p.max_interval_s = *v;
  if (auto v = r.Integer(t, "concurrency", 1, 1024)) p.concurrency = static_cast<int>(*v);
  if (auto v = r.Integer(t, "per_host", 1, 64)) p.per_host = static_cast<int>(*v);
  if (auto v = r.Duration(t, "timeout")) p.timeout_s = *v;
  if (auto v = r.Duration(t, "connect_timeout")) p.connect_timeout_s = *v;
  if (auto v = r.Size(t, "max_body")) p.max_body = *v;
  if (auto v = r.Integer(t, "max_entries", 1, 1'000'000))
    p.max_entries = static_cast<std::size_t>(*v);
  if (auto v = r.Strings(t, "allow_private")) {
    for (const auto& hp : *v) {
      const auto colon = hp.rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == hp.size() ||
          hp.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
        r.Fail(LineOf(t, "allow_private"),
               "'allow_private' entries must be \"host:port\", got \"" + hp + "\"");
      }
    }
    p.allow_private = *v;
  }
  if (auto ms = r.Millis(t, "host_spacing", 3'600'000)) p.host_spacing_ms = *ms;
  if (auto v = r.Integer(t, "max_redirects", 0, 20)) p.max_redirects = static_cast<int>(*v);
  if (auto v = r.String(t, "ca_file")) p.ca_file = ResolvePath(*v, dir);
  if (auto v = r.String(t, "proxy")) p.proxy = *v;
  if (auto v = r.Duration(t, "broken_after")) p.broken_after_s = *v;
  if (auto v = r.Bool(t, "honor_publisher_interval")) p.honor_publisher_interval = *v;
  if (p.min_interval_s > p.max_interval_s) {
    r.Fail(LineOf(t, "min_interval"), "'min_interval' is longer than 'max_interval'");
  }
}

Config Build(std::string_view text, const std::string& path) {
  Config config;
  config.path = path;
  config.dir = std::filesystem::path(path).parent_path().string();
  if (config.dir.empty()) config.dir = ".";
  config.dir = std::filesystem::absolute(config.dir).lexically_normal().string();
  if (config.dir.size() > 1 && config.dir.back() == '/') config.dir.pop_back();
  const Reader r(path);

  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw ConfigError{path + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description())};
  }
  r.CheckKeys(root, "the top level",
              {"daemon", "polling", "feed", "search", "rule", "channel", "web"});
  if (const toml::table* t = r.Table(root, "daemon")) {
    ReadDaemon(r, *t, config.dir, config.daemon);
  } else {
    config.daemon.database = ResolvePath(config.daemon.database, config.dir);
  }
  // "<database>.lock" beside an SQLite file; a PostgreSQL database has no file, and several
  // daemons may share it: no lock unless one is configured (docs/scaling.md).
  if (config.daemon.lock_file.empty() && !IsDatabaseUrl(config.daemon.database)) {
    config.daemon.lock_file = config.daemon.database + ".lock";
  }
  if (const toml::table* t = r.Table(root, "polling"))
    ReadPolling(r, *t, config.dir, config.polling);

  for (const toml::table* t : r.Tables(root, "feed"))
    ReadFeed(r, *t, config.dir, config.feeds.emplace_back());
  ExpandOpmlFeeds(r, config.feeds);
  for (const toml::table* t : r.Tables(root, "search")) ReadSearch(r, *t, config.dir, config.feeds);
  for (const toml::table* t : r.Tables(root, "rule")) ReadRule(r, *t, config.rules.emplace_back());
  for (const toml::table* t : r.Tables(root, "channel")) {
    ReadChannel(r, *t, config.dir, config.channels.emplace_back());
  }
  if (const toml::table* t = r.Table(root, "web")) ReadWeb(r, *t, config.dir, config.web);

  std::set<std::string> seen;
  for (const auto& f : config.feeds) {
    if (!seen.insert(f.url).second) r.Fail(f.line, "feed '" + f.url + "' is listed twice");
  }
  seen.clear();
  std::vector<std::string_view> channel_names;
  for (const auto& c : config.channels) {
    if (!seen.insert(c.name).second) r.Fail(c.line, "channel \"" + c.name + "\" is defined twice");
    channel_names.push_back(c.name);
  }
  seen.clear();
  for (const auto& rule : config.rules) {
    if (!seen.insert(rule.name).second) {
      r.Fail(rule.line, "rule \"" + rule.name + "\" is defined twice");
    }
    for (const auto& ch : rule.channels) {
      if (std::find(channel_names.begin(), channel_names.end(), ch) != channel_names.end())
        continue;
      std::string message = "rule \"" + rule.name + "\" names unknown channel \"" + ch + "\"";
      if (auto close = ClosestMatch(ch, channel_names); !close.empty()) {
        message += " (did you mean \"" + close + "\"?)";
      }
      r.Fail(rule.line, message);
    }
  }
  // An entity is one side of the share of voice: its rules may not be both brand and competitor.
  std::map<std::string, const RuleEntry*> side;
  for (const auto& rule : config.rules) {
    if (rule.category != "brand" && rule.category != "competitor") continue;
    auto [it, inserted] = side.try_emplace(rule.entity, &rule);
    if (inserted || it->second->category == rule.category) continue;
    r.Fail(rule.line, "rule \"" + rule.name + "\" puts entity \"" + rule.entity +
                          "\" in category " + rule.category + ", but rule \"" + it->second->name +
                          "\" puts it in " + it->second->category +
                          ": the share of voice compares entities, each a brand or a competitor");
  }
  return config;
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& path) {
  try {
    return Build(text, path);
  } catch (const ConfigError& e) {
    return Fail(ErrorCode::kConfig, e.message);
  }
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, path + ": cannot read the configuration file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Fail(ErrorCode::kIo, path + ": read error");
  return ParseConfig(buffer.str(), path);
}

Result<std::string> ReadDatabasePath(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, path + ": cannot read the configuration file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  dir = std::filesystem::absolute(dir).lexically_normal().string();
  toml::table root;
  try {
    root = toml::parse(buffer.str(), path);
  } catch (const toml::parse_error& e) {
    return Fail(ErrorCode::kConfig, path + ":" + std::to_string(e.source().begin.line) + ": " +
                                        std::string(e.description()));
  }
  std::string database = DaemonSection{}.database;
  if (const toml::node* node = root.at_path("daemon.database").node()) {
    const auto* value = node->as_string();
    if (value == nullptr || value->get().empty()) {
      return Fail(ErrorCode::kConfig, path + ": [daemon] database is not a non-empty string");
    }
    database = value->get();
  }
  return ResolvePath(database, dir);
}

std::optional<std::size_t> ParseSize(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (value > (std::uint64_t{1} << 40)) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string_view unit = text.substr(i);
  static const std::pair<std::string_view, std::uint64_t> kUnits[] = {
      {"", 1},          {"B", 1},     {"KiB", 1024},      {"MiB", 1024 * 1024},
      {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000000},    {"GB", 1000000000},
      {"k", 1000},      {"K", 1024},  {"M", 1024 * 1024}, {"G", 1 << 30}};
  for (const auto& [name, multiplier] : kUnits) {
    if (unit == name) {
      const std::uint64_t bytes = value * multiplier;
      if (bytes == 0) return std::nullopt;
      return static_cast<std::size_t>(bytes);
    }
  }
  return std::nullopt;
}

std::optional<ListenAddress> ParseListen(std::string_view text) {
  ListenAddress out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    out.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
    if (out.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos ||
        out.host.find(':') == std::string::npos) {
      return std::nullopt;
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
    if (out.host != "localhost" && out.host.find_first_not_of("0123456789.") != std::string::npos) {
      return std::nullopt;  // an address, not a name: what we bind is what the config says
    }
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos) {
    return std::nullopt;
  }
  out.port = std::stoi(std::string(port));
  if (out.port > 65535) return std::nullopt;
  out.loopback = IsLoopbackHost(out.host);
  return out;
}

std::string ResolveFeedLocation(std::string_view location, std::string_view base_dir) {
  if (location.find("://") != std::string_view::npos) return std::string(location);
  std::filesystem::path p(location);
  if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
  return "file://" + p.lexically_normal().string();
}

}  // namespace veille::config
