// Fuzzes the query parser with arbitrary bytes, and every query it accepts through the whole
// engine (compile, normalize, scan, evaluate, snippet) against a text made of the same bytes.
// Traps on a broken invariant: CheckQuery and ParseQuery disagree, an error column outside the
// query, a highlight outside its snippet, an explanation that disagrees with Match or points
// outside its field, a lint warning outside the query.
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
  for (const veille::match::QueryError& w : veille::match::LintQuery(input)) {
    if (w.column < 1 || w.column > Codepoints(input)) __builtin_trap();
  }
  auto matcher = veille::match::Matcher::Compile({{"fuzz", "brand", std::string(input), ""}});
  if (!matcher) __builtin_trap();  // a query that parses must compile
  veille::match::Document doc;
  doc.title = input;
  doc.text = input;
  doc.link = "https://www.example.org/a/b";
  doc.language = "fr-FR";
  const auto mentions = (*matcher)->Match(doc);
  const veille::match::Explanation why = (*matcher)->Explain(doc, 0);
  if (why.matched == mentions.empty()) __builtin_trap();
  for (const veille::match::TermExplanation& t : why.query.terms) {
    if (t.hits.size() > t.hit_count || t.hits.size() > veille::match::kMaxExplainedHits) {
      __builtin_trap();
    }
    for (const veille::match::TermHit& h : t.hits) {
      // Hits of this document are in its title or text (both `input`) or its link.
      const std::size_t field = h.field == "link" ? doc.link.size() : input.size();
      if (h.begin >= h.end || h.end > field) __builtin_trap();
    }
  }
  for (const veille::match::NearExplanation& n : why.query.near) {
    if (n.holds != (n.closest.has_value() && *n.closest <= n.limit)) __builtin_trap();
  }
  for (const veille::match::Mention& m : mentions) {
    std::uint32_t previous_end = 0;
    for (const veille::match::Highlight& h : m.highlights) {
      if (h.begin >= h.end || h.end > m.snippet.size() || h.begin < previous_end) __builtin_trap();
      previous_end = h.end;
    }
  }
  return 0;
}
