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
#include "config/search.h"
#include "config/suggest.h"

namespace veille::config {
namespace {

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

int LineOf(const toml::table& t) { return static_cast<int>(t.source().begin.line); }
int LineOf(const toml::table& t, std::string_view key) {
  const toml::node* node = t.get(key);
  return node ? static_cast<int>(node->source().begin.line) : LineOf(t);
}

std::string ResolvePath(const std::string& path, const std::string& dir) {
  if (path.empty() || path.front() == '/' || IsDatabaseUrl(path)) return path;
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

}  // namespace

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

// A value that goes into an HTTP header: one line, no control characters.
bool IsHeaderSafe(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

void ReadFeedHttp(const Reader& r, const toml::table& t, const std::string& dir, FeedEntry& f) {
  f.user_agent = r.String(t, "user_agent").value_or("");
  if (!IsHeaderSafe(f.user_agent)) {
    r.Fail(LineOf(t, "user_agent"), "'user_agent' must be one line without control characters");
  }
  if (const toml::node* node = t.get("headers")) {
    const toml::table* headers = node->as_table();
    if (!headers) r.Fail(node->source(), "'headers' must be a table such as { Cookie = \"a=b\" }");
    for (auto&& [key, value] : *headers) {
      const std::string name(key.str());
      if (!value.is_string()) r.Fail(value.source(), "header '" + name + "' must be a string");
      const std::string text = *value.value<std::string>();
      if (name.empty() || name.find_first_of(" :\t\r\n") != std::string::npos ||
          !IsHeaderSafe(text)) {
        r.Fail(value.source(),
               "header '" + name + "' must be a name and a one-line value (no CR/LF)");
      }
      f.headers.emplace_back(name, text);
    }
  }
  f.username = r.String(t, "username").value_or("");
  f.password_file = r.String(t, "password_file").value_or("");
  if (f.password_file.rfind("credential:", 0) != 0)
    f.password_file = ResolvePath(f.password_file, dir);
  if (!f.password_file.empty() && f.username.empty()) {
    r.Fail(LineOf(t, "password_file"), "'password_file' needs a 'username'");
  }
  f.ca_file = ResolvePath(r.String(t, "ca_file").value_or(""), dir);
  f.proxy = r.String(t, "proxy").value_or("");
  f.timeout_s = r.Duration(t, "timeout");
  f.honor_publisher_interval = r.Bool(t, "honor_publisher_interval");
}

// interval, tags, priority, backfill_alerts: the scheduling keys of [[feed]] and [[search]].
void ReadFeedSchedule(const Reader& r, const toml::table& t, FeedEntry& f) {
  f.interval_s = r.Duration(t, "interval");
  f.tags = r.Strings(t, "tags").value_or(std::vector<std::string>{});
  if (auto p = r.String(t, "priority")) {
    if (*p != "high" && *p != "normal") {
      r.Fail(LineOf(t, "priority"), "'priority' must be \"normal\" or \"high\"");
    }
    f.high_priority = *p == "high";
  }
  f.backfill_alerts = r.Bool(t, "backfill_alerts").value_or(false);
}

// [[feed]] opml = "feeds.opml": the table's settings apply to every feed of the file, which
// ExpandOpmlFeeds reads once every table is known.
void ReadOpmlFeed(const Reader& r, const toml::table& t, const std::string& dir, FeedEntry& f) {
  f.line = LineOf(t);
  for (const char* key : {"url", "name"}) {
    if (t.get(key)) {
      r.Fail(LineOf(t, key),
             "a [[feed]] with 'opml' takes its URLs and names from the file; "
             "remove '" +
                 std::string(key) + "'");
    }
  }
  auto path = r.String(t, "opml");
  if (!path || path->empty()) r.Fail(LineOf(t, "opml"), "'opml' must name a file");
  f.opml = ResolvePath(*path, dir);
  ReadFeedSchedule(r, t, f);
  ReadFeedHttp(r, t, dir, f);
}

// Replaces each OPML [[feed]] by the feeds its file lists (http and https URLs only).
void ExpandOpmlFeeds(const Reader& r, std::vector<FeedEntry>& feeds) {
  std::vector<FeedEntry> out;
  for (FeedEntry& f : feeds) {
    if (f.opml.empty()) {
      out.push_back(std::move(f));
      continue;
    }
    std::ifstream in(f.opml, std::ios::binary);
    if (!in) r.Fail(f.line, "cannot read the OPML file " + f.opml);
    std::ostringstream body;
    body << in.rdbuf();
    auto listed = ParseOpml(body.str());
    if (!listed) r.Fail(f.line, f.opml + ": " + listed.error().message);
    for (const OpmlFeed& o : *listed) {
      std::string lower = o.url.substr(0, 8);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) {
        r.Fail(f.line, f.opml + ": line " + std::to_string(o.line) +
                           ": xmlUrl must be an http or https URL, not '" + o.url + "'");
      }
      FeedEntry each = f;
      each.url = o.url;
      each.name = o.title;
      out.push_back(std::move(each));
    }
  }
  feeds = std::move(out);
}

void ReadFeed(const Reader& r, const toml::table& t, const std::string& dir, FeedEntry& f) {
  r.CheckKeys(t, "[[feed]]",
              {"url", "name", "interval", "tags", "priority", "backfill_alerts", "opml",
               "user_agent", "headers", "username", "password_file", "ca_file", "proxy", "timeout",
               "honor_publisher_interval"});
  if (t.get("opml")) return ReadOpmlFeed(r, t, dir, f);
  f.line = LineOf(t);
  auto url = r.String(t, "url");
  if (!url || url->empty()) r.Fail(f.line, "[[feed]] needs a 'url'");
  if (url->find_first_of(" \t\r\n") != std::string::npos) {
    r.Fail(LineOf(t, "url"), "'url' must not contain spaces or line breaks");
  }
  const auto scheme_end = url->find("://");
  if (scheme_end != std::string::npos) {
    std::string scheme = url->substr(0, scheme_end);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme != "http" && scheme != "https" && scheme != "file") {
      r.Fail(LineOf(t, "url"), "'url' scheme must be http, https or file, not '" + scheme + "'");
    }
    const std::optional<Url> parsed = Url::Parse(*url);
    if ((scheme == "http" || scheme == "https") && !(parsed && parsed->IsWeb())) {
      r.Fail(LineOf(t, "url"), "'url' is not a valid URL: " + RedactUrl(*url));
    }
  }
  f.url = ResolveFeedLocation(*url, dir);
  f.name = r.String(t, "name").value_or(RedactUrl(*url));  // names reach logs: no secrets
  ReadFeedSchedule(r, t, f);
  ReadFeedHttp(r, t, dir, f);
}

// [[search]] query = "..." sources = [...]: one feed per source (config/search.h), named
// "<name or query> · <source>", each with the table's settings.
void ReadSearch(const Reader& r, const toml::table& t, const std::string& dir,
                std::vector<FeedEntry>& feeds) {
  r.CheckKeys(t, "[[search]]",
              {"name", "query", "sources", "language", "country", "interval", "tags", "priority",
               "backfill_alerts", "user_agent", "headers", "proxy", "timeout"});
  FeedEntry base;
  base.line = LineOf(t);
  const std::string query = r.String(t, "query").value_or("");
  if (query.find_first_not_of(" \t\r\n") == std::string::npos) {
    r.Fail(base.line, "[[search]] needs a non-empty 'query'");
  }
  const std::string language = r.String(t, "language").value_or("");
  if (!language.empty() &&
      !(language.size() == 2 && std::islower(static_cast<unsigned char>(language[0])) &&
        std::islower(static_cast<unsigned char>(language[1])))) {
    r.Fail(LineOf(t, "language"), "'language' must be a two-letter code such as \"fr\"");
  }
  const std::string country = r.String(t, "country").value_or("");
  if (!country.empty() &&
      !(country.size() == 2 && std::isupper(static_cast<unsigned char>(country[0])) &&
        std::isupper(static_cast<unsigned char>(country[1])))) {
    r.Fail(LineOf(t, "country"), "'country' must be a two-letter code such as \"FR\"");
  }
  auto sources = r.Strings(t, "sources");
  if (!sources || sources->empty()) {
    r.Fail(base.line, "[[search]] needs 'sources', e.g. [\"google-news\"]");
  }
  ReadFeedSchedule(r, t, base);
  ReadFeedHttp(r, t, dir, base);
  const std::string label = r.String(t, "name").value_or(query);
  for (const std::string& source : *sources) {
    auto url = SearchUrl(source, query, language, country);
    if (!url) r.Fail(LineOf(t, "sources"), url.error().message);
    FeedEntry& f = feeds.emplace_back(base);
    f.url = *url;
    f.name = label + " \u00b7 " + source;
    f.search_source = source;
  }
}

void ReadRule(const Reader& r, const toml::table& t, RuleEntry& rule) {
  r.CheckKeys(t, "[[rule]]", {"name", "category", "entity", "query", "exclude", "channels"});
  rule.line = LineOf(t);
  auto name = r.String(t, "name");
  if (!name || name->empty()) r.Fail(rule.line, "[[rule]] needs a 'name'");
  rule.name = *name;
  rule.category = r.String(t, "category").value_or("brand");
  if (rule.category.empty()) r.Fail(LineOf(t, "category"), "'category' must not be empty");
  rule.entity = r.String(t, "entity").value_or(rule.name);
  if (rule.entity.find_first_not_of(" \t\r\n") == std::string::npos) {
    r.Fail(LineOf(t, "entity"), "'entity' must not be empty (leave it out to use the rule's name)");
  }
  auto query = r.String(t, "query");
  if (!query || query->find_first_not_of(" \t\r\n") == std::string::npos) {
    r.Fail(rule.line, "rule \"" + rule.name + "\" needs a non-empty 'query'");
  }
  rule.query = *query;
  rule.query_line = LineOf(t, "query");
  rule.exclude = r.String(t, "exclude").value_or("");
  rule.channels = r.Strings(t, "channels").value_or(std::vector<std::string>{});
}

// "HH:MM" -> minutes of the day.
std::optional<int> ClockMinutes(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

// The host of a URL without the brackets of an IPv6 literal, read by the URL module.
std::string UrlHost(std::string_view url) {
  std::string host = HostOf(url, UrlForm::kStrict);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host;
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// A secret location: "credential:NAME" (systemd LoadCredential=) stays as written; paths are
// resolved against the config directory.
std::string SecretLocation(const Reader& r, const toml::table& t, std::string_view key,
                           const std::string& dir) {
  auto v = r.String(t, key);
  if (!v) return {};
  if (v->rfind("credential:", 0) == 0) {
    const std::string name = v->substr(11);
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      r.Fail(LineOf(t, key), "'" + std::string(key) + "' credential name must be a plain name");
    }
    return *v;
  }
  if (v->empty()) r.Fail(LineOf(t, key), "'" + std::string(key) + "' must not be empty");
  return ResolvePath(*v, dir);
}

void ReadChannel(const Reader& r, const toml::table& t, const std::string& dir, ChannelEntry& c) {
  static const std::vector<std::string_view> kEmailKeys = {"smtp_url", "username", "password_file",
                                                           "from",     "to",       "tls"};
  static const std::vector<std::string_view> kWebhookKeys = {"url", "url_file", "secret_file",
                                                             "format", "hub_signature"};
  static const std::vector<std::string_view> kNetworkKeys = {"timeout", "connect_timeout",
                                                             "ca_file"};
  r.CheckKeys(t, "[[channel]]", {"name",         "type",
                                 "mode",         "smtp_url",
                                 "username",     "password_file",
                                 "from",         "to",
                                 "tls",          "url",
                                 "url_file",     "secret_file",
                                 "format",       "hub_signature",
                                 "timeout",      "connect_timeout",
                                 "ca_file",      "time_zone",
                                 "digest",       "digest_at",
                                 "digest_empty", "quiet_hours",
                                 "burst_limit",  "burst_window",
                                 "spike_alerts", "feed_health_alerts"});
  c.line = LineOf(t);
  auto name = r.String(t, "name");
  if (!name || name->empty()) r.Fail(c.line, "[[channel]] needs a 'name'");
  c.name = *name;
  auto type = r.String(t, "type");
  if (!type) r.Fail(c.line, "channel \"" + c.name + "\" needs a 'type' (log, email or webhook)");
  static const std::vector<std::string_view> kTypes = {"log", "email", "webhook"};
  if (std::find(kTypes.begin(), kTypes.end(), *type) == kTypes.end()) {
    std::string message = "channel \"" + c.name + "\": unknown type '" + *type + "'";
    if (auto close = ClosestMatch(*type, kTypes); !close.empty()) {
      message += " (did you mean '" + close + "'?)";
    }
    r.Fail(LineOf(t, "type"), message);
  }
  c.type = *type;
  // Keys of another channel type are mistakes, not silently ignored settings.
  auto only_for = [&](const std::vector<std::string_view>& keys, bool allowed,
                      const std::string& what) {
    for (auto key : keys) {
      if (!allowed && t.contains(key)) {
        r.Fail(LineOf(t, key), "'" + std::string(key) + "' applies to " + what +
                                   " only (channel \"" + c.name + "\" is " + c.type + ")");
      }
    }
  };
  only_for(kEmailKeys, c.type == "email", "email channels");
  only_for(kWebhookKeys, c.type == "webhook", "webhook channels");
  only_for(kNetworkKeys, c.type != "log", "email and webhook channels");

  c.mode = r.String(t, "mode").value_or("immediate");
  if (c.mode != "immediate" && c.mode != "digest") {
    r.Fail(LineOf(t, "mode"), "'mode' must be \"immediate\" or \"digest\"");
  }
  c.smtp_url = r.String(t, "smtp_url").value_or("");
  c.username = r.String(t, "username").value_or("");
  c.password_file = SecretLocation(r, t, "password_file", dir);
  c.from = r.String(t, "from").value_or("");
  c.to = r.Strings(t, "to").value_or(std::vector<std::string>{});
  c.tls = r.String(t, "tls").value_or("starttls");
  c.url = r.String(t, "url").value_or("");
  c.url_file = SecretLocation(r, t, "url_file", dir);
  c.secret_file = SecretLocation(r, t, "secret_file", dir);
  c.format = r.String(t, "format").value_or("json");
  c.hub_signature = r.Bool(t, "hub_signature").value_or(false);
  c.timeout_s = r.Duration(t, "timeout");
  if (auto v = r.Duration(t, "connect_timeout")) c.connect_timeout_s = *v;
  if (auto v = r.String(t, "ca_file")) c.ca_file = ResolvePath(*v, dir);

  if (c.type == "email") {
    if (c.smtp_url.empty()) r.Fail(c.line, "email channel \"" + c.name + "\" needs 'smtp_url'");
    if (c.from.empty()) r.Fail(c.line, "email channel \"" + c.name + "\" needs 'from'");
    if (c.to.empty()) r.Fail(c.line, "email channel \"" + c.name + "\" needs 'to'");
    if (c.tls != "starttls" && c.tls != "smtps" && c.tls != "none") {
      r.Fail(LineOf(t, "tls"), "'tls' must be \"starttls\", \"smtps\" or \"none\"");
    }
    const bool smtps = c.smtp_url.rfind("smtps://", 0) == 0;
    if (!smtps && c.smtp_url.rfind("smtp://", 0) != 0) {
      r.Fail(LineOf(t, "smtp_url"), "'smtp_url' must start with smtp:// or smtps://");
    }
    if (smtps && c.tls == "starttls" && !t.contains("tls")) c.tls = "smtps";
    if (smtps != (c.tls == "smtps")) {
      r.Fail(LineOf(t, "tls"),
             "tls = \"smtps\" goes with an smtps:// URL, \"starttls\" and "
             "\"none\" with smtp://");
    }
    const std::string host = UrlHost(c.smtp_url);
    if (host.empty()) r.Fail(LineOf(t, "smtp_url"), "'smtp_url' has no host");
    if (c.tls == "none" && !IsLoopbackHost(host)) {
      r.Fail(LineOf(t, "tls"),
             "tls = \"none\" is only allowed for a loopback server "
             "(127.0.0.1, ::1, localhost), not " +
                 host);
    }
    auto check_address = [&](const std::string& a, std::string_view key) {
      if (a.find_first_of("\r\n") != std::string::npos || a.find('@') == std::string::npos) {
        r.Fail(LineOf(t, key),
               "'" + std::string(key) + "' needs an email address, got \"" + a + "\"");
      }
    };
    check_address(c.from, "from");
    for (const auto& to : c.to) check_address(to, "to");
    if (!c.username.empty() && c.password_file.empty()) {
      r.Fail(LineOf(t, "username"), "'username' needs 'password_file' (a file or credential:NAME)");
    }
  }
  if (c.type == "webhook") {
    if (c.url.empty() == c.url_file.empty()) {
      r.Fail(c.line, "webhook channel \"" + c.name +
                         "\" needs either 'url' or 'url_file' (a file or credential:NAME)");
    }
    if (!c.url.empty()) {
      const std::optional<Url> url = Url::Parse(c.url);
      if (!url || !url->IsWeb()) {
        r.Fail(LineOf(t, "url"), "'url' must be an http:// or https:// URL");
      }
    }
    static const std::vector<std::string_view> kFormats = {"json", "slack", "discord", "teams"};
    if (std::find(kFormats.begin(), kFormats.end(), c.format) == kFormats.end()) {
      std::string message = "'format' must be json, slack, discord or teams";
      if (auto close = ClosestMatch(c.format, kFormats); !close.empty()) {
        message += " (did you mean '" + close + "'?)";
      }
      r.Fail(LineOf(t, "format"), message);
    }
  }

  if (auto v = r.String(t, "time_zone")) {
    const bool utc = *v == "UTC" || *v == "Etc/UTC";
    if (!utc && (v->empty() || v->front() == '/' || v->find("..") != std::string::npos ||
                 !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + *v))) {
      r.Fail(LineOf(t, "time_zone"),
             "unknown 'time_zone' \"" + *v + "\" (a tz database name such as \"Europe/Paris\")");
    }
    c.time_zone = *v;
  }
  for (auto key : {"digest", "digest_at", "digest_empty"}) {
    if (c.mode != "digest" && t.contains(key)) {
      r.Fail(LineOf(t, key), "'" + std::string(key) + "' needs mode = \"digest\"");
    }
  }
  if (auto v = r.String(t, "digest")) {
    if (*v != "hourly" && *v != "daily") {
      r.Fail(LineOf(t, "digest"), "'digest' must be \"hourly\" or \"daily\"");
    }
    c.digest = *v;
  }
  if (auto v = r.String(t, "digest_at")) {
    auto minutes = ClockMinutes(*v);
    if (!minutes) r.Fail(LineOf(t, "digest_at"), "'digest_at' must be a local time \"HH:MM\"");
    c.digest_minute = *minutes;
  } else if (c.digest == "hourly") {
    c.digest_minute = 0;
  }
  c.digest_when_empty = r.Bool(t, "digest_empty").value_or(false);
  if (auto v = r.String(t, "quiet_hours")) {
    const auto dash = v->find('-');
    std::optional<int> from;
    std::optional<int> until;
    if (dash != std::string::npos) {
      from = ClockMinutes(std::string_view(*v).substr(0, dash));
      until = ClockMinutes(std::string_view(*v).substr(dash + 1));
    }
    if (!from || !until || *from == *until) {
      r.Fail(LineOf(t, "quiet_hours"),
             "'quiet_hours' must be a local window \"HH:MM-HH:MM\" such as \"22:00-07:00\"");
    }
    c.quiet_hours = std::make_pair(*from, *until);
  }
  if (auto v = r.Integer(t, "burst_limit", 1, 10000)) c.burst_limit = static_cast<int>(*v);
  if (auto v = r.Duration(t, "burst_window")) c.burst_window_s = *v;
  c.spike_alerts = r.Bool(t, "spike_alerts").value_or(false);
  c.feed_health_alerts = r.Bool(t, "feed_health_alerts").value_or(false);
}

void ReadWeb(const Reader& r, const toml::table& t, const std::string& dir, WebSection& w) {
  r.CheckKeys(
      t, "[web]",
      {"listen", "password_file", "trust_proxy_user_header", "trusted_proxies", "hostnames",
       "session_lifetime", "threads", "max_connections", "max_body", "timeout", "language"});
  w.line = LineOf(t);
  if (auto v = r.String(t, "listen")) {
    if (!ParseListen(*v)) {
      r.Fail(LineOf(t, "listen"),
             "'listen' must be \"host:port\" such as \"127.0.0.1:8080\" "
             "or \"[::1]:8080\", got \"" +
                 *v + "\"");
    }
    w.listen = *v;
  }
  w.password_file = SecretLocation(r, t, "password_file", dir);
  if (auto v = r.String(t, "trust_proxy_user_header")) {
    if (v->empty() || v->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789-") != std::string::npos) {
      r.Fail(LineOf(t, "trust_proxy_user_header"),
             "'trust_proxy_user_header' must be a header name such as \"X-Forwarded-User\"");
    }
    w.trust_proxy_user_header = *v;
  }
  if (auto v = r.Strings(t, "trusted_proxies")) w.trusted_proxies = *v;
  if (auto v = r.Strings(t, "hostnames")) w.hostnames = *v;
  if (auto v = r.Duration(t, "session_lifetime")) w.session_lifetime_s = *v;
  if (auto v = r.Integer(t, "threads", 1, 64)) w.threads = static_cast<int>(*v);
  if (auto v = r.Integer(t, "max_connections", 1, 10000)) w.max_connections = static_cast<int>(*v);
  if (auto v = r.Size(t, "max_body")) {
    if (*v < 1024 || *v > 16 * 1024 * 1024) {
      r.Fail(LineOf(t, "max_body"), "'max_body' must be between 1KiB and 16MiB");
    }
    w.max_body = *v;
  }
  if (auto v = r.Duration(t, "timeout")) w.timeout_s = *v;
  if (auto v = r.String(t, "language")) {
    if (*v != "auto" && *v != "en" && *v != "fr") {
      r.Fail(LineOf(t, "language"), "'language' must be \"auto\", \"en\" or \"fr\"");
    }
    w.language = *v;
  }
  if (!w.password_file.empty() && !w.trust_proxy_user_header.empty()) {
    r.Fail(LineOf(t, "trust_proxy_user_header"),
           "set 'password_file' (veille signs users in) or 'trust_proxy_user_header' (the proxy "
           "does), not both");
  }
  const auto listen = ParseListen(w.listen);
  if (listen && !listen->loopback && w.password_file.empty() && w.trust_proxy_user_header.empty()) {
    r.Fail(LineOf(t, "listen"),
           "'listen' = \"" + w.listen +
               "\" is reachable from other machines: set 'password_file' (veille serve "
               "--hash-password) or 'trust_proxy_user_header' (behind an authenticating proxy)");
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
