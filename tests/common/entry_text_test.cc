// The summary and the content as one text (common/entry_text.h): WordPress teasers and Atom
// summaries that repeat the content's beginning are not kept twice.
#include "common/entry_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace veille {
namespace {

const std::string kContent =
    "La marque Alpéa lance la consigne de ses bouteilles en verre dans trois régions. "
    "Le dispositif, testé depuis juin, sera étendu à toute la France en 2027.";

TEST(EntryTextTest, AWordPressTeaserCutWithAnEllipsisIsTheContent) {
  // <description> of a WordPress feed: the first 55 words, " […]", then the footer.
  const std::string teaser =
      "La marque Alpéa lance la consigne de ses bouteilles en verre dans trois régions. Le "
      "dispositif, testé depuis juin, sera [\xE2\x80\xA6] The post Alpéa lance la consigne "
      "appeared first on Le Blog Conso.";
  EXPECT_EQ(EntryText(teaser, kContent), kContent);
  const std::string french =
      "La marque Alpéa lance la consigne de ses bouteilles en verre dans trois régions. Le "
      "dispositif, testé depuis juin, sera [&hellip;] L’article Alpéa lance la "
      "consigne est apparu en premier sur Le Blog Conso.";
  EXPECT_EQ(EntryText(french, kContent), kContent);
}

TEST(EntryTextTest, TruncationMarksAndReadMoreLinks) {
  for (const std::string tail :
       {"\xE2\x80\xA6", "...", " [...]", " (\xE2\x80\xA6)", " Read more", " Read More \xC2\xBB",
        "\xE2\x80\xA6 Lire la suite", " Continue reading Alpéa lance la consigne \xE2\x86\x92",
        " Lire la suite \xE2\x80\xBA"}) {
    // Cut in the middle of a word, as excerpt functions do.
    const std::string teaser = "La marque Alpéa lance la consigne de ses bouteil" + tail;
    EXPECT_EQ(EntryText(teaser, kContent), kContent) << tail;
  }
}

TEST(EntryTextTest, AnAtomSummaryThatIsTheFirstParagraph) {
  const std::string summary =
      "La marque Alpéa lance la consigne de ses bouteilles en verre dans trois régions.";
  EXPECT_EQ(EntryText(summary, kContent), kContent);
  // Whitespace differs between the two fields (a no-break space, a line break): still one text.
  EXPECT_EQ(EntryText("La marque\xC2\xA0"
                      "Alpéa lance\nla consigne",
                      kContent),
            kContent);
  // A caption or a byline before the text in <content>.
  const std::string captioned = "Photo : Alpéa. " + kContent;
  EXPECT_EQ(EntryText(summary, captioned), captioned);
}

TEST(EntryTextTest, DifferentTextsAreBothKeptSummaryFirst) {
  const std::string summary = "Un résumé qui dit autre chose : Bellacosa répond.";
  EXPECT_EQ(EntryText(summary, kContent), summary + "\n" + kContent);
  // A teaser that goes on past the content's words is not the content's beginning.
  EXPECT_EQ(EntryText("La marque Alpéa lance la consigne, et Bellacosa aussi.", kContent),
            "La marque Alpéa lance la consigne, et Bellacosa aussi.\n" + kContent);
}

TEST(EntryTextTest, OneFieldAloneOrTheSameTwice) {
  EXPECT_EQ(EntryText(std::nullopt, kContent), kContent);
  EXPECT_EQ(EntryText(kContent, std::nullopt), kContent);
  EXPECT_EQ(EntryText(kContent, kContent), kContent);
  EXPECT_EQ(EntryText(std::string(""), kContent), kContent);
  EXPECT_EQ(EntryText(std::nullopt, std::nullopt), "");
  // A summary that is only a "Read more" link adds nothing.
  EXPECT_EQ(EntryText(std::string("Lire la suite \xE2\x86\x92"), kContent), kContent);
  // A content shorter than the summary and starting it: the summary alone.
  EXPECT_EQ(EntryText(kContent, std::string("La marque Alpéa lance la consigne\xE2\x80\xA6")),
            kContent);
}

TEST(EntryTextTest, TheSearchForTheBeginningIsBounded) {
  // A hostile pair: 64 KiB of the same letter, differing only at the end. Only the first
  // kTeaserSearchBytes offsets are tried, so this is quick, and the texts differ.
  const std::string a(65536, 'a');
  const std::string summary = a.substr(0, 60000) + "b";
  const std::string content = a;
  EXPECT_EQ(EntryText(summary, content), summary + "\n" + content);
  const std::string late = std::string(kTeaserSearchBytes + 10, 'x') + kContent;
  EXPECT_EQ(EntryText(std::string("La marque Alpéa lance"), late),
            std::string("La marque Alpéa lance\n") + late);
}

TEST(EntryTextTest, AReadMoreLinkIsCutOnlyWithinTheLast200Bytes) {
  const std::string base = "Alpéa lance la consigne. ";
  EXPECT_EQ(TeaserCore(base + "READ More" + std::string(191, 'x')), "Alpéa lance la consigne.");
  const std::string far = base + "Read more" + std::string(192, 'x');
  EXPECT_EQ(TeaserCore(far), far);
  // Each link is looked for at the end of what is left: an early one stays.
  const std::string early = "Read more " + std::string(200, 'x') + " ";
  EXPECT_EQ(TeaserCore(early + base + "Lire la suite"), early + "Alpéa lance la consigne.");
}

// TeaserCore as it was written before RFindNoCase searched in place (a lowered copy of the
// text for each look, std::string::rfind over all of it): the reference the faster one must
// agree with.
std::string_view ReferenceTeaserCore(std::string_view text) {
  const auto rfind = [](std::string_view t, std::string_view needle) {
    std::string lower(t);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.rfind(needle);
  };
  for (const auto& [start, middle] : std::array<std::pair<std::string_view, std::string_view>, 3>{
           {{"the post ", " appeared first on "},
            {"l’article ", " est apparu en premier sur "},
            {"l'article ", " est apparu en premier sur "}}}) {
    const std::size_t at = rfind(text, start);
    if (at != std::string_view::npos && rfind(text.substr(at), middle) != std::string::npos) {
      text = text.substr(0, at);
      break;
    }
  }
  for (std::string_view link : {"continue reading", "continuer la lecture", "lire la suite",
                                "read more", "read the full", "lire plus", "en savoir plus"}) {
    const std::size_t at = rfind(text, link);
    if (at != std::string::npos && text.size() - at <= 200) text = text.substr(0, at);
  }
  static constexpr std::string_view kMarks[] = {
      "[\xE2\x80\xA6]", "[...]",        "(\xE2\x80\xA6)", "(...)",      "\xE2\x80\xA6", "...",
      "\xC2\xBB",       "\xE2\x80\xBA", "\xE2\x86\x92",   "[&hellip;]", "&hellip;"};
  for (bool cut = true; cut;) {
    cut = false;
    for (;;) {
      if (!text.empty() &&
          std::string_view(" \t\n\r:-").find(text.back()) != std::string_view::npos) {
        text.remove_suffix(1);
      } else if (text.size() >= 2 && text.substr(text.size() - 2) == "\xC2\xA0") {
        text.remove_suffix(2);
      } else {
        break;
      }
    }
    for (std::string_view mark : kMarks) {
      if (mark.size() <= text.size() && rfind(text.substr(text.size() - mark.size()), mark) == 0) {
        text.remove_suffix(mark.size());
        cut = true;
      }
    }
  }
  return text;
}

// The last pieces cut the footers' openings, so that they start at every offset of the 8-byte
// blocks TeaserCore looks at.
TEST(EntryTextTest, TeaserCoreAgreesWithTheReferenceOnRandomTexts) {
  const std::vector<std::string> pieces = {"Read more",
                                           "READ MORE",
                                           "read More",
                                           "Lire la suite",
                                           "lire la SUITE",
                                           "Continue reading",
                                           "The post ",
                                           "the POST ",
                                           " appeared first on ",
                                           " APPEARED first on ",
                                           "L’article ",
                                           "l'article ",
                                           " est apparu en premier sur ",
                                           "[\xE2\x80\xA6]",
                                           "...",
                                           "\xC2\xBB",
                                           "\xE2\x86\x92",
                                           " ",
                                           "\xC2\xA0",
                                           "Alpéa",
                                           "consigne. ",
                                           "en savoir plus",
                                           std::string(60, 'x'),
                                           std::string(150, 'y'),
                                           std::string(199, 'z'),
                                           "R",
                                           "ead more",
                                           "Th",
                                           "e post ",
                                           "L",
                                           "'article ",
                                           "\xE2\x80\x99"
                                           "article ",
                                           "\xC2",
                                           "ab"};
  std::mt19937 rng(17);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), count(1, 12);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (std::size_t n = count(rng); n > 0; --n) text += pieces[pick(rng)];
    ASSERT_EQ(TeaserCore(text), ReferenceTeaserCore(text)) << text;
  }
}

// EntryText as it was before it compacted only the beginnings it compares (Compact of the whole
// summary and content): the reference the bounded one must agree with.
std::string ReferenceEntryText(const std::string& s, const std::string& c) {
  const auto compact = [](std::string_view t) {
    std::string out;
    for (std::size_t i = 0; i < t.size();) {
      std::size_t n = 0;
      if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') {
        n = 1;
      } else if (t.compare(i, 2, "\xC2\xA0") == 0) {
        n = 2;
      } else if (t.compare(i, 3, "\xE2\x80\xAF") == 0 || t.compare(i, 3, "\xE2\x80\x89") == 0) {
        n = 3;
      }
      if (n > 0) {
        i += n;
      } else {
        out += t[i++];
      }
    }
    return out;
  };
  const auto begins = [](const std::string& big, const std::string& small) {
    if (small.empty() || small.size() > big.size()) return false;
    const std::size_t last = std::min(big.size() - small.size(), kTeaserSearchBytes);
    for (std::size_t i = 0; i <= last; ++i) {
      if (big.compare(i, small.size(), small) == 0) return true;
    }
    return false;
  };
  if (c.empty() || s == c) return s;
  if (s.empty()) return c;
  const std::string teaser = compact(TeaserCore(s));
  if (teaser.empty() || begins(compact(c), teaser)) return c;
  const std::string short_content = compact(TeaserCore(c));
  if (short_content.empty() || begins(compact(s), short_content)) return s;
  return s + "\n" + c;
}

TEST(EntryTextTest, EntryTextAgreesWithTheReferenceOnRandomTexts) {
  const std::vector<std::string> pieces = {"Alpéa lance la consigne. ",
                                           "Alpéa ",
                                           "lance ",
                                           "la consigne",
                                           " ",
                                           "\xC2\xA0",
                                           "\xE2\x80\xAF",
                                           "\n\n",
                                           "[\xE2\x80\xA6]",
                                           "Read more",
                                           std::string(100, 'x'),
                                           std::string(300, 'y'),
                                           std::string(511, ' '),
                                           "<img> caption "};
  std::mt19937 rng(23);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), count(0, 10);
  for (int i = 0; i < 5000; ++i) {
    std::string prefix, summary, content;
    for (std::size_t n = count(rng); n > 0; --n) prefix += pieces[pick(rng)];
    for (std::size_t n = count(rng); n > 0; --n) summary += pieces[pick(rng)];
    for (std::size_t n = count(rng); n > 0; --n) content += pieces[pick(rng)];
    // Often the summary is the content's beginning (a teaser), after a few bytes or more.
    if (i % 3 == 0) summary = content.substr(0, content.size() / 2) + " [\xE2\x80\xA6]";
    if (i % 3 == 1) content = prefix + summary + content;
    ASSERT_EQ(EntryText(summary, content), ReferenceEntryText(summary, content))
        << summary << "\n---\n"
        << content;
  }
}

TEST(EntryTextTest, TeaserCoreKeepsTheWords) {
  EXPECT_EQ(TeaserCore("Alpéa lance la consigne [\xE2\x80\xA6]"), "Alpéa lance la consigne");
  EXPECT_EQ(TeaserCore("Alpéa lance la consigne."), "Alpéa lance la consigne.");
  EXPECT_EQ(TeaserCore("The post appeared"), "The post appeared");
}

// The full-text index's text is frozen: entries_fts is contentless, so retention deletes a row
// by giving the text it was indexed with, possibly by an older veille. Any change here must come
// with a migration that rebuilds entries_fts.
TEST(IndexedEntryTextTest, TheIndexedTextKeepsItsFormat) {
  EXPECT_EQ(IndexedEntryText(std::string("Résumé"), std::string("Contenu")), "Résumé\nContenu");
  EXPECT_EQ(IndexedEntryText(kContent, kContent), kContent);
  EXPECT_EQ(IndexedEntryText(std::nullopt, kContent), kContent);
  EXPECT_EQ(IndexedEntryText(std::string(""), kContent), kContent);
  EXPECT_EQ(IndexedEntryText(kContent, std::nullopt), kContent);
  EXPECT_EQ(IndexedEntryText(std::nullopt, std::nullopt), "");
  // A teaser is indexed with the content although the matcher drops it.
  const std::string teaser = "La marque Alpéa lance la consigne [\xE2\x80\xA6]";
  EXPECT_EQ(IndexedEntryText(teaser, kContent), teaser + "\n" + kContent);
}

// `veille search` asks the index for candidates, then verifies each with the matcher on
// EntryText: every word the matcher sees must be in the index.
TEST(IndexedEntryTextTest, TheIndexHoldsEveryWordTheMatcherSees) {
  const std::optional<std::string> none;
  const std::vector<std::pair<std::optional<std::string>, std::optional<std::string>>> cases = {
      {std::string("La marque Alpéa lance la consigne [\xE2\x80\xA6]"), kContent},
      {std::string("La marque Alpéa lance la consigne\xE2\x80\xA6 The post Consigne appeared "
                   "first on Le Fil."),
       kContent},
      {std::string("La marque Alpéa lance la consigne."), kContent},
      {std::string("Bellacosa répond."), kContent},
      {kContent, std::string("La marque Alpéa lance la consigne\xE2\x80\xA6")},
      {none, kContent},
      {kContent, none},
      {std::string("  Alpéa\xC2\xA0lance  "), std::string("Alpéa lance")},
  };
  for (const auto& [summary, content] : cases) {
    const std::string indexed = IndexedEntryText(summary, content);
    const std::string matched = EntryText(summary, content);
    std::size_t start = 0;
    while (start < matched.size()) {
      std::size_t end = matched.find_first_of(" \n", start);
      if (end == std::string::npos) end = matched.size();
      const std::string word = matched.substr(start, end - start);
      EXPECT_NE(indexed.find(word), std::string::npos)
          << "\"" << word << "\" of the matcher's text is not indexed: " << summary.value_or("-");
      start = end + 1;
    }
  }
}

TEST(DerivedTitleTest, TheFirstWordsCutAtAWordBoundary) {
  const std::string toot =
      "Ce matin au marché de Rennes, les bouteilles consignées d'@alpea@piaille.fr ont disparu "
      "en une heure ! #consigne #Alpéa";
  const std::string title = DerivedTitle(toot);
  EXPECT_EQ(title,
            "Ce matin au marché de Rennes, les bouteilles consignées d'@alpea@piaille.fr "
            "ont\xE2\x80\xA6");
  // About 80 characters (not bytes: é is two).
  std::size_t chars = 0;
  for (unsigned char c : title) chars += (c & 0xC0) != 0x80 ? 1 : 0;
  EXPECT_LE(chars, kDerivedTitleChars + 1);
  EXPECT_GT(chars, 60u);
  EXPECT_EQ(toot.rfind(title.substr(0, title.size() - 3), 0), 0u);  // a prefix of the text
}

TEST(DerivedTitleTest, ShortTextsAndOddShapes) {
  EXPECT_EQ(DerivedTitle("Bravo @alpea pour la #consigne !"), "Bravo @alpea pour la #consigne !");
  EXPECT_EQ(DerivedTitle("  Deux paragraphes.\nLe second."), "Deux paragraphes. Le second.");
  EXPECT_EQ(DerivedTitle(""), "");
  // One word longer than the limit is cut inside, not dropped.
  const std::string word(120, 'a');
  EXPECT_EQ(DerivedTitle(word), std::string(80, 'a') + "\xE2\x80\xA6");
  // Punctuation before the cut does not stay in front of the ellipsis.
  const std::string text = std::string(70, 'b') + ", " + std::string(20, 'x');
  EXPECT_EQ(DerivedTitle(text), std::string(70, 'b') + "\xE2\x80\xA6");
}

}  // namespace
}  // namespace veille
