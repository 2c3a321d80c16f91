#include "common/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace veille {
namespace {

bool IsSecretName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 15> kNames = {
      "token",  "key",  "sig",  "signature",    "secret",  "password", "passwd", "pwd",
      "auth",   "access_token", "api_key", "apikey", "session", "code", "credentials"};
  for (auto n : kNames) {
    if (lower == n) return true;
  }
  // Compound names: "x-api-key", "auth_token", "client_secret".
  for (auto n : {"token", "secret", "password", "apikey", "api_key", "signature"}) {
    if (lower.find(n) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, scheme_end + 3));
  std::string_view rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    out += "***@";
    authority = authority.substr(at + 1);
  }
  out += authority;
  if (authority_end == std::string_view::npos) return out;
  rest = rest.substr(authority_end);

  const auto q = rest.find('?');
  if (q == std::string_view::npos) {
    out += rest;
    return out;
  }
  out += rest.substr(0, q + 1);
  std::string_view query = rest.substr(q + 1);
  std::string_view fragment;
  if (auto hash = query.find('#'); hash != std::string_view::npos) {
    fragment = query.substr(hash);
    query = query.substr(0, hash);
  }
  bool first = true;
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (!first) out += '&';
    first = false;
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && IsSecretName(pair.substr(0, eq))) {
      out += pair.substr(0, eq + 1);
      out += "***";
    } else {
      out += pair;
    }
  }
  out += fragment;
  return out;
}

}  // namespace veille
