#include "text/normalize.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "text/normalize_internal.h"

namespace veille::text {
namespace {

std::string Joined(std::string_view source, Fold fold = Fold::kInsensitive) {
  std::string out;
  for (const std::string& w : Words(source, fold)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

struct WordsCase {
  const char* input;
  const char* expected;  // folded words joined by one space
};

TEST(NormalizeTest, FoldsCaseAccentsLigaturesAndSplitsWords) {
  const WordsCase cases[] = {
      {"L'Oréal", "l oreal"},
      {"d’Apple", "d apple"},
      {"aujourd'hui", "aujourd hui"},
      {"McDonald's", "mcdonald s"},
      {"Lancôme", "lancome"},
      {"LANCÔME", "lancome"},
      {"e-réputation", "e reputation"},
      {"Médias Sociaux", "medias sociaux"},
      {"cœur ŒUVRE", "coeur oeuvre"},
      {"Lætitia Æsop", "laetitia aesop"},
      {"Øresund Łódź Đorđe", "oresund lodz dorde"},
      {"Straße", "strasse"},
      {"ﬁnance", "finance"},
      {"Ｒｅｎａｕｌｔ", "renault"},
      {"le\u00a0prix\u202fde 10\u00a0€", "le prix de 10"},
      {"« Orange » “Total” ‘x’", "orange total x"},
      {"A380 et 2024, 3,5 %", "a380 et 2024 3 5"},
      {"e\u0301le\u0300ve", "eleve"},        // decomposed accents
      {"infor\u00admation", "information"},  // soft hyphen inside a word
      {"zéro\u200bwidth", "zero width"},
      {"Ι\u0301ΛΙΑΔΑ", "ιλιαδα"},
      {"東京タワー", "東京タワー"},
      {"line\nbreak\ttab", "line break tab"},
      {"", ""},
      {"  ...  !!", ""},
      {"bad\xff\xfe"
       "bytes\xc3",
       "bad bytes"},
  };
  for (const WordsCase& c : cases) {
    EXPECT_EQ(Joined(c.input), c.expected) << "input: " << c.input;
  }
}

TEST(NormalizeTest, ExactFoldsKeepWhatTheyPromise) {
  struct Case {
    const char* input;
    Fold fold;
    const char* expected;
  };
  const Case cases[] = {
      {"Orange ORANGE orange", Fold::kKeepCase, "Orange ORANGE orange"},
      {"Pêche pèche", Fold::kKeepCase, "Peche peche"},
      {"Pêche péché", Fold::kKeepAccents, "pêche péché"},
      {"Pêche", Fold::kExact, "Pêche"},
      {"e\u0301le\u0300ve", Fold::kExact, "élève"},
      {"Œuvre", Fold::kKeepCase, "OEuvre"},
      {"l’Oréal", Fold::kExact, "l Oréal"},
      {"Øresund", Fold::kKeepAccents, "øresund"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Joined(c.input, c.fold), c.expected)
        << "input: " << c.input << " fold: " << static_cast<int>(c.fold);
  }
}

TEST(NormalizeTest, WordsMapBackToTheOriginalBytes) {
  const std::string source = "À l’Oréal, «\u00a0Lancôme\u00a0» lance-t-il…";
  const Normalized n = Normalize(source);
  std::vector<std::string> originals;
  for (const Word& w : n.words) {
    originals.push_back(source.substr(w.source_begin, w.source_end - w.source_begin));
    EXPECT_EQ(n.text[w.begin - 1], ' ') << "every word follows one space";
  }
  const std::vector<std::string> expected = {"À", "l", "Oréal", "Lancôme", "lance", "t", "il"};
  EXPECT_EQ(originals, expected);
  EXPECT_EQ(n.text, " a l oreal lancome lance t il");
}

TEST(NormalizeTest, AppendingKeepsEarlierWordsAndOffsetsRelativeToEachSource) {
  Normalized n;
  AppendWords("Renault", &n);
  n.text += " \n";
  AppendWords("Dacia Sandero", &n);
  ASSERT_EQ(n.words.size(), 3u);
  EXPECT_EQ(n.text, " renault \n dacia sandero");
  EXPECT_EQ(n.words[1].source_begin, 0u);
  EXPECT_EQ(n.words[2].source_begin, 6u);
  EXPECT_EQ(n.text.substr(n.words[2].begin, n.words[2].end - n.words[2].begin), "sandero");
}

TEST(NormalizeTest, LongExpansionsGrowTheBufferSafely) {
  std::string source;
  for (int i = 0; i < 200; ++i) source += "\uFDFA";  // folds to 18 codepoints each
  const Normalized n = Normalize(source);
  ASSERT_EQ(n.words.size(), 1u);
  EXPECT_GT(n.text.size(), source.size() * 3);
  EXPECT_EQ(n.words[0].source_end, source.size());
}

TEST(NormalizeTest, FoldWordFoldsOneWord) {
  EXPECT_EQ(FoldWord("Crème", Fold::kInsensitive), "creme");
  EXPECT_EQ(FoldWord("Crème", Fold::kKeepAccents), "crème");
  EXPECT_EQ(FoldWord("Crème", Fold::kKeepCase), "Creme");
  EXPECT_EQ(FoldWord("Crème", Fold::kExact), "Crème");
}

// The SSE2 block loop finds words 64 bytes at a time; it must agree with the byte loop on
// every mix of ASCII, accents, apostrophes, NBSP, marks, invalid bytes and long words, at
// every alignment against the block edges.
TEST(NormalizeTest, BlockLoopAgreesWithTheByteLoop) {
  const char* pieces[] = {
      "Renault", "l’Oréal",     " ",     "  ",     ", ",     "\n",
      "é",       "Élysée",      "œuvre", "\u00a0", "\u202f", "«",
      "»",       "-",           "'",     "2024",   "A380",   "abcdefghijklmnopqrstuvwxyz0123456789",
      "e\u0301", "\u00ad",      "\xff",  "\xc3",   "東京",   "\U0001D400",
      "x",       "AUJOURD'HUI", ".",     "ﬁ"};
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(pieces) - 1);
  for (int round = 0; round < 300; ++round) {
    std::string source;
    const std::size_t target = 1 + rng() % 400;
    while (source.size() < target) source += pieces[pick(rng)];
    const Normalized fast = Normalize(source);
    Normalized reference;
    internal::AppendWordsScalar(source, &reference);
    ASSERT_EQ(fast.text, reference.text) << "input: " << source;
    ASSERT_EQ(fast.words.size(), reference.words.size()) << "input: " << source;
    for (std::size_t i = 0; i < fast.words.size(); ++i) {
      const Word& a = fast.words[i];
      const Word& b = reference.words[i];
      ASSERT_TRUE(a.begin == b.begin && a.end == b.end && a.source_begin == b.source_begin &&
                  a.source_end == b.source_end)
          << "word " << i << " of input: " << source;
    }
  }
}

}  // namespace
}  // namespace veille::text
