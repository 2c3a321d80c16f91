// Which part of a stored snippet a narrow place shows (a terminal column, an inbox row) so that
// the first hit is visible; each front end then marks the hits its own way (bold or ** on a
// terminal, <mark> over escaped text in a page).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace veille::archive {

using Marks = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

struct SnippetFocus {
  bool cut = false;       // the window starts after the snippet's start (show "…" in front)
  std::string_view text;  // a suffix of the snippet
  Marks marks;            // the highlights, as offsets into `text`
};

// The snippet from a word about `lead` characters (code points) before the first hit, when
// the hit starts further in; else the whole snippet. `snippet` must outlive the result.
// Offsets are data: a front end's marker skips the ones out of order or out of range.
SnippetFocus FocusSnippet(std::string_view snippet, const Marks& highlights, std::size_t lead);

}  // namespace veille::archive
