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

}  // namespace veille::feed
