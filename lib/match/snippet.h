// Snippets: about 200 bytes of the publisher's text around a hit, cut on word boundaries, with
// the hits highlighted (internal to lib/match).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "match/matcher.h"
#include "text/normalize.h"

namespace veille::match::internal {

struct SourceSpan {
  std::uint32_t begin = 0;  // byte offsets in the field's original text
  std::uint32_t end = 0;
};

inline constexpr std::size_t kSnippetBytes = 200;  // target length of a snippet
inline constexpr std::size_t kContextBefore = 60;  // bytes of context kept before the anchor

struct Snippet {
  std::string text;
  std::vector<Highlight> highlights;
};

// Cuts a snippet of `source` around `anchor`. `words` are the words of `source` (their source
// offsets), used to cut on word boundaries. Whitespace runs (line breaks included) become one
// space; "…" marks a cut at either end. `hits` (any order, may overlap) become highlights
// when they fall inside the snippet.
Snippet MakeSnippet(std::string_view source, std::span<const text::Word> words, SourceSpan anchor,
                    std::vector<SourceSpan> hits);

}  // namespace veille::match::internal
