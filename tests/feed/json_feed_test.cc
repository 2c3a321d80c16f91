// JSON Feed through ParseFeed: sniffing, the entry contract, limits and recovery. The spec's
// example shapes and the field-by-field rules are pinned by the golden fixtures
// (tests/feed/golden/*.jsonfeed); these tests name one behaviour each.
#include "feed/json_feed.h"

#include <gtest/gtest.h>

#include <string>

#include "feed/parse.h"

namespace veille::feed {
namespace {

Feed MustParse(std::string_view body, ParseOptions options = {}) {
  auto result = ParseFeed(body, options);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message) << "\n" << body;
  return result ? *result : Feed{};
}

std::string ParseError(std::string_view body, ParseOptions options = {}) {
  auto result = ParseFeed(body, options);
  EXPECT_FALSE(result.has_value()) << body;
  return result ? "" : result.error().message;
}

constexpr std::string_view kMinimal =
    R"({"version": "https://jsonfeed.org/version/1.1", "title": "T",
        "items": [{"id": "1", "url": "https://e.example/1", "content_text": "Orélia"}]})";

TEST(JsonFeedTest, IsRecognisedByItsFirstByteWhateverTheContentTypeSays) {
  ParseOptions options;
  options.content_type = "application/rss+xml; charset=utf-8";
  Feed feed = MustParse(std::string("\xEF\xBB\xBF \n\t") + std::string(kMinimal), options);
  EXPECT_EQ(feed.format, Format::kJson11);
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].content, "Orélia");
  EXPECT_EQ(feed.entries[0].key, "id:1");
}

TEST(JsonFeedTest, AJsonContentTypeOnXmlBytesIsReadAsXml) {
  ParseOptions options;
  options.content_type = "application/feed+json";
  Feed feed = MustParse("<rss version=\"2.0\"><channel><title>X</title></channel></rss>", options);
  EXPECT_EQ(feed.format, Format::kRss20);
}

TEST(JsonFeedTest, LooksLikeJsonFollowsTheFirstByteThenTheContentType) {
  EXPECT_TRUE(LooksLikeJson("  {", ""));
  EXPECT_TRUE(LooksLikeJson("[1]", "text/html"));
  EXPECT_FALSE(LooksLikeJson("<rss/>", "application/json"));
  EXPECT_TRUE(LooksLikeJson("garbage", "Application/Feed+JSON; charset=utf-8"));
  EXPECT_TRUE(LooksLikeJson("garbage", "application/json"));
  EXPECT_FALSE(LooksLikeJson("garbage", "application/xml"));
  EXPECT_FALSE(LooksLikeJson("garbage", ""));
}

TEST(JsonFeedTest, TheTwoVersionsHaveTheirOwnFormatNames) {
  Feed v10 = MustParse(R"({"version": "https://jsonfeed.org/version/1", "items": []})");
  Feed v11 = MustParse(R"({"version": "https://jsonfeed.org/version/1.1", "items": []})");
  EXPECT_EQ(FormatName(v10.format), "json10");
  EXPECT_EQ(FormatName(v11.format), "json11");
}

TEST(JsonFeedTest, JsonThatIsNotAFeedFailsWithAReason) {
  EXPECT_EQ(ParseError(R"([{"id": 1}])"), "not a feed: a JSON array, not a JSON Feed object");
  EXPECT_EQ(ParseError(R"({"name": "an API answer"})"),
            "not a feed: a JSON object without a JSON Feed \"version\" or \"items\"");
  ParseOptions json;
  json.content_type = "application/json";
  EXPECT_EQ(ParseError("42", json), "not a feed: a JSON number, not a JSON Feed object");
  EXPECT_EQ(ParseError(R"("text")", json), "not a feed: a JSON string, not a JSON Feed object");
  std::string broken = ParseError(R"({"version": )");
  EXPECT_EQ(broken.rfind("not a feed: invalid JSON at byte ", 0), 0u) << broken;
}

TEST(JsonFeedTest, ItemsWithoutAVersionAreReadWithAWarning) {
  Feed feed = MustParse(R"({"items": [{"id": "x", "title": "Hello"}]})");
  EXPECT_EQ(feed.format, Format::kUnknown);
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].title, "Hello");
  ASSERT_FALSE(feed.warnings.empty());
  EXPECT_NE(feed.warnings[0].find("no JSON Feed \"version\""), std::string::npos);
}

TEST(JsonFeedTest, ATruncatedDocumentKeepsOnlyTheItemsCompleteBeforeTheCut) {
  std::string doc =
      R"({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a"}, {"id": "b", "tags": ["x"]}, {"id": "c", "title": "cut here)";
  Feed feed = MustParse(doc);
  EXPECT_TRUE(feed.recovered);
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[1].id, "b");
  EXPECT_EQ(feed.entries[1].categories, std::vector<std::string>{"x"});
  // Cut inside an item's nested array: that item is incomplete too.
  Feed nested = MustParse(
      R"({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a"}, {"id": "b", "tags": ["x", )");
  EXPECT_EQ(nested.entries.size(), 1u);
  // Broken after the items array: every item is complete.
  Feed after = MustParse(
      R"({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a"}, {"id": "b"}], "title": )");
  EXPECT_TRUE(after.recovered);
  EXPECT_EQ(after.entries.size(), 2u);
}

TEST(JsonFeedTest, TheParseErrorNeverQuotesTheDocument) {
  std::string secret(5000, 'S');
  std::string doc =
      R"({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": ")" + secret;
  Feed feed = MustParse(doc);
  ASSERT_FALSE(feed.warnings.empty());
  for (const std::string& w : feed.warnings) {
    EXPECT_EQ(w.find("SSSS"), std::string::npos) << w;
    EXPECT_LT(w.size(), 400u);
  }
}

TEST(JsonFeedTest, DeeplyNestedValuesAreDroppedWithoutRecursion) {
  // 200,000 levels: a recursive parser or destructor would overflow the stack.
  std::string deep(200000, '[');
  std::string doc = R"({"version": "https://jsonfeed.org/version/1.1", "_ext": )" + deep +
                    std::string(200000, ']') + R"(, "items": [{"id": "kept"}]})";
  Feed feed = MustParse(doc);
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].id, "kept");
  bool warned = false;
  for (const auto& w : feed.warnings)
    warned = warned || w.find("nested deeper") != std::string::npos;
  EXPECT_TRUE(warned);
  // Unclosed: the document is broken, and still nothing recurses.
  Feed open = MustParse(
      R"({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a"}], "x": )" + deep);
  EXPECT_TRUE(open.recovered);
  EXPECT_EQ(open.entries.size(), 1u);
}

TEST(JsonFeedTest, TooManyValuesIsRejectedAndTooManyItemsAreCut) {
  ParseOptions options;
  options.max_elements = 1000;
  std::string many = R"({"version": "https://jsonfeed.org/version/1.1", "items": [)";
  for (int i = 0; i < 600; ++i) many += std::string(i ? "," : "") + "[1]";
  many += "]}";
  std::string error = ParseError(many, options);
  EXPECT_EQ(error, "document has more than 1000 JSON values");

  ParseOptions few;
  few.max_entries = 3;
  std::string items = R"({"version": "https://jsonfeed.org/version/1.1", "items": [)";
  for (int i = 0; i < 10; ++i)
    items += std::string(i ? "," : "") + "{\"id\": \"" + std::to_string(i) + "\"}";
  items += "]}";
  Feed feed = MustParse(items, few);
  EXPECT_EQ(feed.entries.size(), 3u);
  ASSERT_FALSE(feed.warnings.empty());
  EXPECT_EQ(feed.warnings.back(), "7 entries beyond the limit of 3 dropped");
}

TEST(JsonFeedTest, TooLargeABodyIsRejectedBeforeParsing) {
  ParseOptions options;
  options.max_bytes = 10;
  EXPECT_EQ(ParseError(kMinimal, options).rfind("document too large", 0), 0u);
}

TEST(JsonFeedTest, TextFollowsTheContractRules) {
  Feed feed = MustParse(R"({"version": "https://jsonfeed.org/version/1.1", "items": [{
      "id": "\t x \n",
      "title": "L&apos;Or&eacute;al &amp; <i>Lanc\u00f4me</i>",
      "summary": "plain  \u00a0 text\u0001",
      "content_html": "<p>Un&nbsp;texte</p><style>p{}</style><p>suivi</p>",
      "content_text": "ignored when content_html is there"}]})");
  ASSERT_EQ(feed.entries.size(), 1u);
  const Entry& e = feed.entries[0];
  EXPECT_EQ(e.id, "x");
  EXPECT_EQ(e.title, "L'Oréal & Lancôme");
  EXPECT_EQ(e.summary, "plain text");
  EXPECT_EQ(e.content, "Un texte suivi");
}

TEST(JsonFeedTest, ContentTextIsUsedWhenThereIsNoHtml) {
  Feed feed = MustParse(R"({"version": "https://jsonfeed.org/version/1", "items": [
      {"id": "1", "content_html": "  ", "content_text": "a <b>literal</b> tag"}]})");
  ASSERT_EQ(feed.entries.size(), 1u);
  // content_text is plain text, but like an RSS title it is read as HTML when it looks like it.
  EXPECT_EQ(feed.entries[0].content, "a literal tag");
}

TEST(JsonFeedTest, DatesAreRfc3339AndInvalidOnesAreNull) {
  Feed feed = MustParse(R"({"version": "https://jsonfeed.org/version/1.1", "items": [
      {"id": "1", "date_published": "2026-11-24T08:00:00+01:00", "date_modified": "2026-11-24T10:15:30.123Z"},
      {"id": "2", "date_published": "yesterday", "date_modified": 1732435200}]})");
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(FormatIso8601(feed.entries[0].published.value_or(0)), "2026-11-24T07:00:00Z");
  EXPECT_EQ(FormatIso8601(feed.entries[0].updated.value_or(0)), "2026-11-24T10:15:30Z");
  EXPECT_FALSE(feed.entries[1].published.has_value());
  EXPECT_FALSE(feed.entries[1].updated.has_value());
}

TEST(JsonFeedTest, AuthorsLinksAndLanguage) {
  ParseOptions options;
  options.base_url = "https://site.example/blog/feed.json";
  Feed feed = MustParse(R"json({"version": "https://jsonfeed.org/version/1.1",
      "home_page_url": "../", "language": "fr", "author": {"name": "Old 1.0 author"},
      "items": [
        {"id": "1", "url": "post-1", "authors": [{"avatar": "x.png"}, {"name": "Zoé"}], "language": "de"},
        {"id": "2", "external_url": "https://elsewhere.example/a?b=1&c=2"},
        {"id": "3", "url": "javascript:alert(1)"}]})json",
                        options);
  EXPECT_EQ(feed.link, "https://site.example/");
  ASSERT_EQ(feed.entries.size(), 3u);
  EXPECT_EQ(feed.entries[0].link, "https://site.example/blog/post-1");
  EXPECT_EQ(feed.entries[0].author, "Zoé");
  EXPECT_EQ(feed.entries[0].language, "de");
  EXPECT_EQ(feed.entries[1].link, "https://elsewhere.example/a?b=1&c=2");
  EXPECT_EQ(feed.entries[1].author, "Old 1.0 author");
  EXPECT_EQ(feed.entries[1].language, "fr");
  // A link is data for the reader, never fetched; it is kept as written, like RSS links.
  EXPECT_EQ(feed.entries[2].link, "javascript:alert(1)");
}

TEST(JsonFeedTest, IdsAreCoercedToTextAndMissingIdsFallDownTheLadder) {
  Feed feed = MustParse(R"({"version": "https://jsonfeed.org/version/1", "items": [
      {"id": 42, "url": "https://e.example/a"},
      {"id": 7, "url": "https://e.example/b"}]})");
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[0].id, "42");
  EXPECT_EQ(feed.entries[0].key, "id:42");
  Feed no_ids = MustParse(R"({"version": "https://jsonfeed.org/version/1.1", "items": [
      {"url": "https://e.example/a"}, {"url": "https://e.example/b"}]})");
  ASSERT_EQ(no_ids.entries.size(), 2u);
  EXPECT_EQ(no_ids.entries[0].key, "link:https://e.example/a");
}

TEST(JsonFeedTest, Utf16WithABomAndLatin1MisreadTextAreRepaired) {
  std::string utf8 =
      R"({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "Caf\u00c3\u00a9 cr\u00c3\u00a8me"}]})";
  Feed feed = MustParse(utf8);
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].title, "Café crème");

  std::string ascii =
      R"({"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "Hi"}]})";
  std::string utf16 = "\xFF\xFE";
  for (char c : ascii) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  Feed wide = MustParse(utf16);
  EXPECT_EQ(wide.format, Format::kJson11);
  ASSERT_EQ(wide.entries.size(), 1u);
  EXPECT_EQ(wide.entries[0].title, "Hi");
}

}  // namespace
}  // namespace veille::feed
