#include "common/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/url.h"

namespace veille {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

bool IsSecretName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 15> kNames = {
      "token", "key",          "sig",     "signature", "secret",  "password", "passwd",     "pwd",
      "auth",  "access_token", "api_key", "apikey",    "session", "code",     "credentials"};
  for (auto n : kNames) {
    if (lower == n) return true;
  }
  // Compound names: "x-api-key", "auth_token", "client_secret".
  for (auto n : {"token", "secret", "password", "apikey", "api_key", "signature"}) {
    if (lower.find(n) != std::string::npos) return true;
  }
  return false;
}

std::string RedactQuery(std::string_view query) {
  std::string out;
  bool first = true;
  while (true) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && IsSecretName(pair.substr(0, eq))) {
      out += pair.substr(0, eq + 1);
      out += "***";
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

// scheme://host[:port] as the parser read it.
std::string Authority(const Url& u) {
  std::string out = u.scheme + "://" + u.host;
  if (u.explicit_port) out += ":" + std::to_string(u.port);
  return out;
}

std::string RedactOne(std::string_view candidate) {
  const std::optional<Url> u = Url::Parse(candidate);
  if (!u) {
    return std::string(candidate.substr(0, candidate.find("://") + 3)) + std::string(kEllipsis);
  }
  std::string out = u->scheme + "://";
  if (!u->userinfo.empty()) out += "***@";
  out += Authority(*u).substr(u->scheme.size() + 3);
  out += u->path;
  if (u->query) out += "?" + RedactQuery(*u->query);
  if (u->fragment) out += "#" + *u->fragment;
  return out;
}

bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

bool EndsUrl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>';
}

}  // namespace

std::string RedactUrl(std::string_view text) {
  std::string out;
  std::size_t copied = 0;
  std::size_t search = 0;
  while (true) {
    const std::size_t mark = text.find("://", search);
    if (mark == std::string_view::npos) break;
    std::size_t start = mark;
    while (start > copied && IsSchemeChar(text[start - 1])) --start;
    if (start == mark || !std::isalpha(static_cast<unsigned char>(text[start]))) {
      search = mark + 3;  // "://" without a scheme before it: not a URL
      continue;
    }
    std::size_t end = mark + 3;
    while (end < text.size() && !EndsUrl(text[end])) ++end;
    out += text.substr(copied, start - copied);
    out += RedactOne(text.substr(start, end - start));
    copied = end;
    search = end;
  }
  out += text.substr(copied);
  return out;
}

std::string RedactSecretUrl(std::string_view url) {
  const std::optional<Url> u = Url::Parse(url, UrlForm::kLenient);
  if (!u || u->host.empty()) return "(unparseable URL)";
  return Authority(*u) + "/" + std::string(kEllipsis);
}

}  // namespace veille
