// Fuzzes the query parser with arbitrary bytes, and every query it accepts through the whole
// engine (compile, normalize, scan, evaluate, snippet) against a text made of the same bytes.
// Traps on a broken invariant: CheckQuery and ParseQuery disagree, an error column outside the
// query, a highlight outside its snippet.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "match/matcher.h"
#include "match/query.h"

namespace {

std::size_t Codepoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = veille::match::ParseQuery(input);
  const std::string problem = veille::match::CheckQuery(input);
  if (parsed.has_value() != problem.empty()) __builtin_trap();
  if (!parsed) {
    const std::uint32_t column = parsed.error().column;
    if (column < 1 || column > Codepoints(input) + 1 || parsed.error().message.empty()) {
      __builtin_trap();
    }
    return 0;
  }
  if (veille::match::DebugString(*parsed).empty()) __builtin_trap();
  auto matcher = veille::match::Matcher::Compile({{"fuzz", "brand", std::string(input), ""}});
  if (!matcher) __builtin_trap();  // a query that parses must compile
  veille::match::Document doc;
  doc.title = input;
  doc.text = input;
  doc.link = "https://www.example.org/a/b";
  doc.language = "fr-FR";
  for (const veille::match::Mention& m : (*matcher)->Match(doc)) {
    std::uint32_t previous_end = 0;
    for (const veille::match::Highlight& h : m.highlights) {
      if (h.begin >= h.end || h.end > m.snippet.size() || h.begin < previous_end) __builtin_trap();
      previous_end = h.end;
    }
  }
  return 0;
}
