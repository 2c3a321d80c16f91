#include "feed/parse.h"

#include <gtest/gtest.h>

#include <string>

namespace veille::feed {
namespace {

Feed MustParse(std::string_view body, ParseOptions options = {}) {
  auto result = ParseFeed(body, options);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  return result ? *result : Feed{};
}

constexpr std::string_view kRss = R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Le Blog Marketing</title>
  <link>https://blog.example.fr/</link>
  <ttl>60</ttl>
  <item>
    <title>Les médias sociaux en 2026</title>
    <link>/posts/medias-sociaux</link>
    <guid isPermaLink="false">post-42</guid>
    <pubDate>Wed, 25 Nov 2026 10:00:00 +0100</pubDate>
    <dc:creator>Jeanne Dupont</dc:creator>
    <category>Stratégie</category>
    <dc:subject>E-réputation</dc:subject>
    <description><![CDATA[<p>Un <b>résumé</b></p><script>track()</script>]]></description>
    <content:encoded><![CDATA[<p>Le texte&nbsp;complet.</p>]]></content:encoded>
  </item>
  <item>
    <title>Second</title>
    <guid>https://blog.example.fr/second</guid>
  </item>
</channel>
</rss>)";

TEST(ParseFeedTest, ReadsEveryFieldOfAnRss20Item) {
  ParseOptions options;
  options.base_url = "https://blog.example.fr/feed.xml";
  Feed feed = MustParse(kRss, options);
  EXPECT_EQ(feed.format, Format::kRss20);
  EXPECT_EQ(feed.title, "Le Blog Marketing");
  EXPECT_EQ(feed.link, "https://blog.example.fr/");
  EXPECT_EQ(feed.ttl_seconds, 3600);
  ASSERT_EQ(feed.entries.size(), 2u);
  const Entry& e = feed.entries[0];
  EXPECT_EQ(e.title, "Les médias sociaux en 2026");
  EXPECT_EQ(e.link, "https://blog.example.fr/posts/medias-sociaux");
  EXPECT_EQ(e.id, "post-42");
  EXPECT_EQ(FormatIso8601(e.published.value_or(0)), "2026-11-25T09:00:00Z");
  EXPECT_EQ(e.author, "Jeanne Dupont");
  EXPECT_EQ(e.summary, "Un résumé");
  EXPECT_EQ(e.content, "Le texte complet.");
  EXPECT_EQ(e.categories, (std::vector<std::string>{"Stratégie", "E-réputation"}));
  EXPECT_EQ(e.key, "id:post-42");
  EXPECT_FALSE(feed.recovered);
}

TEST(ParseFeedTest, UsesAPermalinkGuidAsTheLinkOfAnItemWithoutLink) {
  Feed feed = MustParse(kRss);
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[1].link, "https://blog.example.fr/second");
  EXPECT_EQ(feed.entries[0].link, "/posts/medias-sociaux");  // no base: stays relative
}

constexpr std::string_view kAtom = R"(<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/blog/">
  <title type="html">Brand &lt;b&gt;Watch&lt;/b&gt;</title>
  <link rel="self" href="http://example.org/feed.atom"/>
  <link href="index.html"/>
  <entry>
    <title type="text">1 &lt; 2 &lt;b&gt;</title>
    <id>tag:example.org,2026:1</id>
    <link rel="enclosure" href="a.mp3"/>
    <link rel="alternate" type="text/html" href="posts/1"/>
    <updated>2026-11-25T10:00:00+01:00</updated>
    <published>2026-11-24T10:00:00Z</published>
    <author><name>Ann</name><email>ann@example.org</email></author>
    <category term="marque"/>
    <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello</p><p>world &amp; co</p></div></summary>
    <content type="html">&lt;p&gt;Full &amp;amp; text&lt;/p&gt;</content>
  </entry>
</feed>)";

TEST(ParseFeedTest, ReadsAnAtom10EntryWithTextConstructsAndXmlBase) {
  Feed feed = MustParse(kAtom);
  EXPECT_EQ(feed.format, Format::kAtom10);
  EXPECT_EQ(feed.title, "Brand Watch");
  EXPECT_EQ(feed.link, "http://example.org/blog/index.html");
  ASSERT_EQ(feed.entries.size(), 1u);
  const Entry& e = feed.entries[0];
  EXPECT_EQ(e.title, "1 < 2 <b>");  // type="text" keeps literal markup
  EXPECT_EQ(e.link, "http://example.org/blog/posts/1");
  EXPECT_EQ(e.id, "tag:example.org,2026:1");
  EXPECT_EQ(FormatIso8601(e.updated.value_or(0)), "2026-11-25T09:00:00Z");
  EXPECT_EQ(FormatIso8601(e.published.value_or(0)), "2026-11-24T10:00:00Z");
  EXPECT_EQ(e.author, "Ann");
  EXPECT_EQ(e.summary, "Hello world & co");
  EXPECT_EQ(e.content, "Full & text");
  EXPECT_EQ(e.categories, std::vector<std::string>{"marque"});
}

TEST(ParseFeedTest, ReadsAtom03ModesIncludingBase64) {
  Feed feed = MustParse(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
    <title mode="escaped" type="text/html">A &amp;amp; B</title>
    <entry><title>t</title><issued>2004-01-01T00:00:00Z</issued>
      <modified>2004-01-02T00:00:00Z</modified>
      <content type="text/plain" mode="base64">SGVsbG8gd29ybGQ=</content></entry></feed>)");
  EXPECT_EQ(feed.format, Format::kAtom03);
  EXPECT_EQ(feed.title, "A & B");
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].content, "Hello world");
  EXPECT_EQ(FormatIso8601(feed.entries[0].published.value_or(0)), "2004-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(feed.entries[0].updated.value_or(0)), "2004-01-02T00:00:00Z");
}

// Security review finding 6: base64 text skipped the document's transcoding and was stored as
// raw bytes (invalid UTF-8; feed_fuzz trapped on it).
TEST(ParseFeedTest, Atom03Base64TextIsValidUtf8LikeEveryOtherText) {
  // "/w==" is the single byte 0xFF; "wpsyShE=" is U+009B "2J" U+0011 (CSI, clear, a C0 control).
  Feed feed = MustParse(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
    <entry><title mode="base64">T2ss/w==</title>
      <content type="text/plain" mode="base64">wpsySgI=</content></entry></feed>)");
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].title, "Ok,\xEF\xBF\xBD");
  EXPECT_EQ(feed.entries[0].content, "2J");
}

// Security review finding 6: windows-1252 has no character at 0x81, 0x8D, 0x8F, 0x90 and 0x9D,
// so those C1 controls (raw, or as character references) stayed in titles.
TEST(ParseFeedTest, NoC1ControlReachesAnyText) {
  Feed feed = MustParse(
      "<rss version=\"2.0\"><channel><title>C\xC2\x90\xC2\x9D\xC2\x81"
      "</title><item><title>a\xC2\x90"
      "b&#x9D;c&#144;d\xC2\x9B"
      "e</title><description>&lt;p&gt;x&amp;#x8F;y\xC2\x8D"
      "z&lt;/p&gt;</description><guid>1</guid></item></channel></rss>");
  EXPECT_EQ(feed.title, "C");
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].title,
            "abcd\xE2\x80\xBA"
            "e");  // 0x9B is windows-1252's U+203A
  EXPECT_EQ(feed.entries[0].summary, "xyz");
}

TEST(ParseFeedTest, ReadsRss10ItemsThatAreSiblingsOfTheChannel) {
  Feed feed = MustParse(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/" xmlns:d="http://purl.org/dc/elements/1.1/">
    <channel rdf:about="http://x/"><title>R</title><link>http://x/</link></channel>
    <image><title>Logo</title><link>http://x/logo</link></image>
    <item rdf:about="http://x/1"><title>One</title><link>http://x/1</link>
      <d:date>2003-12-13T18:30:02Z</d:date><d:creator>Bob</d:creator></item>
  </rdf:RDF>)");
  EXPECT_EQ(feed.format, Format::kRss10);
  EXPECT_EQ(feed.title, "R");
  EXPECT_EQ(feed.link, "http://x/");
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].id, "http://x/1");
  EXPECT_EQ(feed.entries[0].author, "Bob");  // any prefix bound to Dublin Core
  EXPECT_FALSE(feed.entries[0].published.has_value());
  EXPECT_EQ(FormatIso8601(feed.entries[0].updated.value_or(0)), "2003-12-13T18:30:02Z");
}

TEST(ParseFeedTest, DetectsRss09xFromTheVersionAndTheNetscapeNamespace) {
  EXPECT_EQ(MustParse(R"(<rss version="0.91"><channel><title>x</title></channel></rss>)").format,
            Format::kRss09x);
  EXPECT_EQ(MustParse(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>x</title></channel></rdf:RDF>)")
                .format,
            Format::kRss09x);
}

TEST(ParseFeedTest, RecoversHtmlEntitiesBareAmpersandsAndLeadingJunk) {
  Feed feed = MustParse(
      "\n\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
      "<title>Caf&eacute; &amp; th&eacute; &rsquo;P&G&rsquo;</title>"
      "<item><title>x</title><link>http://x/?a=1&b=2</link></item>"
      "</channel></rss>");
  EXPECT_EQ(feed.title, "Café & thé ’P&G’");
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].link, "http://x/?a=1&b=2");
}

TEST(ParseFeedTest, KeepsOnlyCompleteEntriesOfATruncatedDocumentAndMarksItRecovered) {
  Feed feed = MustParse(
      "<rss version=\"2.0\"><channel><title>t</title>"
      "<item><title>complete</title></item>"
      "<item><title>cut in the midd");
  EXPECT_TRUE(feed.recovered);
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].title, "complete");
  EXPECT_FALSE(feed.warnings.empty());
}

TEST(ParseFeedTest, RejectsDocumentsThatAreNotFeeds) {
  auto empty = ParseFeed("  \n", {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kParse);
  EXPECT_EQ(empty.error().message, "empty body");
  auto html = ParseFeed("<note><to>x</to></note>", {});
  ASSERT_FALSE(html.has_value());
  EXPECT_EQ(html.error().message, "not a feed: root element <note>");
}

TEST(ParseFeedTest, EnforcesTheSizeAndEntryLimits) {
  ParseOptions small;
  small.max_bytes = 10;
  EXPECT_FALSE(ParseFeed("<rss><channel></channel></rss>", small).has_value());
  ParseOptions few;
  few.max_entries = 2;
  Feed feed = MustParse(
      "<rss><channel><item><guid>1</guid></item><item><guid>2</guid></item>"
      "<item><guid>3</guid></item></channel></rss>",
      few);
  EXPECT_EQ(feed.entries.size(), 2u);
  EXPECT_FALSE(feed.warnings.empty());
}

TEST(ParseFeedTest, RejectsADocumentWithTooManyElements) {
  ParseOptions options;
  options.max_elements = 100;
  std::string doc = "<rss><channel>";
  for (int i = 0; i < 200; ++i) doc += "<item><title>t</title></item>";
  doc += "</channel></rss>";
  auto result = ParseFeed(doc, options);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "document has more than 100 elements");
}

TEST(ParseFeedTest, SurvivesAVeryDeeplyNestedDocument) {
  std::string doc = "<rss><channel><item><title>t</title><description>";
  for (int i = 0; i < 100000; ++i) doc += "<div>";
  doc += "deep";
  for (int i = 0; i < 100000; ++i) doc += "</div>";
  doc += "</description></item></channel></rss>";
  Feed feed = MustParse(doc);
  ASSERT_EQ(feed.entries.size(), 1u);
  EXPECT_EQ(feed.entries[0].summary, "deep");
}

TEST(ParseFeedTest, ReadsPollHintsFromTtlAndSyndicationTakingTheLonger) {
  Feed sy = MustParse(R"(<rss xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
      <sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>
      </channel></rss>)");
  EXPECT_EQ(sy.ttl_seconds, 43200);
  Feed both = MustParse(R"(<rss xmlns:s="http://purl.org/rss/1.0/modules/syndication/"><channel>
      <ttl>1440</ttl><s:updatePeriod>hourly</s:updatePeriod></channel></rss>)");
  EXPECT_EQ(both.ttl_seconds, 86400);
  EXPECT_FALSE(MustParse("<rss><channel><ttl>soon</ttl></channel></rss>").ttl_seconds.has_value());
}

TEST(ParseFeedTest, HonoursTheHttpCharset) {
  ParseOptions options;
  options.content_type = "application/rss+xml; charset=iso-8859-1";
  Feed feed = MustParse(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>caf\xE9"
      "</title></channel></rss>",
      options);
  EXPECT_EQ(feed.title, "café");
  EXPECT_FALSE(feed.encoding_suspect);  // the HTTP charset was right
}

TEST(ParseFeedTest, ADocumentWhoseBytesLieAboutTheirEncodingIsEncodingSuspect) {
  Feed feed = MustParse(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>caf\xE9"
      "</title></channel></rss>");
  EXPECT_EQ(feed.title, "café");
  EXPECT_EQ(feed.encoding_suspect, "bytes that are not UTF-8 were read as windows-1252");
}

TEST(ParseFeedTest, NamespacesAndBasesResolveThroughManyAttributesAndScopes) {
  // Security review, finding 3: the lookups are resolved once per document (DocumentIndex);
  // the result must be what the ancestor walk gave, including redeclared prefixes and bases.
  std::string attrs;
  for (int i = 0; i < 2000; ++i) attrs += " a" + std::to_string(i) + "=\"\"";
  std::string body = "<rss version=\"2.0\"" + attrs +
                     " xmlns:d=\"urn:other\"><channel xml:base=\"https://ex.fr/a/\">"
                     "<item xmlns:d=\"http://purl.org/dc/elements/1.1/\" xml:base=\"b/\">"
                     "<d:creator>Alice</d:creator><link>c</link></item>"
                     "<item><d:creator>Bob</d:creator><link>c</link><title>t</title></item>";
  for (int i = 0; i < 2000; ++i) body += "<x/>";
  body += "</channel></rss>";
  Feed feed = MustParse(body);
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[0].author.value_or(""), "Alice");
  EXPECT_EQ(feed.entries[0].link.value_or(""), "https://ex.fr/a/b/c");
  EXPECT_FALSE(feed.entries[1].author.has_value());  // d: is not Dublin Core there
  EXPECT_EQ(feed.entries[1].link.value_or(""), "https://ex.fr/a/c");
}

// veilled's parse workers stop a parse between its stages when the daemon stops (finding 3).
TEST(ParseFeedTest, ACancelledParseStopsAtItsNextStage) {
  const std::string rss =
      "<rss version=\"2.0\"><channel><title>T</title><item><title>a</title><guid>1</guid></item>"
      "</channel></rss>";
  ParseOptions options;
  int asked = 0;
  options.cancelled = [&asked] {
    ++asked;
    return false;
  };
  ASSERT_TRUE(ParseFeed(rss, options));
  EXPECT_GE(asked, 4) << "decoding, repair, tree and extraction each end with a check";
  for (int stop_at = 1; stop_at <= asked; ++stop_at) {
    int calls = 0;
    options.cancelled = [&calls, stop_at] { return ++calls >= stop_at; };
    auto r = ParseFeed(rss, options);
    ASSERT_FALSE(r) << "stop at check " << stop_at;
    EXPECT_EQ(r.error().message, "parse cancelled");
    EXPECT_EQ(calls, stop_at) << "nothing more is done once cancelled";
  }
}

}  // namespace
}  // namespace veille::feed
