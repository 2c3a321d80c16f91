#include "feed/links.h"

#include <curl/curl.h>

#include <memory>

namespace veille::feed {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

bool HasScheme(std::string_view url) {
  if (url.empty() || !IsAlpha(url[0])) return false;
  for (std::size_t i = 1; i < url.size(); ++i) {
    char c = url[i];
    if (c == ':') return true;
    if (!IsAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

std::string ResolveUrl(std::string_view base, std::string_view ref) {
  if (base.empty() || HasScheme(ref)) return std::string(ref);
  if (!HasScheme(base)) return std::string(ref);
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return std::string(ref);
  constexpr unsigned kFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE;
  std::string base_str(base);
  if (curl_url_set(url.get(), CURLUPART_URL, base_str.c_str(), kFlags) != CURLUE_OK) {
    return std::string(ref);
  }
  if (ref.empty()) return base_str;
  std::string ref_str(ref);
  if (curl_url_set(url.get(), CURLUPART_URL, ref_str.c_str(), kFlags) != CURLUE_OK) {
    return std::string(ref);
  }
  char* raw = nullptr;
  if (curl_url_get(url.get(), CURLUPART_URL, &raw, 0) != CURLUE_OK || raw == nullptr) {
    return std::string(ref);
  }
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return std::string(raw);
}

std::optional<std::string> ResolveRequestUrl(std::string_view base, std::string_view ref) {
  while (!ref.empty() && (ref.front() == ' ' || ref.front() == '\t' || ref.front() == '\n' ||
                          ref.front() == '\r' || ref.front() == '\f')) {
    ref.remove_prefix(1);
  }
  while (!ref.empty() && (ref.back() == ' ' || ref.back() == '\t' || ref.back() == '\n' ||
                          ref.back() == '\r' || ref.back() == '\f')) {
    ref.remove_suffix(1);
  }
  if (ref.empty() || ref.size() > kMaxRequestUrl || base.size() > kMaxRequestUrl) {
    return std::nullopt;
  }
  for (char c : ref) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return std::nullopt;
  }
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return std::nullopt;
  // No CURLU_NON_SUPPORT_SCHEME: only schemes libcurl was built for parse, and only http(s) is
  // kept below. CURLU_URLENCODE percent-encodes spaces and bytes outside ASCII in the reference.
  if (!base.empty()) {
    std::string base_str(base);
    if (curl_url_set(url.get(), CURLUPART_URL, base_str.c_str(), 0) != CURLUE_OK) {
      return std::nullopt;
    }
  }
  std::string ref_str(ref);
  if (curl_url_set(url.get(), CURLUPART_URL, ref_str.c_str(), CURLU_URLENCODE) != CURLUE_OK) {
    return std::nullopt;
  }
  auto part = [&](CURLUPart which) -> std::optional<std::string> {
    char* raw = nullptr;
    if (curl_url_get(url.get(), which, &raw, 0) != CURLUE_OK || raw == nullptr) {
      return std::nullopt;
    }
    std::unique_ptr<char, CurlStringDeleter> owned(raw);
    return std::string(raw);
  };
  std::optional<std::string> scheme = part(CURLUPART_SCHEME);
  if (!scheme || (*scheme != "http" && *scheme != "https")) return std::nullopt;
  std::optional<std::string> host = part(CURLUPART_HOST);
  if (!host || host->empty()) return std::nullopt;
  if (part(CURLUPART_USER) || part(CURLUPART_PASSWORD)) return std::nullopt;
  curl_url_set(url.get(), CURLUPART_FRAGMENT, nullptr, 0);
  std::optional<std::string> out = part(CURLUPART_URL);
  if (!out || out->size() > kMaxRequestUrl) return std::nullopt;
  return out;
}

}  // namespace veille::feed
