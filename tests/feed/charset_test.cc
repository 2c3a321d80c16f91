#include "feed/charset.h"

#include <gtest/gtest.h>

#include <string>

namespace veille::feed {
namespace {

TEST(DecodeToUtf8Test, ReadsUtf8WithAndWithoutBom) {
  EXPECT_EQ(DecodeToUtf8("\xEF\xBB\xBF<a>caf\xC3\xA9</a>", "").utf8, "<a>café</a>");
  EXPECT_EQ(DecodeToUtf8("<a>caf\xC3\xA9</a>", "").utf8, "<a>café</a>");
}

TEST(DecodeToUtf8Test, ReadsIso88591AsWindows1252) {
  auto decoded =
      DecodeToUtf8("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\x80 caf\xE9 \x92</a>", "");
  EXPECT_EQ(decoded.encoding, "windows-1252");
  EXPECT_NE(decoded.utf8.find("<a>€ café ’</a>"), std::string::npos) << decoded.utf8;
}

TEST(DecodeToUtf8Test, LetsTheHttpCharsetWinOverTheDeclaration) {
  auto decoded =
      DecodeToUtf8("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xE9</a>", "iso-8859-1");
  EXPECT_NE(decoded.utf8.find("<a>é</a>"), std::string::npos) << decoded.utf8;
}

TEST(DecodeToUtf8Test, TranscodesOtherDeclaredEncodingsWithIconv) {
  auto decoded = DecodeToUtf8("<?xml version=\"1.0\" encoding=\"koi8-r\"?><a>\xF0\xD2\xC9</a>", "");
  EXPECT_EQ(decoded.encoding, "koi8-r");
  EXPECT_NE(decoded.utf8.find("<a>При</a>"), std::string::npos) << decoded.utf8;
}

TEST(DecodeToUtf8Test, ReadsUtf16WithAndWithoutBom) {
  std::string le_bom("\xFF\xFE<\0a\0>\0\xE9\0<\0/\0a\0>\0", 18);
  EXPECT_EQ(DecodeToUtf8(le_bom, "").utf8, "<a>é</a>");
  std::string be_plain("\0<\0a\0>\0\xE9\0<\0/\0a\0>", 16);
  EXPECT_EQ(DecodeToUtf8(be_plain, "").utf8, "<a>é</a>");
}

TEST(DecodeToUtf8Test, DetectsUtf8BytesDeclaredAsLatin1) {
  auto decoded =
      DecodeToUtf8("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>caf\xC3\xA9</a>", "");
  EXPECT_NE(decoded.utf8.find("<a>café</a>"), std::string::npos) << decoded.utf8;
  EXPECT_FALSE(decoded.warnings.empty());
}

TEST(DecodeToUtf8Test, ReadsStrayWindows1252BytesInUtf8) {
  auto decoded = DecodeToUtf8("<a>caf\xC3\xA9 \x93quoted\x94 d\xC3\xA9j\xC3\xA0</a>", "");
  EXPECT_EQ(decoded.utf8, "<a>café “quoted” déjà</a>");
}

TEST(DecodeToUtf8Test, ReadsLatin1WithAnAccidentalUtf8SequenceAsWindows1252) {
  // "doué »" in Latin-1 is E9 A0 BB, which happens to be valid UTF-8 (U+983B).
  auto decoded = DecodeToUtf8("<a>\xE0 l'\xE9t\xE9, un enfant \xAB dou\xE9\xA0\xBB</a>", "");
  EXPECT_EQ(decoded.encoding, "windows-1252");
  EXPECT_EQ(decoded.utf8, "<a>à l'été, un enfant « doué\u00a0»</a>");
}

TEST(DecodeToUtf8Test, FallsBackWhenTheDeclaredEncodingIsUnknown) {
  auto decoded = DecodeToUtf8("<?xml version=\"1.0\" encoding=\"bogus\"?><a>caf\xC3\xA9</a>", "");
  EXPECT_NE(decoded.utf8.find("<a>café</a>"), std::string::npos);
  EXPECT_EQ(decoded.encoding, "utf-8");
}

TEST(DecodeToUtf8Test, RemovesNulAndControlCharacters) {
  std::string input("<a>x\0y\x01z\tw</a>", 14);
  EXPECT_EQ(DecodeToUtf8(input, "").utf8, "<a>xyz\tw</a>");
}

TEST(CharsetFromContentTypeTest, ReadsTheCharsetParameter) {
  EXPECT_EQ(CharsetFromContentType("application/rss+xml; charset=\"ISO-8859-1\""), "iso-8859-1");
  EXPECT_EQ(CharsetFromContentType("text/xml;charset=utf-8; q=1"), "utf-8");
  EXPECT_EQ(CharsetFromContentType("text/xml"), "");
}

}  // namespace
}  // namespace veille::feed
