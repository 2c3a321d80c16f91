#include "pipeline/ingest.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string>

#include "archive/document.h"
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
  auto records =
      NewEntryRecords(f, {{"a", StoredContentHash(f.entries[0])}}, fc, **matcher, routing);
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
  EXPECT_EQ(archive::MatchText(records[0]), *records[0].content);
  // Both fields are still stored as the feed gave them.
  EXPECT_NE(records[0].summary->find("appeared first on"), std::string::npos);
}

TEST(IngestTest, EachEntryGetsItsDeclaredOrDetectedLanguageAndLangRulesSeeIt) {
  // A feed that declares nothing: one French entry, one English, one too short to tell.
  const std::string rss = R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Sans langue</title><link>https://news.example/</link>
<item><guid>fr</guid><title>Orélia ouvre une usine à Lyon</title>
<description>La marque Orélia annonce l'ouverture d'une nouvelle usine près de Lyon, qui emploiera trois cents personnes d'ici la fin de l'année.</description></item>
<item><guid>en</guid><title>Orélia opens a plant in Lyon</title>
<description>The brand Orélia announced on Tuesday that it will open a new plant near Lyon, which will employ three hundred people by the end of the year.</description></item>
<item><guid>short</guid><title>Orélia</title></item>
<item xml:lang="it"><guid>declared</guid><title>Orélia a Lione</title></item>
</channel></rss>)";
  auto parsed = feed::ParseFeed(rss, feed::ParseOptions{});
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto matcher = match::Matcher::Compile({{"fr", "brand", "Orélia lang:fr", ""}});
  ASSERT_TRUE(matcher) << matcher.error().message;
  auto records = NewEntryRecords(*parsed, {}, config::FeedEntry{}, **matcher, RuleRouting{});
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].language, "fr");
  EXPECT_EQ(records[0].language_source, "detected");
  EXPECT_EQ(records[0].mentions.size(), 1u);  // lang:fr on a detected language
  EXPECT_EQ(records[1].language, "en");
  EXPECT_EQ(records[1].language_source, "detected");
  EXPECT_TRUE(records[1].mentions.empty());
  EXPECT_EQ(records[2].language, std::nullopt);
  EXPECT_EQ(records[2].language_source, std::nullopt);
  EXPECT_EQ(records[3].language, "it");
  EXPECT_EQ(records[3].language_source, "declared");
}

TEST(IngestTest, AFeedLanguageTheTextContradictsIsReplacedByTheDetectedOne) {
  const auto feed_declaring = [](const std::string& language) {
    return R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Blog</title><link>https://blog.example/</link>
<language>)" +
           language + R"(</language>
<item><guid>1</guid><title>Retards de livraison chez Orélia</title>
<description>Les consommateurs se plaignent de retards de livraison depuis le lancement de la nouvelle gamme, et les associations demandent des explications au fabricant.</description></item>
<item><guid>2</guid><title>Orélia ouvre une usine à Lyon</title>
<description>La marque annonce l'ouverture d'une nouvelle usine près de Lyon, qui emploiera trois cents personnes d'ici la fin de l'année.</description></item>
<item xml:lang="de"><guid>3</guid><title>Orélia eröffnet ein Werk</title></item>
</channel></rss>)";
  };
  auto matcher = match::Matcher::Compile({{"fr", "brand", "Orélia lang:fr", ""}});
  ASSERT_TRUE(matcher) << matcher.error().message;
  auto wrong = feed::ParseFeed(feed_declaring("en-US"), feed::ParseOptions{});
  ASSERT_TRUE(wrong) << wrong.error().message;
  EXPECT_EQ(CheckedFeedLanguage(*wrong), "");
  auto records = NewEntryRecords(*wrong, {}, config::FeedEntry{}, **matcher, RuleRouting{});
  ASSERT_EQ(records.size(), 3u);
  for (std::size_t i : {0u, 1u}) {
    EXPECT_EQ(records[i].language, "fr") << i;
    EXPECT_EQ(records[i].language_source, "detected") << i;
    EXPECT_EQ(records[i].mentions.size(), 1u) << i;
  }
  EXPECT_EQ(records[2].language, "de");  // its own declaration stands
  EXPECT_EQ(records[2].language_source, "declared");

  auto right = feed::ParseFeed(feed_declaring("fr-FR"), feed::ParseOptions{});
  ASSERT_TRUE(right);
  EXPECT_EQ(CheckedFeedLanguage(*right), "fr-FR");
  records = NewEntryRecords(*right, {}, config::FeedEntry{}, **matcher, RuleRouting{});
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].language, "fr-FR");
  EXPECT_EQ(records[0].language_source, "declared");
  EXPECT_EQ(records[0].mentions.size(), 1u);
}

// RELIABILITY.md C9, golden cases: a keyword only in markup (a tag, an attribute, a comment, a
// script or style body, CDATA's HTML) or only in a URL is no mention for a bare term, which looks
// at the title and the text after HTML stripping (docs/query-language.md, "Fields"); `link:`
// reads the words of the entry link, as documented. The controls show the keyword is found
// when it is visible text, markup around it or not.
TEST(IngestTest, AKeywordOnlyInMarkupOrUrlsIsNoMentionGoldenCases) {
  struct Case {
    const char* guid;
    const char* link;
    const char* description;  // inside CDATA: HTML as a feed sends it
    bool bare;                // the rule `zorblax`
    bool link_rule;           // the rule `link:zorblax`
  };
  const Case cases[] = {
      {"href", "https://news.example/a",
       R"(<p>See <a href="https://zorblax.example/p">the product page</a>.</p>)", false, false},
      {"img", "https://news.example/b",
       R"(<p>A photo <img src="/zorblax.jpg" title="x" /> of the shop.</p>)", false, false},
      {"class", "https://news.example/c",
       R"(<p><span class="zorblax" data-brand="zorblax">Plain words</span> only.</p>)", false,
       false},
      {"tag", "https://news.example/d",
       R"(<zorblax>The text of an unknown element</zorblax> is kept.)", false, false},
      {"comment", "https://news.example/e", R"(<p>Visible text.</p><!-- zorblax tracking -->)",
       false, false},
      {"script", "https://news.example/f",
       R"(<p>Visible.</p><script>var brand = "zorblax";</script>)", false, false},
      {"style", "https://news.example/g",
       R"(<style>.zorblax { color: red }</style><p>Visible.</p>)", false, false},
      {"link-only", "https://news.example/zorblax-launch", R"(<p>Nothing about it here.</p>)",
       false, true},
      {"visible", "https://news.example/h", R"(<p>The <b>zorblax</b> launch.</p>)", true, false},
      {"link-text", "https://news.example/i",
       R"(<a href="https://news.example/">zorblax</a> in a link's text)", true, false},
  };
  std::string rss = R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Markup</title><link>https://news.example/</link>
)";
  for (const Case& c : cases) {
    rss += std::string("<item><guid isPermaLink=\"false\">") + c.guid + "</guid><title>Case " +
           c.guid + "</title><link>" + c.link + "</link><description><![CDATA[" + c.description +
           "]]></description></item>\n";
  }
  rss += "</channel></rss>\n";
  auto parsed = feed::ParseFeed(rss, feed::ParseOptions{});
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto matcher = match::Matcher::Compile(
      {{"bare", "brand", "zorblax", ""}, {"in_link", "brand", "link:zorblax", ""}});
  ASSERT_TRUE(matcher) << matcher.error().message;
  auto records = NewEntryRecords(*parsed, {}, config::FeedEntry{}, **matcher, RuleRouting{});
  ASSERT_EQ(records.size(), std::size(cases));
  for (std::size_t i = 0; i < records.size(); ++i) {
    bool bare = false;
    bool link_rule = false;
    for (const auto& m : records[i].mentions) {
      bare |= m.rule == "bare";
      link_rule |= m.rule == "in_link";
    }
    EXPECT_EQ(records[i].guid, cases[i].guid);
    EXPECT_EQ(bare, cases[i].bare) << cases[i].guid << ": " << archive::MatchText(records[i]);
    EXPECT_EQ(link_rule, cases[i].link_rule)
        << cases[i].guid << ": " << archive::MatchText(records[i]);
  }
}

// RELIABILITY.md C4: a stored key with the same hash costs a comparison and yields nothing; one
// with another hash is an edit, matched again; one stored without a hash of this version is
// hashed again quietly (no text, no match); an unknown key is new.
TEST(IngestTest, StoredKeysAreComparedByHashAndOnlyEditsAndNewEntriesAreMatched) {
  auto matcher = match::Matcher::Compile({{"marque", "brand", "Orélia", ""}});
  ASSERT_TRUE(matcher);
  feed::Feed f;
  for (const char* key : {"same", "edited", "legacy", "old-version", "new"}) {
    feed::Entry e;
    e.key = key;
    e.title = std::string("Orélia ") + key;
    e.summary = "text";
    f.entries.push_back(e);
  }
  const std::int64_t same = StoredContentHash(f.entries[0]);
  EXPECT_EQ(same, store::EntryContentHash("Orélia same", "text", ""));
  const std::int64_t other_version = same & ((std::int64_t{1} << 56) - 1);
  const store::StoredHashes stored = {{"same", same},
                                      {"edited", store::EntryContentHash("Old title", "text", "")},
                                      {"legacy", std::nullopt},
                                      {"old-version", other_version}};
  RuleRouting routing;
  routing.channels = {{"journal"}};
  auto records = NewEntryRecords(f, stored, config::FeedEntry{}, **matcher, routing);
  ASSERT_EQ(records.size(), 4u);
  using Change = store::EntryRecord::Change;
  EXPECT_EQ(records[0].key, "edited");
  EXPECT_EQ(records[0].change, Change::kEdited);
  EXPECT_EQ(records[0].title, "Orélia edited");
  EXPECT_EQ(records[0].content_hash, StoredContentHash(f.entries[1]));
  ASSERT_EQ(records[0].mentions.size(), 1u);  // the commit keeps only a rule new to the entry
  for (std::size_t i : {1u, 2u}) {
    EXPECT_EQ(records[i].change, Change::kRehash) << records[i].key;
    EXPECT_EQ(records[i].content_hash, StoredContentHash(f.entries[i + 1]));
    EXPECT_FALSE(records[i].title) << "a rehash carries no text";
    EXPECT_TRUE(records[i].mentions.empty());
  }
  EXPECT_EQ(records[1].key, "legacy");
  EXPECT_EQ(records[2].key, "old-version");
  EXPECT_EQ(records[3].key, "new");
  EXPECT_EQ(records[3].change, Change::kNew);
  EXPECT_EQ(records[3].mentions.size(), 1u);
}

// The hash is of what is stored: text past the bounds does not count, a title cut inside a UTF-8
// sequence hashes like the stored one.
TEST(IngestTest, TheContentHashIsOfTheBoundedTextAsStored) {
  feed::Entry a;
  a.title = std::string(kMaxTitleBytes - 1, 'x') + "é tail one";
  a.content = std::string(kMaxTextBytes, 'y') + " tail one";
  feed::Entry b = a;
  b.title = std::string(kMaxTitleBytes - 1, 'x') + "é tail two";
  b.content = std::string(kMaxTextBytes, 'y') + " tail two";
  EXPECT_EQ(StoredContentHash(a), StoredContentHash(b));
  const store::EntryRecord stored = EntryRecordFrom(a, feed::Feed{});
  EXPECT_EQ(StoredContentHash(a),
            store::EntryContentHash(*stored.title, stored.summary.value_or(""), *stored.content));
  b.content = std::string(kMaxTextBytes - 1, 'y') + "z";
  EXPECT_NE(StoredContentHash(a), StoredContentHash(b));
}

// ParseAndMatch's TakeNewEntryRecords moves the entries' text into the records: the same
// records as NewEntryRecords, with a stored entry, an edited one, a key repeated in the
// document, a feed language checked on every entry's text (read before any is taken).
TEST(IngestTest, TakingTheEntriesTextGivesTheSameRecords) {
  const std::string rss = R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Blog</title><link>https://blog.example/</link><language>en</language>
<item><guid>https://blog.example/1?utm_source=x</guid><title>Orélia ouvre une usine à Lyon</title>
<author>Ana</author><category>usine</category><category>Lyon</category>
<description>La marque Orélia annonce l'ouverture d'une nouvelle usine près de Lyon, qui emploiera trois cents personnes d'ici la fin de l'année.</description>
<content:encoded><![CDATA[<p>La marque Orélia annonce l'ouverture d'une nouvelle usine. Lire la suite</p>]]></content:encoded></item>
<item><guid>2</guid><title>Déjà enregistrée</title><description>Les salariés d'Orélia attendent la décision du conseil régional sur les aides promises au projet.</description></item>
<item><guid>3</guid><title>Modifiée par l'éditeur</title><description>Orélia précise que le chantier commencera au printemps et durera environ deux ans.</description></item>
<item xml:lang="de"><guid>4</guid><title>Orélia eröffnet ein Werk</title></item>
</channel></rss>)";
  auto parsed = feed::ParseFeed(rss, feed::ParseOptions{});
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->entries.size(), 4u);
  parsed->entries.push_back(parsed->entries[0]);  // its key again: taken once
  parsed->entries.back().title = "The same key again";
  auto matcher = match::Matcher::Compile(
      {{"marque", "brand", "Orélia", ""}, {"fr", "brand", "usine lang:fr", ""}});
  ASSERT_TRUE(matcher) << matcher.error().message;
  store::StoredHashes stored;
  stored[parsed->entries[1].key] = StoredContentHash(parsed->entries[1]);
  stored[parsed->entries[2].key] = StoredContentHash(parsed->entries[1]);  // another version
  ASSERT_TRUE(store::IsCurrentContentHash(*stored[parsed->entries[2].key]));
  config::FeedEntry fc;
  fc.name = "Blog";
  RuleRouting routing;
  routing.channels = {{"journal"}, {}};
  const auto copied = NewEntryRecords(*parsed, stored, fc, **matcher, routing);
  const auto taken = TakeNewEntryRecords(*parsed, stored, fc, **matcher, routing);
  ASSERT_EQ(copied.size(), 3u);
  ASSERT_EQ(taken.size(), copied.size());
  for (std::size_t i = 0; i < copied.size(); ++i) {
    const store::EntryRecord& a = copied[i];
    const store::EntryRecord& b = taken[i];
    EXPECT_EQ(a.key, b.key) << i;
    EXPECT_EQ(a.guid, b.guid) << i;
    EXPECT_EQ(a.link, b.link) << i;
    EXPECT_EQ(a.canonical_link, b.canonical_link) << i;
    EXPECT_EQ(a.title, b.title) << i;
    EXPECT_EQ(a.author, b.author) << i;
    EXPECT_EQ(a.published_at, b.published_at) << i;
    EXPECT_EQ(a.summary, b.summary) << i;
    EXPECT_EQ(a.content, b.content) << i;
    EXPECT_EQ(a.categories, b.categories) << i;
    EXPECT_EQ(a.language, b.language) << i;
    EXPECT_EQ(a.language_source, b.language_source) << i;
    EXPECT_EQ(a.content_hash, b.content_hash) << i;
    EXPECT_EQ(a.change, b.change) << i;
    ASSERT_EQ(a.mentions.size(), b.mentions.size()) << i;
    for (std::size_t m = 0; m < a.mentions.size(); ++m) {
      EXPECT_EQ(a.mentions[m].rule, b.mentions[m].rule) << i;
      EXPECT_EQ(a.mentions[m].terms, b.mentions[m].terms) << i;
      EXPECT_EQ(a.mentions[m].snippet, b.mentions[m].snippet) << i;
      EXPECT_EQ(a.mentions[m].highlights, b.mentions[m].highlights) << i;
      EXPECT_EQ(a.mentions[m].channels, b.mentions[m].channels) << i;
    }
  }
  EXPECT_EQ(copied[0].key, parsed->entries[0].key);
  EXPECT_EQ(copied[1].change, store::EntryRecord::Change::kEdited);
  EXPECT_EQ(copied[0].categories.size(), 2u);
  EXPECT_EQ(copied[0].language, "fr");
  EXPECT_EQ(copied[0].mentions.size(), 2u);  // the checked feed language saw every text
  EXPECT_EQ(copied[2].language, "de");
  // The text went into the records; the keys stayed.
  EXPECT_EQ(parsed->entries[0].key, copied[0].key);
  EXPECT_TRUE(parsed->entries[1].summary && !parsed->entries[1].summary->empty());  // stored
}

}  // namespace
}  // namespace veille::pipeline
