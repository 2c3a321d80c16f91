#include "feed/charset.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace veille::feed {
namespace {

struct Decoded {
  std::string text;
  std::string encoding;
  std::vector<std::string> warnings;
};

// DecodeToUtf8 plus DecodedView: the text whether or not a copy was needed.
Decoded Decode(std::string_view bytes, std::string_view charset) {
  DecodedText d = DecodeToUtf8(bytes, charset);
  return {std::string(DecodedView(d, bytes)), d.encoding, d.warnings};
}

TEST(DecodeToUtf8Test, MakesNoCopyOfCleanUtf8) {
  DecodedText d = DecodeToUtf8("<a>caf\xC3\xA9</a>", "");
  EXPECT_TRUE(d.input_is_clean);
  EXPECT_TRUE(d.utf8.empty());
  EXPECT_FALSE(DecodeToUtf8("<a>x\x01</a>", "").input_is_clean);
}

TEST(DecodeToUtf8Test, ReadsUtf8WithAndWithoutBom) {
  EXPECT_EQ(Decode("\xEF\xBB\xBF<a>caf\xC3\xA9</a>", "").text, "<a>café</a>");
  EXPECT_EQ(Decode("<a>caf\xC3\xA9</a>", "").text, "<a>café</a>");
}

TEST(DecodeToUtf8Test, ReadsIso88591AsWindows1252) {
  auto decoded =
      Decode("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\x80 caf\xE9 \x92</a>", "");
  EXPECT_EQ(decoded.encoding, "windows-1252");
  EXPECT_NE(decoded.text.find("<a>€ café ’</a>"), std::string::npos) << decoded.text;
}

TEST(DecodeToUtf8Test, LetsTheHttpCharsetWinOverTheDeclaration) {
  auto decoded = Decode("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xE9</a>", "iso-8859-1");
  EXPECT_NE(decoded.text.find("<a>é</a>"), std::string::npos) << decoded.text;
}

TEST(DecodeToUtf8Test, TranscodesOtherDeclaredEncodingsWithIconv) {
  auto decoded = Decode("<?xml version=\"1.0\" encoding=\"koi8-r\"?><a>\xF0\xD2\xC9</a>", "");
  EXPECT_EQ(decoded.encoding, "koi8-r");
  EXPECT_NE(decoded.text.find("<a>При</a>"), std::string::npos) << decoded.text;
}

TEST(DecodeToUtf8Test, ReadsUtf16WithAndWithoutBom) {
  std::string le_bom("\xFF\xFE<\0a\0>\0\xE9\0<\0/\0a\0>\0", 18);
  EXPECT_EQ(Decode(le_bom, "").text, "<a>é</a>");
  std::string be_plain("\0<\0a\0>\0\xE9\0<\0/\0a\0>", 16);
  EXPECT_EQ(Decode(be_plain, "").text, "<a>é</a>");
}

TEST(DecodeToUtf8Test, ReadsUtf16WithoutBomAfterLeadingWhitespace) {
  std::string le("\n\0<\0a\0/\0>\0", 10);
  EXPECT_EQ(Decode(le, "").text, "\n<a/>");
}

TEST(DecodeToUtf8Test, DetectsUtf8BytesDeclaredAsLatin1) {
  auto decoded = Decode("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>caf\xC3\xA9</a>", "");
  EXPECT_NE(decoded.text.find("<a>café</a>"), std::string::npos) << decoded.text;
  EXPECT_FALSE(decoded.warnings.empty());
}

TEST(DecodeToUtf8Test, ReadsStrayWindows1252BytesInUtf8) {
  auto decoded = Decode("<a>caf\xC3\xA9 \x93quoted\x94 d\xC3\xA9j\xC3\xA0</a>", "");
  EXPECT_EQ(decoded.text, "<a>café “quoted” déjà</a>");
}

TEST(DecodeToUtf8Test, ReadsLatin1WithAnAccidentalUtf8SequenceAsWindows1252) {
  // "doué »" in Latin-1 is E9 A0 BB, which happens to be valid UTF-8 (U+983B).
  auto decoded = Decode("<a>\xE0 l'\xE9t\xE9, un enfant \xAB dou\xE9\xA0\xBB</a>", "");
  EXPECT_EQ(decoded.encoding, "windows-1252");
  EXPECT_EQ(decoded.text, "<a>à l'été, un enfant « doué\u00a0»</a>");
}

TEST(DecodeToUtf8Test, FallsBackWhenTheDeclaredEncodingIsUnknown) {
  auto decoded = Decode("<?xml version=\"1.0\" encoding=\"bogus\"?><a>caf\xC3\xA9</a>", "");
  EXPECT_NE(decoded.text.find("<a>café</a>"), std::string::npos);
  EXPECT_EQ(decoded.encoding, "utf-8");
}

TEST(DecodeToUtf8Test, RemovesNulAndControlCharacters) {
  std::string input("<a>x\0y\x01z\tw</a>", 14);
  EXPECT_EQ(Decode(input, "").text, "<a>xyz\tw</a>");
}

// RELIABILITY.md B6: bytes that are not what the document declares make it "encoding suspect",
// with the reason; a document read as it declares (or as UTF-8, undeclared) is not.
TEST(DecodeToUtf8Test, SaysWhyADocumentIsEncodingSuspectAndOnlyThen) {
  const std::string utf8_decl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
  struct Case {
    std::string bytes;
    std::string charset;
    std::string suspect;  // "" when the declaration holds
  };
  const Case cases[] = {
      // Declared UTF-8 (by the XML, by HTTP, by a BOM, or by default), Latin-1 bytes.
      {utf8_decl + "<a>caf\xE9 d\xE9j\xE0</a>", "",
       "bytes that are not UTF-8 were read as windows-1252"},
      {"<a>caf\xE9</a>", "utf-8", "bytes that are not UTF-8 were read as windows-1252"},
      {"\xEF\xBB\xBF<a>caf\xE9</a>", "", "bytes that are not UTF-8 were read as windows-1252"},
      {"<a>caf\xE9</a>", "", "bytes that are not UTF-8 were read as windows-1252"},
      // Declared Latin-1, UTF-8 bytes.
      {"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>caf\xC3\xA9</a>", "",
       "document declared as iso-8859-1 but its bytes are UTF-8; read as UTF-8"},
      // An unknown charset, and a wide one on 8-bit bytes.
      {"<?xml version=\"1.0\" encoding=\"bogus\"?><a>caf\xC3\xA9</a>", "",
       "document declared as bogus but could not be decoded as such; read as UTF-8"},
      {"<?xml version=\"1.0\" encoding=\"utf-16\"?><a>x</a>", "",
       "document declared as utf-16 but its bytes are not; read as ASCII-compatible"},
      // What they declare: no mark.
      {utf8_decl + "<a>caf\xC3\xA9</a>", "", ""},
      {"<a>caf\xC3\xA9</a>", "", ""},
      {"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>caf\xE9</a>", "", ""},
      {utf8_decl + "<a>caf\xE9</a>", "iso-8859-1", ""},  // HTTP wins, and is right
      {"<?xml version=\"1.0\" encoding=\"koi8-r\"?><a>\xF0\xD2\xC9</a>", "", ""},
      {std::string("\xFF\xFE<\0a\0/\0>\0", 10), "", ""},
  };
  for (const Case& c : cases) {
    DecodedText d = DecodeToUtf8(c.bytes, c.charset);
    EXPECT_EQ(d.suspect, c.suspect) << c.bytes << " (charset " << c.charset << ")";
    if (!c.suspect.empty()) {
      ASSERT_FALSE(d.warnings.empty());
      EXPECT_EQ(d.warnings.front(), c.suspect);
    }
  }
  // The reason is stored with the feed: a long declaration is quoted in part.
  const std::string name(5000, 'x');
  DecodedText d = DecodeToUtf8("<?xml version=\"1.0\" encoding=\"" + name + "\"?><a/>", "");
  EXPECT_EQ(d.suspect, "document declared as " + name.substr(0, 40) +
                           "... but could not be decoded as such; read as UTF-8");
}

TEST(CharsetFromContentTypeTest, ReadsTheCharsetParameter) {
  EXPECT_EQ(CharsetFromContentType("application/rss+xml; charset=\"ISO-8859-1\""), "iso-8859-1");
  EXPECT_EQ(CharsetFromContentType("text/xml;charset=utf-8; q=1"), "utf-8");
  EXPECT_EQ(CharsetFromContentType("text/xml"), "");
}

}  // namespace
}  // namespace veille::feed
