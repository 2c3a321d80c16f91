// The one sanitiser for text that leaves the process (security review, finding 6).
#include "common/sanitize.h"

#include <gtest/gtest.h>

namespace veille {
namespace {

TEST(SanitizeLine, DropsC0AndC1ControlsAsBytesAndAsCodePoints) {
  // The reason phrase of the review: UTF-8 encoded CSI (U+009B) then "2J" (clear screen).
  EXPECT_EQ(SanitizeLine("OK \xC2\x9B"
                         "2J done"),
            "OK 2J done");
  EXPECT_EQ(SanitizeLine("a\x1b[31mred\x07"), "a[31mred");
  EXPECT_EQ(SanitizeLine("x\xC2\x90y\xC2\x9Dz\x7f"), "xyz");
  // A lone byte 0x9B is not UTF-8: it becomes U+FFFD and can never act as an 8-bit CSI.
  EXPECT_EQ(SanitizeLine("a\x9b"
                         "2J"),
            "a\xEF\xBF\xBD"
            "2J");
  EXPECT_EQ(SanitizeLine("a\xff\xfe"), "a\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(SanitizeLine, MakesOneLineAndKeepsLettersOfEveryScript) {
  EXPECT_EQ(SanitizeLine("  Titre\r\n\tsuite  "), "Titre suite");
  EXPECT_EQ(SanitizeLine("L’Oréal — 東京 😀"), "L’Oréal — 東京 😀");
  EXPECT_EQ(SanitizeLine("abc\xE2\x80\xAE"
                         "fdp.exe"),
            "abcfdp.exe");  // right-to-left override dropped
}

TEST(SanitizeLine, CutsBetweenCharacters) {
  EXPECT_EQ(SanitizeLine("ééé", 5), "éé");
  EXPECT_EQ(SanitizeLine("abc def", 4), "abc");
  EXPECT_EQ(SanitizeLine(std::string(1000, 'a'), 300).size(), 300u);
}

TEST(SanitizeText, KeepsLinesAndTabsButNoOtherControl) {
  EXPECT_EQ(SanitizeText("a\n\tb\r\x1b\xC2\x85"
                         "c"),
            "a\n\tbc");
  EXPECT_EQ(SanitizeText("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(SanitizeText("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace veille
