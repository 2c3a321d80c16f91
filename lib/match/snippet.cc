#include "match/snippet.h"

#include <algorithm>
#include <iterator>

namespace veille::match::internal {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

constexpr std::string_view kEllipsis = "\u2026";

}  // namespace

Snippet MakeSnippet(std::string_view source, std::span<const text::Word> words, SourceSpan anchor,
                    std::vector<SourceSpan> hits) {
  const std::size_t size = source.size();
  std::size_t start = 0;
  std::size_t end = size;
  if (size > kSnippetBytes + kSnippetBytes / 5) {
    std::size_t lo = anchor.begin > kContextBefore ? anchor.begin - kContextBefore : 0;
    std::size_t hi = std::max<std::size_t>(lo + kSnippetBytes, anchor.end);
    if (hi > size) {
      hi = size;
      lo = std::min<std::size_t>(anchor.begin, size > kSnippetBytes ? size - kSnippetBytes : 0);
    }
    // Snap to word boundaries: start at the first word beginning at or after `lo`, end after
    // the last word ending at or before `hi` (the anchor is always inside).
    start = anchor.begin;
    if (lo == 0) {
      start = 0;
    } else {
      const auto first =
          std::lower_bound(words.begin(), words.end(), lo,
                           [](const text::Word& w, std::size_t at) { return w.source_begin < at; });
      if (first != words.end()) start = std::min<std::size_t>(first->source_begin, anchor.begin);
    }
    end = anchor.end;
    if (hi == size) {
      end = size;
    } else {
      // The last word ending at or before `hi`.
      auto after =
          std::upper_bound(words.begin(), words.end(), hi,
                           [](std::size_t at, const text::Word& w) { return at < w.source_end; });
      if (after != words.begin()) end = std::max<std::size_t>(end, std::prev(after)->source_end);
    }
  }
  // Trim whitespace at both ends of the window.
  while (start < end && IsSpace(source[start])) ++start;
  while (end > start && IsSpace(source[end - 1])) --end;

  Snippet snippet;
  snippet.text.reserve(end - start + 8);
  // out_at[i] = output offset of source byte start + i (i == end - start: one past the end).
  std::vector<std::uint32_t> out_at(end - start + 1);
  // Whether anything but white space was cut off before `start` or after `end` (scanning
  // outwards only over white space, so this costs nothing on long texts).
  const auto text_before = [&] {
    for (std::size_t i = start; i > 0; --i) {
      if (!IsSpace(source[i - 1])) return true;
    }
    return false;
  };
  const auto text_after = [&] {
    for (std::size_t i = end; i < size; ++i) {
      if (!IsSpace(source[i])) return true;
    }
    return false;
  };
  if (text_before()) snippet.text += kEllipsis;
  bool in_space = false;
  for (std::size_t i = start; i < end; ++i) {
    out_at[i - start] = static_cast<std::uint32_t>(snippet.text.size());
    if (IsSpace(source[i])) {
      if (!in_space) snippet.text += ' ';
      in_space = true;
    } else {
      snippet.text += source[i];
      in_space = false;
    }
  }
  out_at[end - start] = static_cast<std::uint32_t>(snippet.text.size());
  if (text_after()) snippet.text += kEllipsis;

  std::sort(hits.begin(), hits.end(),
            [](const SourceSpan& a, const SourceSpan& b) { return a.begin < b.begin; });
  for (const SourceSpan& h : hits) {
    const std::size_t b = std::max<std::size_t>(h.begin, start);
    const std::size_t e = std::min<std::size_t>(h.end, end);
    if (b >= e) continue;
    const Highlight hl{out_at[b - start], out_at[e - start]};
    if (!snippet.highlights.empty() && hl.begin <= snippet.highlights.back().end) {
      snippet.highlights.back().end = std::max(snippet.highlights.back().end, hl.end);
    } else {
      snippet.highlights.push_back(hl);
    }
  }
  return snippet;
}

}  // namespace veille::match::internal
