#include "fetch/url_check.h"

#include <xxhash.h>

#include <cctype>
#include <cstdint>

#include "common/hash.h"

namespace veille::fetch {
namespace {

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace

UrlScheme SchemeOf(std::string_view url) {
  if (StartsWithIgnoreCase(url, "http://")) return UrlScheme::kHttp;
  if (StartsWithIgnoreCase(url, "https://")) return UrlScheme::kHttps;
  if (StartsWithIgnoreCase(url, "file://")) return UrlScheme::kFile;
  if (!url.empty() && url.front() == '/') return UrlScheme::kFile;
  return UrlScheme::kOther;
}

std::optional<std::string> FilePathFromUrl(std::string_view url) {
  // A raw NUL would end the path that open(2) sees early: "/a.xml\0x" would open "/a.xml".
  if (url.find('\0') != std::string_view::npos) return std::nullopt;
  if (!url.empty() && url.front() == '/') return std::string(url);
  if (!StartsWithIgnoreCase(url, "file://")) return std::nullopt;
  std::string_view rest = url.substr(7);
  if (StartsWithIgnoreCase(rest, "localhost/")) rest.remove_prefix(9);
  if (rest.empty() || rest.front() != '/') return std::nullopt;
  // Drop a query or fragment; they mean nothing for a file.
  rest = rest.substr(0, rest.find_first_of("?#"));
  std::string path;
  path.reserve(rest.size());
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && HexValue(rest[i + 1]) >= 0 &&
        HexValue(rest[i + 2]) >= 0) {
      const char decoded = static_cast<char>(HexValue(rest[i + 1]) * 16 + HexValue(rest[i + 2]));
      if (decoded == '\0') return std::nullopt;
      path.push_back(decoded);
      i += 2;
    } else {
      path.push_back(rest[i]);
    }
  }
  return path;
}

std::optional<std::string> HeaderProblem(std::string_view name, std::string_view value) {
  if (name.empty()) return std::string("empty header name");
  for (char c : name) {
    if (!IsTokenChar(c)) return "header name \"" + std::string(name) + "\" is not a token";
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return "header " + std::string(name) + " contains CR, LF or NUL";
    }
  }
  return std::nullopt;
}

std::string BodyFingerprint(std::string_view body) {
  const XXH128_hash_t hash = XXH3_128bits(body.data(), body.size());
  return Hex64(hash.high64) + Hex64(hash.low64);
}

}  // namespace veille::fetch
