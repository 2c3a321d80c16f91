// Fuzzes ParseFeed with arbitrary bytes (the first byte picks an HTTP charset, a base URL and an
// XML or JSON Content-Type, the rest is the body; RSS, Atom and JSON Feed are all reached). Traps
// on a broken invariant of the parse contract: a text field that is not valid UTF-8, holds a
// control character, or is not collapsed (leading, trailing or double spaces); an empty or repeated
// entry key; more entries than the limit.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "feed/charset.h"
#include "feed/parse.h"

namespace {

bool ValidText(const std::optional<std::string>& text) {
  if (!text) return true;
  const std::string& s = *text;
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  if (s.find("  ") != std::string::npos) return false;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7F) return false;
    std::size_t len = veille::feed::Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kCharsets[] = {
      "", "", "utf-8", "iso-8859-1", "windows-1252", "koi8-r", "utf-16", "shift_jis"};
  veille::feed::ParseOptions options;
  options.content_type = std::string((data[0] & 16) ? "application/feed+json" : "application/xml") +
                         "; charset=" + kCharsets[data[0] & 7];
  if (data[0] & 8) options.base_url = "http://example.com/a/b/feed.xml";
  options.max_entries = 50;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto feed = veille::feed::ParseFeed(body, options);
  if (!feed) {
    if (feed.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (feed->entries.size() > options.max_entries) __builtin_trap();
  if (!ValidText(feed->title) || !ValidText(feed->link)) __builtin_trap();
  std::set<std::string> keys;
  for (const auto& e : feed->entries) {
    if (e.key.empty() || !keys.insert(e.key).second) __builtin_trap();
    for (const auto* field : {&e.id, &e.title, &e.link, &e.author, &e.summary, &e.content}) {
      if (!ValidText(*field)) __builtin_trap();
    }
    for (const auto& c : e.categories) {
      if (!ValidText(c)) __builtin_trap();
    }
  }
  return 0;
}
