// The one escaping module of every HTML output: text and quoted attributes, and links that are
// only ever http(s).
#include "common/escape.h"

#include <gtest/gtest.h>

#include "tests/common/hostile_text.h"

namespace veille {
namespace {

TEST(EscapeTest, HostileTitlesComeOutAsTextAndAsQuotedAttributes) {
  for (std::string_view title : testing::kHostileTitles) {
    const std::string out = EscapeMarkup(title);
    EXPECT_EQ(out.find_first_of("<>\"'"), std::string::npos) << title << " -> " << out;
    // Every '&' starts an entity we wrote.
    for (std::size_t at = out.find('&'); at != std::string::npos; at = out.find('&', at + 1)) {
      const std::string_view rest = std::string_view(out).substr(at);
      EXPECT_TRUE(rest.starts_with("&amp;") || rest.starts_with("&lt;") ||
                  rest.starts_with("&gt;") || rest.starts_with("&quot;") ||
                  rest.starts_with("&#39;"))
          << title << " -> " << out;
    }
    for (char c : out) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n');
  }
  EXPECT_EQ(EscapeMarkup("a & <b> \"c\" 'd'"), "a &amp; &lt;b&gt; &quot;c&quot; &#39;d&#39;");
  EXPECT_EQ(EscapeMarkup("Alpéa\x01\x7f"), "Alpéa");
}

TEST(EscapeTest, OnlyAbsoluteWebLinksBecomeHrefs) {
  for (std::string_view link : testing::kHostileLinks) {
    EXPECT_EQ(SafeHref(link), "") << link;
  }
  EXPECT_EQ(SafeHref(""), "");
  EXPECT_EQ(SafeHref("https://actu.example.fr/a?x=1&y=2"), "https://actu.example.fr/a?x=1&amp;y=2");
  EXPECT_EQ(SafeHref("http://example.org"), "http://example.org/");
}

}  // namespace
}  // namespace veille
