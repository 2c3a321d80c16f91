#include "archive/snippet.h"

namespace veille::archive {

SnippetFocus FocusSnippet(std::string_view snippet, const Marks& highlights, std::size_t lead) {
  SnippetFocus out{false, snippet, highlights};
  if (out.marks.empty() || out.marks.front().first > snippet.size()) return out;
  // Start at a space about `lead` characters before the first hit (counting back by code
  // points), so that a narrow column still shows it.
  std::size_t start = out.marks.front().first, chars = 0;
  while (start > 0 && chars < lead) {
    --start;
    if ((static_cast<unsigned char>(snippet[start]) & 0xC0) != 0x80) ++chars;
  }
  if (start == 0) return out;
  const std::size_t space = snippet.find(' ', start);
  start = space != std::string_view::npos && space < out.marks.front().first ? space + 1 : start;
  const auto shift = static_cast<std::uint32_t>(start);
  for (auto& [b, e] : out.marks) {
    b = b >= shift ? b - shift : 0;
    e = e >= shift ? e - shift : 0;
  }
  out.cut = true;
  out.text = snippet.substr(start);
  return out;
}

}  // namespace veille::archive
