// The configuration: TOML -> Config structs with documented defaults (docs/configuration.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace veille::config {

struct DaemonSection {
  std::string database = "veille.db";  // absolute after loading (relative to the config dir)
  std::string log_level = "info";      // trace | debug | info | warn | error | critical | off
  std::string user_agent = "veille/0.1 (+https://github.com/veille/veille)";
  // SQLite: default <database>.lock. PostgreSQL: none by default (several daemons may share the
  // database); when set, one daemon per lock file on this machine (docs/scaling.md).
  std::string lock_file;
  // Entries without mentions first seen longer ago than this are pruned; 0 ("never") keeps them.
  std::int64_t retention_s = 90 * 86400;
  // The language of alert emails, digests and chat messages: "en" | "fr" (lib/i18n); also the
  // HTML report's when neither --language nor the environment names one. Logs, JSON and CSV
  // stay English.
  std::string language = "en";
  // Group commit (docs/storage.md): the polls finished within this long of the first one of a
  // batch, at most `commit_batch` of them, share one transaction. A batch also closes when
  // nothing is in flight, and at stop. 0 commits every poll on its own.
  std::int64_t commit_interval_ms = 1000;
  int commit_batch = 64;
  // On a database several daemons share (PostgreSQL): how long a daemon's lease on a feed it
  // polls lasts without renewal, i.e. how soon the others take over the feeds of a daemon that
  // died (docs/scaling.md).
  std::int64_t lease_time_ms = 120'000;
};

struct PollingSection {
  std::int64_t interval_s = 30 * 60;
  std::int64_t min_interval_s = 5 * 60;
  std::int64_t max_interval_s = 24 * 3600;
  int concurrency = 32;
  int per_host = 2;
  std::int64_t timeout_s = 30;
  std::int64_t connect_timeout_s = 10;
  std::size_t max_body = 16 * 1024 * 1024;
  std::size_t max_entries = 10000;         // per document
  std::vector<std::string> allow_private;  // "host:port" exempt from the SSRF guard
  std::int64_t host_spacing_ms = 250;      // pause between two requests to one host
  int max_redirects = 5;
  std::string ca_file;                       // "" = the system bundle
  std::string proxy;                         // "" = $https_proxy / $http_proxy / $no_proxy
  std::int64_t broken_after_s = 14 * 86400;  // failing this long = "broken" (still polled)
  // Publisher hints (ttl, sy:updatePeriod, Cache-Control) may lengthen a feed's interval.
  bool honor_publisher_interval = false;
};

struct FeedEntry {
  std::string url;   // http(s)://... or file:///absolute/path (plain paths are resolved)
  std::string name;  // defaults to the URL
  std::optional<std::int64_t> interval_s;
  std::vector<std::string> tags;
  bool high_priority = false;                    // priority = "high"
  bool backfill_alerts = false;                  // alert on the entries present at the first poll
  std::optional<bool> honor_publisher_interval;  // nullopt: the [polling] value
  std::string opml;  // the OPML file this feed was listed in ([[feed]] opml = ...), else ""
  std::string search_source;  // the [[search]] source this feed came from ("google-news"), else ""
  // Per-feed HTTP settings (empty / nullopt = the [polling] value).
  std::string user_agent;
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::string username;                                      // basic auth user
  std::string password_file;  // basic auth password, read at poll time (never logged)
  std::string ca_file;        // extra trust anchor for this feed (verification stays on)
  std::string proxy;          // proxy URL for this feed
  std::optional<std::int64_t> timeout_s;
  int line = 0;  // where the [[feed]] table starts
};

struct RuleEntry {
  std::string name;
  std::string category = "brand";
  // Who the rule is about, for the share of voice (veille stats, report): the rules of one
  // entity count its distinct stories together. Defaults to the rule's name.
  std::string entity;
  std::string query;
  std::string exclude;
  std::vector<std::string> channels;
  int line = 0;
  int query_line = 0;  // line of the query key, for query errors
};

struct ChannelEntry {
  std::string name;
  std::string type;                // log | email | webhook
  std::string mode = "immediate";  // immediate | digest
  // email
  std::string smtp_url;
  std::string username;
  std::string password_file;  // a path, or "credential:NAME" for $CREDENTIALS_DIRECTORY/NAME
  std::string from;
  std::vector<std::string> to;
  std::string tls = "starttls";  // starttls | smtps | none (none: loopback servers only)
  // webhook: the URL inline, or (it is a secret as a whole: Slack, Discord and Teams put the
  // token in its path) read at start-up from url_file, a path or "credential:NAME"
  std::string url;
  std::string url_file;
  std::string secret_file;      // "whsec_<base64>"; a path or "credential:NAME"
  std::string format = "json";  // json | slack | discord | teams
  bool hub_signature = false;   // also send X-Hub-Signature-256
  // delivery (docs/alerts.md)
  std::optional<std::int64_t> timeout_s;  // whole attempt; default 60 s email, 20 s webhook
  std::int64_t connect_timeout_s = 10;
  std::string ca_file;             // extra CA bundle; empty: the system store
  std::string time_zone = "UTC";   // tz database name for digest_at and quiet_hours
  std::string digest = "daily";    // hourly | daily (mode = "digest")
  int digest_minute = 8 * 60;      // digest_at = "HH:MM" local (hourly: minutes past)
  bool digest_when_empty = false;  // digest_empty = true: send "no new mentions" too
  std::optional<std::pair<int, int>> quiet_hours;  // "22:00-07:00": minutes of the local day
  int burst_limit = 0;                // 0: off; more messages than this within burst_window
  std::int64_t burst_window_s = 600;  //   are folded into one summary
  bool spike_alerts = false;          // receive spike alerts of the rules routed here
  bool feed_health_alerts = false;    // receive feed-health alerts (an operator channel)
  int line = 0;
};

// `veille serve`: the web inbox (docs/web.md). Anything but a loopback `listen` needs
// authentication: `password_file` or `trust_proxy_user_header`.
struct WebSection {
  std::string listen = "127.0.0.1:8080";  // "host:port", "[v6]:port"; checked by ParseListen
  std::string password_file;  // argon2id hashes ("HASH" or "user:HASH" lines); path or credential:
  std::string trust_proxy_user_header;  // e.g. "X-Forwarded-User"; "" = off
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};  // peers whose headers count
  std::vector<std::string> hostnames;  // Host names accepted besides 127.0.0.1, localhost, [::1]
  std::int64_t session_lifetime_s = 12 * 3600;
  int threads = 4;
  int max_connections = 64;
  std::size_t max_body = 256 * 1024;
  std::int64_t timeout_s = 30;    // an idle or trickling connection is closed after this
  std::string language = "auto";  // auto (the browser's Accept-Language) | en | fr
  int line = 0;                   // where [web] starts (0: absent)
};

// A listen address split into host and port ("127.0.0.1:8080", "[::1]:8080", "localhost:0").
struct ListenAddress {
  std::string host;  // without brackets
  int port = 0;
  bool loopback = false;  // 127.0.0.0/8, ::1 or localhost
};
std::optional<ListenAddress> ParseListen(std::string_view text);

struct Config {
  std::string path;  // the file it was read from
  std::string dir;   // its directory: the base of relative paths
  DaemonSection daemon;
  PollingSection polling;
  std::vector<FeedEntry> feeds;
  std::vector<RuleEntry> rules;
  std::vector<ChannelEntry> channels;
  WebSection web;
};

// Parses TOML text. `path` names the file in messages ("FILE:LINE: message") and its directory
// resolves relative paths. Unknown keys, wrong types, bad durations and dangling channel names
// are errors (ErrorCode::kConfig) with a "did you mean" where one is close.
[[nodiscard]] Result<Config> ParseConfig(std::string_view text, const std::string& path);

// Reads and parses a file (ErrorCode::kIo when unreadable).
[[nodiscard]] Result<Config> LoadConfig(const std::string& path);

// The database path of a config file that may not pass validation (for `veille status` when the
// file has an error): [daemon] database resolved against the file's directory, or the default
// next to the file. Fails only when the file is unreadable or not TOML at all, or when
// `database` is not a non-empty string.
[[nodiscard]] Result<std::string> ReadDatabasePath(const std::string& path);

// True when `[daemon] database` names a PostgreSQL database (a postgresql:// or postgres:// URL,
// scheme in any case) rather than an SQLite file; such a value is not a path (never resolved
// against the config's directory) and may not hold a password.
bool IsDatabaseUrl(std::string_view database);

// The keys [daemon] and [polling] accept (check-config's "did you mean"; the reload test walks
// them to prove that each one takes effect on SIGHUP or is reported as needing a restart).
const std::vector<std::string_view>& DaemonKeys();
const std::vector<std::string_view>& PollingKeys();

// "16MiB", "512KiB", "1GB", "4096" -> bytes. nullopt when malformed.
std::optional<std::size_t> ParseSize(std::string_view text);

// Resolves a feed location: URLs with a scheme stay as they are, plain paths become
// file:// URLs relative to `base_dir`.
std::string ResolveFeedLocation(std::string_view location, std::string_view base_dir);

}  // namespace veille::config
