#include "alert/encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "common/sanitize.h"

namespace veille::alert {
namespace {

// Decodes quoted-printable the way a mail reader does (for round trips).
std::string DecodeQp(const std::string& qp) {
  std::string out;
  for (std::size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] == '=' && i + 2 < qp.size() && qp[i + 1] == '\r' && qp[i + 2] == '\n') {
      i += 2;
    } else if (qp[i] == '=' && i + 2 < qp.size()) {
      out += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += qp[i];
    }
  }
  return out;
}

TEST(Base64, EncodesTheRfc4648TestVectors) {
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [in, out] : cases) {
    EXPECT_EQ(Base64Encode(in), out) << in;
    EXPECT_EQ(Base64Decode(out).value_or("?"), in) << out;
  }
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_FALSE(Base64Decode("Zm9v!"));
  EXPECT_FALSE(Base64Decode("Z"));
  EXPECT_FALSE(Base64Decode("Zm 9v"));
}

TEST(QuotedPrintable, KeepsEveryLineWithin76CharactersAndRoundTrips) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "Orélia é=à ";
  text += "\nfin  \nlast";
  const std::string qp = QuotedPrintable(text);
  std::istringstream lines(qp);
  std::string line;
  while (std::getline(lines, line)) {
    ASSERT_FALSE(line.empty() || line.back() != '\r') << "lines end in CRLF: " << line;
    EXPECT_LE(line.size() - 1, 76u) << line;
    EXPECT_NE(line[line.size() - 2], ' ') << "trailing space must be encoded: " << line;
  }
  std::string expected = text;
  std::string crlf;
  for (char c : expected) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(DecodeQp(qp), crlf + "\r\n");
}

TEST(OneLine, TurnsLineBreaksAndControlsIntoSingleSpaces) {
  EXPECT_EQ(OneLine("Titre\r\nBcc: victim@example.org"), "Titre Bcc: victim@example.org");
  EXPECT_EQ(OneLine("  a\t\x01 b\x7f  "), "a b");
}

TEST(EncodeHeaderText, LeavesPlainAsciiAloneAndEncodesUtf8AsEncodedWords) {
  EXPECT_EQ(EncodeHeaderText("Hello world"), "Hello world");
  const std::string encoded = EncodeHeaderText("L'Oréal lance une crème");
  EXPECT_EQ(encoded.rfind("=?UTF-8?B?", 0), 0u) << encoded;
  EXPECT_EQ(encoded.find('\n') == std::string::npos || encoded.find("\r\n ") != std::string::npos,
            true);
}

TEST(EncodeHeaderText, NeverSplitsAUtf8CharacterAndKeepsWordsWithin75Characters) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "été ";
  const std::string encoded = EncodeHeaderText(text);
  std::string decoded;
  std::size_t at = 0;
  while ((at = encoded.find("=?UTF-8?B?", at)) != std::string::npos) {
    const std::size_t end = encoded.find("?=", at + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - at, 75u);
    const auto chunk = Base64Decode(encoded.substr(at + 10, end - at - 10));
    ASSERT_TRUE(chunk);
    EXPECT_EQ(SanitizeText(*chunk), *chunk) << "a chunk is valid UTF-8 on its own";
    decoded += *chunk;
    at = end + 2;
  }
  EXPECT_EQ(decoded, OneLine(text));
}

TEST(EncodeHeaderText, EncodesTextThatLooksLikeAnEncodedWord) {
  EXPECT_EQ(EncodeHeaderText("=?UTF-8?B?xx?=").rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(EncodeHeaderText("=?UTF-8?B?xx?="), "=?UTF-8?B?xx?=");
}

// Security review finding 8: a 1,500-character word made a Subject line the server refused.
TEST(EncodeHeaderText, AWordTooLongToFoldBecomesEncodedWordsWithin78Characters) {
  const std::string word(1500, 'A');
  for (const std::string& text : {word, "[veille] marque: " + word, word + " fin"}) {
    const std::string encoded = EncodeHeaderText(text, 9);
    std::size_t longest = 0;
    std::size_t start = 0;
    std::string decoded;
    for (;;) {
      const std::size_t end = encoded.find("\r\n", start);
      const std::string line = encoded.substr(start, end - start);
      longest = std::max(longest, line.size() + (start == 0 ? 9 : 0));
      if (end == std::string::npos) break;
      start = end + 2;
    }
    EXPECT_LE(longest, 78u) << text.substr(0, 40);
    std::size_t at = 0;
    while ((at = encoded.find("=?UTF-8?B?", at)) != std::string::npos) {
      const std::size_t end = encoded.find("?=", at + 10);
      ASSERT_NE(end, std::string::npos);
      EXPECT_LE(end + 2 - at, 75u);
      decoded += Base64Decode(encoded.substr(at + 10, end - at - 10)).value_or("?");
      at = end + 2;
    }
    EXPECT_EQ(decoded, text);
  }
}

TEST(ShortenText, CutsAtAWordWithAnEllipsisAndCountsCharactersNotBytes) {
  EXPECT_EQ(ShortenText("court", 10), "court");
  EXPECT_EQ(ShortenText("0123456789", 10), "0123456789");
  EXPECT_EQ(ShortenText("01234567890", 10), "012345678…");
  EXPECT_EQ(ShortenText("un deux trois quatre", 16), "un deux trois…");
  EXPECT_EQ(ShortenText("ééééééééééé", 5), "éééé…");
  EXPECT_EQ(ShortenText(std::string(1500, 'A'), 120).size(), 119u + 3u);
}

TEST(SanitizeText, ReplacesInvalidSequencesInAlertTextWithTheReplacementCharacter) {
  EXPECT_EQ(SanitizeText("a\xff"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeText("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong '/'";
  EXPECT_EQ(SanitizeText("Orélia"), "Orélia");
}

}  // namespace
}  // namespace veille::alert
