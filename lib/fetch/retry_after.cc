#include "fetch/retry_after.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "fetch/http_date.h"

namespace veille::fetch {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Digits only, saturating at 10 years so absurd values cannot overflow.
std::optional<std::int64_t> ParseSeconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (char ch : s) {
    if (!std::isdigit(static_cast<unsigned char>(ch))) return std::nullopt;
    value = std::min<std::int64_t>(value * 10 + (ch - '0'), std::int64_t{10} * 365 * 86400);
  }
  return value;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> ParseRetryAfter(std::string_view value, UnixSeconds reference) {
  value = Trim(value);
  std::optional<std::int64_t> delay = ParseSeconds(value);
  if (!delay) {
    const std::optional<UnixSeconds> when = ParseHttpDate(value);
    if (!when) return std::nullopt;
    delay = *when - reference;
  }
  return std::clamp(*delay, kRetryAfterMinS, kRetryAfterMaxS);
}

std::optional<std::int64_t> ParseCacheControlMaxAge(std::string_view cache_control) {
  std::optional<std::int64_t> max_age;
  bool no_cache = false;
  while (!cache_control.empty()) {
    const std::size_t comma = cache_control.find(',');
    std::string_view directive = Trim(cache_control.substr(0, comma));
    cache_control =
        comma == std::string_view::npos ? std::string_view{} : cache_control.substr(comma + 1);
    const std::size_t eq = directive.find('=');
    const std::string_view name = Trim(directive.substr(0, eq));
    if (EqualsIgnoreCase(name, "no-cache") || EqualsIgnoreCase(name, "no-store")) {
      no_cache = true;
    } else if (EqualsIgnoreCase(name, "max-age") && eq != std::string_view::npos) {
      std::string_view arg = Trim(directive.substr(eq + 1));
      if (arg.size() >= 2 && arg.front() == '"' && arg.back() == '"') {
        arg = arg.substr(1, arg.size() - 2);
      }
      if (auto seconds = ParseSeconds(arg)) max_age = seconds;
    }
  }
  if (no_cache) return 0;
  return max_age;
}

std::optional<std::int64_t> ParseExpires(std::string_view expires, UnixSeconds reference) {
  const std::optional<UnixSeconds> when = ParseHttpDate(Trim(expires));
  if (!when) return std::nullopt;
  return std::max<std::int64_t>(0, *when - reference);
}

}  // namespace veille::fetch
