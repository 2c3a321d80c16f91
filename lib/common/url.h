// URLs parsed once, the way libcurl itself reads them (curl_url), for every stage: the fetcher's
// hops, SSRF guard and politeness keys, canonical links, the matcher's site: scope, safe links in
// alerts and reports, redaction. Two parsers of one URL that disagree are how a redirect slipped
// past the guard (security review, findings 1, 2 and 4); there is one parser now.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace veille {

// How forgiving a parse is.
enum class UrlForm {
  // As libcurl reads CURLOPT_URL: spaces, control bytes and malformed parts are refused.
  kStrict,
  // As libcurl reads a Location header when it follows a redirect: spaces and bytes outside
  // ASCII are percent-encoded first (a space in a query becomes "+"). Control bytes are refused.
  kLenient,
};

struct Url {
  std::string scheme;    // lower-case: "http", "https", "file", "smtp", ...
  std::string userinfo;  // "user" or "user:password" as written; empty when none
  // Lower-case ASCII, IPv6 in brackets, IPv4 in dotted decimal (libcurl turns 0x7f000001,
  // 2130706433, 0177.0.0.1 and 127.1 into 127.0.0.1), percent-escapes decoded, trailing dots
  // removed ("169.254.169.254." is 169.254.169.254). Empty for a URL without a host (file:).
  std::string host;
  int port = 0;                // the explicit port, else the scheme's default; 0 when neither
  bool explicit_port = false;  // the URL names its port
  std::string path;            // percent-encoded, dot segments removed; "/" at least for http(s)
  std::optional<std::string> query;     // after "?", as written (percent-encoded)
  std::optional<std::string> fragment;  // after "#"
  // The whole URL as libcurl sends it: normalised from the parts above (so the host in it is
  // the host judged by the SSRF guard).
  std::string href;

  // The URL `text` is, or nullopt when libcurl would refuse it. Any scheme.
  static std::optional<Url> Parse(std::string_view text, UrlForm form = UrlForm::kStrict);

  // `reference` (absolute or relative, e.g. a Location header) resolved against this URL the
  // way libcurl follows a redirect (kLenient). nullopt when it cannot be parsed.
  std::optional<Url> Resolve(std::string_view reference) const;

  bool IsWeb() const { return (scheme == "http" || scheme == "https") && !host.empty(); }
  // "host:port": the key of politeness limits, host pauses and allow_private.
  std::string HostPort() const;
  // "scheme://host:port": custom headers and credentials go to the configured origin only.
  std::string Origin() const;
};

// The safe-link check of every output (email, chat, HTML report): the normalised href of an
// absolute http(s) link with a host, or nullopt (javascript:, data:, relative, unparseable).
std::optional<std::string> WebLink(std::string_view link);

// "host:port" of an http(s) URL; empty for anything else.
std::string HostPortOf(std::string_view url);

// The host of a URL (see Url::host); empty when it does not parse or has no host.
std::string HostOf(std::string_view url, UrlForm form = UrlForm::kLenient);

}  // namespace veille
