// Fuzzes autodiscovery's page reader (gumbo behind our bounds) with arbitrary bytes: the first
// byte picks a Content-Type and a page URL, the rest is the page. Traps when a returned URL is
// not an absolute http(s) URL within the length limit, or when a list passes its cap. Slowness
// (gumbo's quadratic cases past the nesting bound) shows as libFuzzer timeouts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feed/html_page.h"
#include "feed/links.h"

namespace {

bool Requestable(const std::string& url) {
  return (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) &&
         url.size() <= veille::feed::kMaxRequestUrl && url.find('#') == std::string::npos &&
         url.find(' ') == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kTypes[] = {"", "text/html", "text/html; charset=windows-1252",
                                       "application/xhtml+xml"};
  static const char* const kUrls[] = {"https://site.example/a/b?c=d", "http://127.0.0.1:8080/",
                                      "file:///srv/page.html", ""};
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const char* page_url = kUrls[(data[0] >> 2) & 3];
  (void)veille::feed::LooksLikeHtmlPage(body, kTypes[data[0] & 3]);
  veille::feed::HtmlPage page = veille::feed::ReadHtmlPage(body, kTypes[data[0] & 3], page_url);
  if (page.declared.size() > veille::feed::kMaxFeedLinks) __builtin_trap();
  if (page.anchors.size() > veille::feed::kMaxFeedLinks) __builtin_trap();
  for (const auto* list : {&page.declared, &page.anchors}) {
    for (const auto& link : *list) {
      if (!Requestable(link.url)) __builtin_trap();
    }
  }
  for (const auto& link : veille::feed::UsualFeedUrls(page_url)) {
    if (!Requestable(link.url)) __builtin_trap();
  }
  return 0;
}
