// [[channel]] (log, email, webhook: addresses, secrets, modes, quiet hours, bursts) and [web].
#include <algorithm>
#include <map>
#include <set>

#include "common/redact.h"
#include "common/url.h"
#include "config/reader.h"

namespace veille::config::detail {

namespace {

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

}  // namespace

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

}  // namespace veille::config::detail
