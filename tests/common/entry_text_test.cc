// The summary and the content as one text (common/entry_text.h): WordPress teasers and Atom
// summaries that repeat the content's beginning are not kept twice.
#include "common/entry_text.h"

#include <gtest/gtest.h>

#include <string>

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
  // The search looks at the tail only; these pin the boundary it must keep.
  const std::string words = "Alpéa lance la consigne. ";
  const std::string near = words + "Read more" + std::string(191, 'x');  // 200 bytes from its start
  EXPECT_EQ(TeaserCore(near), "Alpéa lance la consigne.");
  const std::string far = words + "Read more" + std::string(192, 'x');  // 201 bytes
  EXPECT_EQ(TeaserCore(far), far);
  // The last occurrence counts: an early one followed by a late one cuts at the late one.
  const std::string twice = words + "read more about it. " + words + "READ MORE";
  EXPECT_EQ(TeaserCore(twice), words + "read more about it. " + "Alpéa lance la consigne.");
  // WordPress's footer, upper case, after a long text.
  const std::string footer = std::string(70000, 'y') + " The Post Alpéa appeared first on Blog.";
  EXPECT_EQ(TeaserCore(footer), std::string(70000, 'y'));
}

TEST(EntryTextTest, TeaserCoreKeepsTheWords) {
  EXPECT_EQ(TeaserCore("Alpéa lance la consigne [\xE2\x80\xA6]"), "Alpéa lance la consigne");
  EXPECT_EQ(TeaserCore("Alpéa lance la consigne."), "Alpéa lance la consigne.");
  EXPECT_EQ(TeaserCore("The post appeared"), "The post appeared");
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
