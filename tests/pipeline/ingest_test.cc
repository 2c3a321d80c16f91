#include "pipeline/ingest.h"

#include <gtest/gtest.h>

#include "feed/parse.h"

namespace veille::pipeline {
namespace {

TEST(IngestTest, TruncationNeverSplitsAUtf8Sequence) {
  EXPECT_EQ(TruncateUtf8("abcdef", 10), "abcdef");
  EXPECT_EQ(TruncateUtf8("abcdef", 3), "abc");
  EXPECT_EQ(TruncateUtf8("aé", 2), "a");  // é is two bytes: cut before it
  EXPECT_EQ(TruncateUtf8("a€b", 3), "a");
}

TEST(IngestTest, OnlyNewEntriesAreMatchedAndEachKeyOnce) {
  auto matcher = match::Matcher::Compile({{"marque", "brand", "Orélia", ""}});
  ASSERT_TRUE(matcher) << matcher.error().message;
  feed::Feed f;
  for (const char* key : {"a", "b", "b", "c"}) {
    feed::Entry e;
    e.key = key;
    e.title = std::string("Orélia ") + key;
    f.entries.push_back(e);
  }
  config::FeedEntry fc;
  fc.name = "F";
  RuleRouting routing;
  routing.channels = {{"journal"}};
  auto records = NewEntryRecords(f, {"a"}, fc, **matcher, routing);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "b");
  EXPECT_EQ(records[1].key, "c");
  ASSERT_EQ(records[0].mentions.size(), 1u);
  EXPECT_EQ(records[0].mentions[0].rule, "marque");
  EXPECT_EQ(records[0].mentions[0].channels, std::vector<std::string>{"journal"});
}

TEST(IngestTest, AHugeTitleIsBoundedBeforeMatchingAndStorage) {
  auto matcher = match::Matcher::Compile({{"marque", "brand", "Orélia", ""}});
  ASSERT_TRUE(matcher);
  feed::Feed f;
  feed::Entry e;
  e.key = "k";
  e.title = std::string(5000, 'x') + " Orélia";
  f.entries.push_back(e);
  auto records = NewEntryRecords(f, {}, config::FeedEntry{}, **matcher, RuleRouting{});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_LE(records[0].title->size(), kMaxTitleBytes);
  EXPECT_TRUE(records[0].mentions.empty()) << "the brand beyond the cut is not matched";
}

// A WordPress feed: <description> holds the first words of <content:encoded>, cut with "[…]",
// and the "The post … appeared first on …" footer. The snippet quotes the sentence once.
TEST(IngestTest, AWordPressTeaserIsNotQuotedTwiceInTheSnippet) {
  const std::string rss = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Le Blog Conso</title><link>https://blog.example/</link>
<item><title>Consigne : le grand retour</title><link>https://blog.example/consigne</link>
<guid>https://blog.example/?p=42</guid>
<description><![CDATA[<p>La marque Alpéa relance la consigne du verre en Bretagne. Les bouteilles &#8230; [&hellip;]</p>
<p>The post <a href="https://blog.example/consigne">Consigne : le grand retour</a> appeared first on <a href="https://blog.example">Le Blog Conso</a>.</p>]]></description>
<content:encoded><![CDATA[<p>La marque Alpéa relance la consigne du verre en Bretagne. Les bouteilles sont reprises en magasin.</p>
<p>Le dispositif sera étendu en 2027.</p>]]></content:encoded>
</item></channel></rss>)";
  auto parsed = feed::ParseFeed(rss, feed::ParseOptions{});
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->entries.size(), 1u);
  ASSERT_TRUE(parsed->entries[0].summary && parsed->entries[0].content);
  auto matcher = match::Matcher::Compile({{"marque", "brand", "Alpéa", ""}});
  ASSERT_TRUE(matcher);
  auto records = NewEntryRecords(*parsed, {}, config::FeedEntry{}, **matcher, RuleRouting{});
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(records[0].mentions.size(), 1u);
  const std::string& snippet = records[0].mentions[0].snippet;
  const std::string sentence = "relance la consigne du verre";
  ASSERT_NE(snippet.find(sentence), std::string::npos) << snippet;
  EXPECT_EQ(snippet.find(sentence, snippet.find(sentence) + 1), std::string::npos) << snippet;
  EXPECT_EQ(records[0].mentions[0].highlights.size(), 1u) << snippet;
  EXPECT_EQ(EntryText(records[0]), *records[0].content);
  // Both fields are still stored as the feed gave them.
  EXPECT_NE(records[0].summary->find("appeared first on"), std::string::npos);
}

}  // namespace
}  // namespace veille::pipeline
