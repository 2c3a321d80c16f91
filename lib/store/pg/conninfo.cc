#include "store/pg/conninfo.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace veille::store::pg {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsSecretKey(std::string_view key) {
  return EqualsNoCase(key, "password") || EqualsNoCase(key, "sslpassword");
}

// libpq percent-decodes a URL's parameter names too: "%70assword" is "password".
std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::size_t SchemeLength(std::string_view text) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (text.size() >= scheme.size() && EqualsNoCase(text.substr(0, scheme.size()), scheme)) {
      return scheme.size();
    }
  }
  return 0;
}

std::string RedactUrlForm(std::string_view url, std::size_t scheme_length,
                          std::vector<std::string>* secrets) {
  std::string out(url.substr(0, scheme_length));
  std::string_view rest = url.substr(scheme_length);
  const std::size_t authority_end = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    if (const std::size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      out.append(userinfo.substr(0, colon)).append(":***");
      secrets->emplace_back(userinfo.substr(colon + 1));
    } else {
      out.append(userinfo);
    }
    authority.remove_prefix(at);  // "@host..."
  }
  out.append(authority);
  rest.remove_prefix(authority_end);
  const std::size_t query = rest.find('?');
  out.append(rest.substr(0, query));
  if (query == std::string_view::npos) return out;
  out += '?';
  std::string_view params = rest.substr(query + 1);
  for (;;) {
    const std::size_t amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    const std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && IsSecretKey(PercentDecoded(param.substr(0, eq)))) {
      out.append(param.substr(0, eq + 1)).append("***");
      secrets->emplace_back(param.substr(eq + 1));
    } else {
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    out += '&';
    params.remove_prefix(amp + 1);
  }
  return out;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// libpq's key=value syntax (conninfo_parse): `key = value`, a value either single-quoted (with
// \' and \\) or up to the next space, backslash escaping the next character in both.
std::string RedactKeyValueForm(std::string_view text, std::vector<std::string>* secrets) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && IsSpace(text[i])) ++i;
    const std::size_t key_begin = i;
    while (i < text.size() && text[i] != '=' && !IsSpace(text[i])) ++i;
    const std::string_view key = text.substr(key_begin, i - key_begin);
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (key.empty() && i == text.size()) {
      out.append(text.substr(start));
      break;
    }
    if (i == text.size() || text[i] != '=') {  // malformed: stop showing anything
      out.append(text.substr(start, key_begin - start)).append(key).append(" …");
      break;
    }
    ++i;  // '='
    while (i < text.size() && IsSpace(text[i])) ++i;
    const std::size_t value_begin = i;
    bool closed = true;
    if (i < text.size() && text[i] == '\'') {
      closed = false;
      for (++i; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          ++i;
        } else if (text[i] == '\'') {
          ++i;
          closed = true;
          break;
        }
      }
    } else {
      for (; i < text.size() && !IsSpace(text[i]); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
      }
    }
    out.append(text.substr(start, value_begin - start));
    if (IsSecretKey(key)) {
      out += "***";
      std::string_view value = text.substr(value_begin, i - value_begin);
      secrets->emplace_back(value);
      if (value.size() >= 2 && value.front() == '\'') {
        secrets->emplace_back(value.substr(1, value.size() - 2));
      }
    } else if (!closed) {
      out += " …";  // an unterminated quote: libpq refuses it, and it may hide anything
      break;
    } else {
      out.append(text.substr(value_begin, i - value_begin));
    }
  }
  return out;
}

std::string Redact(std::string_view conninfo, std::vector<std::string>* secrets) {
  if (const std::size_t n = SchemeLength(conninfo)) return RedactUrlForm(conninfo, n, secrets);
  return RedactKeyValueForm(conninfo, secrets);
}

}  // namespace

bool IsPostgresUrl(std::string_view conninfo) { return SchemeLength(conninfo) != 0; }

std::string RedactConninfo(std::string_view conninfo) {
  std::vector<std::string> secrets;
  return Redact(conninfo, &secrets);
}

std::string HideSecretsOf(std::string_view conninfo, std::string_view text) {
  std::vector<std::string> secrets;
  Redact(conninfo, &secrets);
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

}  // namespace veille::store::pg
