#include "match/snippet.h"

#include <gtest/gtest.h>

#include <string>

namespace veille::match::internal {
namespace {

std::string Marked(const Snippet& s) {
  std::string out;
  std::size_t at = 0;
  for (const Highlight& h : s.highlights) {
    out += s.text.substr(at, h.begin - at) + "[" + s.text.substr(h.begin, h.end - h.begin) + "]";
    at = h.end;
  }
  return out + s.text.substr(at);
}

SourceSpan SpanOf(std::string_view source, std::string_view needle) {
  const auto at = static_cast<std::uint32_t>(source.find(needle));
  return {at, static_cast<std::uint32_t>(at + needle.size())};
}

TEST(SnippetTest, ShortTextIsKeptWholeWithWhitespaceCollapsed) {
  const std::string source = "  Renault\n\n rappelle   la Clio ";
  const text::Normalized n = text::Normalize(source);
  const Snippet s = MakeSnippet(source, n.words, SpanOf(source, "Renault"),
                                {SpanOf(source, "Renault"), SpanOf(source, "Clio")});
  EXPECT_EQ(Marked(s), "[Renault] rappelle la [Clio]");
}

TEST(SnippetTest, LongTextIsCutOnWordBoundariesAroundTheAnchor) {
  std::string source;
  for (int i = 0; i < 60; ++i) source += "mot" + std::to_string(i) + " ";
  source += "Lancôme ";
  for (int i = 60; i < 120; ++i) source += "mot" + std::to_string(i) + " ";
  const text::Normalized n = text::Normalize(source);
  const SourceSpan anchor = SpanOf(source, "Lancôme");
  const Snippet s = MakeSnippet(source, n.words, anchor, {anchor});
  EXPECT_TRUE(s.text.starts_with("\u2026mot")) << s.text;
  EXPECT_TRUE(s.text.ends_with("\u2026")) << s.text;
  EXPECT_LE(s.text.size(), kSnippetBytes + 20);
  EXPECT_GE(s.text.size(), kSnippetBytes - 20);
  ASSERT_EQ(s.highlights.size(), 1u);
  EXPECT_EQ(s.text.substr(s.highlights[0].begin, s.highlights[0].end - s.highlights[0].begin),
            "Lancôme");
  // Cut on word boundaries: the text after the leading ellipsis is a whole word "motN".
  const std::string body = s.text.substr(3, s.text.size() - 6);
  EXPECT_EQ(source.find(body + " "), source.find(body)) << body;
  EXPECT_NE(source.find(" " + body), std::string::npos) << body;
}

TEST(SnippetTest, AnchorNearTheEndKeepsAFullWindow) {
  std::string source;
  for (int i = 0; i < 100; ++i) source += "word" + std::to_string(i) + " ";
  source += "Garnier";
  const text::Normalized n = text::Normalize(source);
  const Snippet s =
      MakeSnippet(source, n.words, SpanOf(source, "Garnier"), {SpanOf(source, "Garnier")});
  EXPECT_TRUE(s.text.ends_with("[Garnier]") || Marked(s).ends_with("[Garnier]")) << Marked(s);
  EXPECT_GE(s.text.size(), kSnippetBytes - 20);
}

TEST(SnippetTest, OverlappingHitsMergeIntoOneHighlight) {
  const std::string source = "la Renault Clio rouge";
  const text::Normalized n = text::Normalize(source);
  const Snippet s = MakeSnippet(source, n.words, SpanOf(source, "Renault"),
                                {SpanOf(source, "Renault Clio"), SpanOf(source, "Clio")});
  EXPECT_EQ(Marked(s), "la [Renault Clio] rouge");
}

}  // namespace
}  // namespace veille::match::internal
