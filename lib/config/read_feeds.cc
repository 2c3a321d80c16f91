// [[feed]] and [[rule]]: a feed's URL or file, HTTP settings, schedule, OPML expansion; a rule's
// query and routing.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "common/redact.h"
#include "common/url.h"
#include "config/opml.h"
#include "config/reader.h"
#include "config/search.h"

namespace veille::config::detail {

namespace {

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

}  // namespace

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

}  // namespace veille::config::detail
