// libFuzzer target: the feed date parser (lib/feed/dates.h) on arbitrary bytes.
// Properties beyond "no crash, no sanitizer report": ParseFeedDate tries W3C-DTF first, so when
// ParseW3cDate accepts a text of at most 200 bytes (ParseFeedDate's length limit),
// ParseFeedDate returns the same instant; a result is never outside the years 0..9999; and an
// accepted W3C date followed by a stray byte is refused.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feed/dates.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto any = veille::feed::ParseFeedDate(text);
  const auto w3c = veille::feed::ParseW3cDate(text);
  const auto rfc = veille::feed::ParseRfc822Date(text);
  if (size <= 200 && w3c && (!any || *any != *w3c)) __builtin_trap();
  // Nothing may follow a W3C date: appending a byte that no date contains, glued or as another
  // word, is refused (a fuzz finding: trailing garbage was ignored).
  if (w3c && size <= 200) {
    const std::string glued = std::string(text) + "\xff";
    const std::string word = std::string(text) + " \xff";
    if (veille::feed::ParseW3cDate(glued) || veille::feed::ParseW3cDate(word)) __builtin_trap();
  }
  constexpr veille::UnixSeconds kYear0 = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr veille::UnixSeconds kYear10000 = 253402300800;
  for (const auto& t : {any, w3c, rfc}) {
    if (t && (*t < kYear0 - 2 * 86400 || *t > kYear10000 + 2 * 86400)) __builtin_trap();
  }
  return 0;
}
