#include "feed/text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace veille::feed {
namespace {

TEST(HtmlToTextTest, DropsTagsAndAddsSpacesAtBlockTags) {
  EXPECT_EQ(HtmlToText("<p>Hello</p><p>world</p>"), " Hello  world ");
  EXPECT_EQ(HtmlToText("a<br>b<br/>c"), "a b c");
  EXPECT_EQ(HtmlToText("<b>bold</b>er"), "bolder");
}

TEST(HtmlToTextTest, DropsScriptAndStyleBodies) {
  EXPECT_EQ(HtmlToText("a<script>var x = '<p>';</script>b"), "ab");
  EXPECT_EQ(HtmlToText("a<STYLE type=\"text/css\">p { color: red }</STYLE>b"), "ab");
}

TEST(HtmlToTextTest, DecodesEveryEntityForm) {
  EXPECT_EQ(HtmlToText("caf&eacute; &amp; th&#233; &#xE9;"), "café & thé é");
  EXPECT_EQ(HtmlToText("&rsquo;&laquo;&nbsp;&raquo;"), "\u2019\u00ab\u00a0\u00bb");
  EXPECT_EQ(HtmlToText("&copy 2024"), "\u00a9 2024");  // legacy form without ';'
  EXPECT_EQ(HtmlToText("AT&T &unknown;"), "AT&T &unknown;");
  EXPECT_EQ(HtmlToText("&#150;"), "\u2013");  // windows-1252 reading of C1 references
}

TEST(HtmlToTextTest, KeepsALiteralLessThanThatStartsNoTag) {
  EXPECT_EQ(HtmlToText("1 < 2 and 3 <4"), "1 < 2 and 3 <4");
  EXPECT_EQ(HtmlToText("x <!-- note --> y"), "x  y");
}

TEST(HtmlToTextTest, KeepsAnUnfinishedTagAndWhatFollowsAsText) {
  EXPECT_EQ(HtmlToText("a <b x=\"1 and more"), "a <b x=\"1 and more");
}

TEST(HtmlToTextTest, StaysLinearOnManyUnterminatedTags) {
  std::string html;
  for (int i = 0; i < 400000; ++i) html += "<a x=\"";  // 2.4 MB, no tag ever closes
  std::string text = HtmlToText(html);                 // quadratic rescans would take minutes
  EXPECT_EQ(text.size(), html.size());
}

TEST(HtmlToTextTest, IgnoresQuotedGreaterThanInsideAttributes) {
  EXPECT_EQ(HtmlToText("<a title=\"a > b\" href='x'>link</a>"), "link");
}

TEST(CollapseTextTest, CollapsesUnicodeWhitespaceAndTrims) {
  EXPECT_EQ(CollapseText("  a \t\n b\u00a0\u00a0c\u202fd  "), "a b c d");
  EXPECT_EQ(CollapseText("x\u3000y"), "x y");
}

TEST(CollapseTextTest, DeletesControlCharacters) {
  EXPECT_EQ(CollapseText(std::string("a\x01\x7f"
                                     "b\x0b"
                                     "c",
                                     6)),
            "abc");
}

TEST(CollapseTextTest, TurnsBlankTextIntoNothing) {
  EXPECT_EQ(CollapseText(" \n\t "), std::nullopt);
  EXPECT_EQ(CollapseText(""), std::nullopt);
}

TEST(LooksLikeHtmlTest, NeedsACloseTagOrAReference) {
  EXPECT_TRUE(LooksLikeHtml("<b>Exclusive</b> news"));
  EXPECT_TRUE(LooksLikeHtml("caf&eacute;"));
  EXPECT_FALSE(LooksLikeHtml("AT&T"));
  EXPECT_FALSE(LooksLikeHtml("a <b> without close"));
  EXPECT_FALSE(LooksLikeHtml("<blink>x</blink>"));  // not an acceptable element
}

TEST(RepairDoubleEncodedUtf8Test, RepairsUtf8ReadAsLatin1Only) {
  std::string text = "Caf\u00c3\u00a9";
  EXPECT_TRUE(RepairDoubleEncodedUtf8(&text));
  EXPECT_EQ(text, "Café");
  std::string french = "Café";
  EXPECT_FALSE(RepairDoubleEncodedUtf8(&french));
  EXPECT_EQ(french, "Café");
}

// A slow, obviously right version of the whitespace rules, for comparison.
std::optional<std::string> NaiveCollapse(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    std::size_t len = 1;
    bool space = b == ' ' || b == '\t' || b == '\n' || b == '\r';
    if (text.compare(i, 2, "\u00a0") == 0 || text.compare(i, 2, "\u0085") == 0)
      space = true, len = 2;
    if (text.compare(i, 3, "\u202f") == 0 || text.compare(i, 3, "\u3000") == 0)
      space = true, len = 3;
    bool control = (b < 0x20 && !space) || b == 0x7F;
    if (space) {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else if (!control) {
      word.append(text, i, len);
    }
    i += len;
  }
  if (!word.empty()) words.push_back(word);
  if (words.empty()) return std::nullopt;
  std::string out = words[0];
  for (std::size_t k = 1; k < words.size(); ++k) out += " " + words[k];
  return out;
}

TEST(CollapseTextTest, AgreesWithASimpleImplementationOnRandomText) {
  const std::vector<std::string> pieces = {" ",    "  ",    "\n",     "\t",     "a",
                                           "word", "été",   "\u00a0", "\u202f", "\x01",
                                           "\x7f", "ab cd", "é è"};
  std::mt19937 rng(42);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
    EXPECT_EQ(CollapseText(text), NaiveCollapse(text)) << "input: \"" << text << "\"";
  }
}

TEST(HtmlToCollapsedTextTest, EqualsHtmlToTextThenCollapse) {
  const std::vector<std::string> pieces = {
      "<p>",    "</p>",  "<br/>", " ",    "  ", "x",      "caf&eacute;",
      "&nbsp;", "&amp;", "<b>",   "</b>", "\n", "&#150;", "<script>s</script>",
      "1 < 2",  "é"};
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string html;
    int n = static_cast<int>(rng() % 20);
    for (int k = 0; k < n; ++k) html += pieces[rng() % pieces.size()];
    EXPECT_EQ(HtmlToCollapsedText(html), CollapseText(HtmlToText(html)))
        << "input: \"" << html << "\"";
  }
}

}  // namespace
}  // namespace veille::feed
