#include "config/search.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace veille::config {
namespace {

Result<Config> Parse(const std::string& text) {
  return ParseConfig(text, "/etc/veille/veille.toml");
}

TEST(SearchTest, PercentEncodesEverythingOutsideTheUnreservedSet) {
  EXPECT_EQ(PercentEncode("\"L'Oréal\" OR Lancôme"), "%22L%27Or%C3%A9al%22%20OR%20Lanc%C3%B4me");
  EXPECT_EQ(PercentEncode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(PercentEncode("&q=x#y/z?"), "%26q%3Dx%23y%2Fz%3F");
}

TEST(SearchTest, BuildsTheDocumentedUrlOfEachSource) {
  EXPECT_EQ(*SearchUrl("google-news", "Orélia", "fr", "FR"),
            "https://news.google.com/rss/search?q=Or%C3%A9lia&hl=fr&gl=FR&ceid=FR:fr");
  EXPECT_EQ(*SearchUrl("google-news", "Orélia", "", ""),
            "https://news.google.com/rss/search?q=Or%C3%A9lia&hl=en&gl=US&ceid=US:en");
  EXPECT_EQ(*SearchUrl("bing-news", "\"Orélia\"", "fr", "FR"),
            "https://www.bing.com/news/search?q=%22Or%C3%A9lia%22&format=rss&setlang=fr&cc=FR");
  EXPECT_EQ(*SearchUrl("bing-news", "a b", "", ""),
            "https://www.bing.com/news/search?q=a%20b&format=rss");
  EXPECT_EQ(*SearchUrl("reddit", "Orélia", "fr", "FR"),
            "https://www.reddit.com/search.rss?q=Or%C3%A9lia&sort=new");
  EXPECT_EQ(*SearchUrl("hacker-news", "veille rss", "", ""),
            "https://hnrss.org/newest?q=veille%20rss");
  EXPECT_EQ(*SearchUrl("mastodon:mastodon.social", "#Orélia", "", ""),
            "https://mastodon.social/tags/Or%C3%A9lia.rss");
  EXPECT_EQ(*SearchUrl("mastodon:piaille.fr", "orelia_2026", "", ""),
            "https://piaille.fr/tags/orelia_2026.rss");
}

TEST(SearchTest, AQueryCannotChooseWhereTheRequestGoes) {
  // Everything that could end the parameter or the path is encoded.
  auto url = SearchUrl("hacker-news", "x&points=1#@evil.example/", "", "");
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, "https://hnrss.org/newest?q=x%26points%3D1%23%40evil.example%2F");
  // A hashtag is letters, digits and '_': no path, no query, no fragment.
  for (const char* bad : {"../admin", "tag?x=1", "a b", "#", ""}) {
    auto r = SearchUrl("mastodon:mastodon.social", bad, "", "");
    EXPECT_FALSE(r) << bad;
  }
  // An instance is a plain host name.
  for (const char* bad : {"mastodon:", "mastodon:user@evil.example", "mastodon:host:8080",
                          "mastodon:evil.example/x", "mastodon:localhost", "mastodon:.a.b"}) {
    EXPECT_FALSE(SearchUrl(bad, "tag", "", "")) << bad;
  }
}

TEST(SearchTest, AnUnknownSourceSuggestsTheClosestName) {
  auto r = SearchUrl("gogle-news", "x", "", "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "unknown search source \"gogle-news\" (did you mean \"google-news\"?); "
            "`veille sources` lists them");
  EXPECT_FALSE(SearchUrl("reddit:old.reddit.com", "x", "", ""));
}

TEST(SearchTest, ASearchBlockBecomesOneFeedPerSource) {
  auto c = Parse(R"([[search]]
query = "Orélia"
sources = ["google-news", "hacker-news", "mastodon:mastodon.social"]
language = "fr"
country = "FR"
interval = "15m"
tags = ["marque"]
priority = "high"
)");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->feeds.size(), 3u);
  EXPECT_EQ(c->feeds[0].name, "Orélia · google-news");
  EXPECT_EQ(c->feeds[0].url,
            "https://news.google.com/rss/search?q=Or%C3%A9lia&hl=fr&gl=FR&ceid=FR:fr");
  EXPECT_EQ(c->feeds[0].search_source, "google-news");
  EXPECT_EQ(c->feeds[1].name, "Orélia · hacker-news");
  EXPECT_EQ(c->feeds[2].name, "Orélia · mastodon:mastodon.social");
  EXPECT_EQ(c->feeds[2].url, "https://mastodon.social/tags/Or%C3%A9lia.rss");
  for (const FeedEntry& f : c->feeds) {
    EXPECT_EQ(f.interval_s, 900);
    EXPECT_EQ(f.tags, std::vector<std::string>{"marque"});
    EXPECT_TRUE(f.high_priority);
    EXPECT_EQ(f.line, 1);
  }
}

TEST(SearchTest, ANamedSearchNamesItsFeeds) {
  auto c = Parse(R"([[search]]
name = "Orélia presse"
query = '"Orélia" -emploi'
sources = ["bing-news"]
)");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->feeds.size(), 1u);
  EXPECT_EQ(c->feeds[0].name, "Orélia presse · bing-news");
  EXPECT_EQ(c->feeds[0].url,
            "https://www.bing.com/news/search?q=%22Or%C3%A9lia%22%20-emploi&format=rss");
}

TEST(SearchTest, ConfigErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"\n[[search]]\nquery = \"x\"\nsources = [\"gogle-news\"]\n",
       "/etc/veille/veille.toml:4: unknown search source \"gogle-news\" (did you mean "
       "\"google-news\"?); `veille sources` lists them"},
      {"[[search]]\nsources = [\"reddit\"]\n",
       "/etc/veille/veille.toml:1: [[search]] needs a non-empty 'query'"},
      {"[[search]]\nquery = \"x\"\n",
       "/etc/veille/veille.toml:1: [[search]] needs 'sources', e.g. [\"google-news\"]"},
      {"[[search]]\nquery = \"x\"\nsources = [\"reddit\"]\nlanguage = \"French\"\n",
       "/etc/veille/veille.toml:4: 'language' must be a two-letter code such as \"fr\""},
      {"[[search]]\nquery = \"x\"\nsources = [\"reddit\"]\ncountry = \"fr\"\n",
       "/etc/veille/veille.toml:4: 'country' must be a two-letter code such as \"FR\""},
      {"[[search]]\nquery = \"x\"\nsources = [\"reddit\"]\nurl = \"https://a.example/\"\n",
       "/etc/veille/veille.toml:4: unknown key 'url' in [[search]]"},
      {"[[search]]\nquery = \"x\"\nsources = [\"reddit\", \"reddit\"]\n",
       "/etc/veille/veille.toml:1: feed 'https://www.reddit.com/search.rss?q=x&sort=new' is "
       "listed twice"},
  };
  for (const Case& c : cases) {
    auto r = Parse(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().message, c.error) << c.text;
  }
}

TEST(SearchTest, EverySourceIsListedWithItsTemplate) {
  std::vector<std::string_view> names;
  for (const SearchSource& s : SearchSources()) {
    names.push_back(s.name);
    EXPECT_FALSE(s.url_template.empty());
    EXPECT_FALSE(s.notes.empty());
  }
  EXPECT_EQ(names, (std::vector<std::string_view>{"google-news", "bing-news", "reddit",
                                                  "hacker-news", "mastodon"}));
}

}  // namespace
}  // namespace veille::config
