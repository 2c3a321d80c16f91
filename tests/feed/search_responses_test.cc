// Saved responses written by hand in the shape each [[search]] source serves (docs/sources.md):
// the feeds a search block polls parse into entries like any feed. No network.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "feed/parse.h"

namespace veille::feed {
namespace {

Feed ParseSaved(const std::string& name, const std::string& url) {
  const std::filesystem::path path =
      std::filesystem::path(VEILLE_SOURCE_DIR) / "tests" / "feed" / "search_responses" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ParseOptions options;
  options.base_url = url;
  auto feed = ParseFeed(body, options);
  EXPECT_TRUE(feed) << name << ": " << (feed ? "" : feed.error().message);
  return feed ? *feed : Feed{};
}

TEST(SearchResponsesTest, GoogleNews) {
  Feed f = ParseSaved("google-news.xml",
                      "https://news.google.com/rss/search?q=Or%C3%A9lia&hl=fr&gl=FR&ceid=FR:fr");
  EXPECT_EQ(f.format, Format::kRss20);
  EXPECT_EQ(f.language, "fr");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].title, "Orélia ouvre une usine à Lyon - Le Progrès");
  // The description is an HTML fragment: turned into text, the &nbsp; collapsed.
  EXPECT_EQ(f.entries[0].summary, "Orélia ouvre une usine à Lyon Le Progrès");
  EXPECT_TRUE(f.entries[0].link->rfind("https://news.google.com/rss/articles/", 0) == 0);
  EXPECT_NE(f.entries[0].key, f.entries[1].key);
  EXPECT_TRUE(f.recovered == false && f.warnings.empty());
}

TEST(SearchResponsesTest, BingNews) {
  Feed f = ParseSaved("bing-news.xml", "https://www.bing.com/news/search?q=Or%C3%A9lia&format=rss");
  EXPECT_EQ(f.format, Format::kRss20);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "Orélia mise sur le vrac en pharmacie");
  EXPECT_TRUE(f.entries[0].published.has_value());
}

TEST(SearchResponsesTest, RedditIsAtom) {
  Feed f = ParseSaved("reddit.xml", "https://www.reddit.com/search.rss?q=Or%C3%A9lia&sort=new");
  EXPECT_EQ(f.format, Format::kAtom10);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "Crème Orélia, vos avis ?");
  EXPECT_EQ(f.entries[0].link, "https://www.reddit.com/r/france/comments/1h7xk2q/creme_orelia/");
  ASSERT_TRUE(f.entries[0].content.has_value());
  EXPECT_NE(f.entries[0].content->find("Quelqu'un a testé la crème Orélia ?"), std::string::npos);
  EXPECT_EQ(f.entries[0].content->find("<"), std::string::npos);
}

TEST(SearchResponsesTest, HackerNewsThroughHnrss) {
  Feed f = ParseSaved("hacker-news.xml", "https://hnrss.org/newest?q=Orelia");
  EXPECT_EQ(f.format, Format::kRss20);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "Show HN: Orelia, an open formulary for cosmetics");
  EXPECT_EQ(f.entries[0].author, "mlefevre");
  EXPECT_EQ(f.entries[0].id, "https://news.ycombinator.com/item?id=42345678");
}

TEST(SearchResponsesTest, MastodonTagFeed) {
  Feed f = ParseSaved("mastodon.xml", "https://mastodon.social/tags/Or%C3%A9lia.rss");
  EXPECT_EQ(f.format, Format::kRss20);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_FALSE(f.entries[0].title.has_value());  // toots have no title
  EXPECT_EQ(f.entries[0].summary, "Le nouveau sérum #Orélia pique les yeux. Quelqu'un d'autre ?");
  EXPECT_EQ(f.entries[0].link, "https://piaille.fr/@claire/113612345678901234");
}

}  // namespace
}  // namespace veille::feed
