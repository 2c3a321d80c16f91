// Feeds from an OPML file: the scanner, and [[feed]] opml = "..." in a config.
#include "config/opml.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/config.h"

namespace veille::config {
namespace {

constexpr const char* kOpml = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a feed reader; <outline xmlUrl="http://commented.example/"/> is not a feed -->
<opml version="2.0">
  <head><title>Abonnements</title></head>
  <body>
    <outline text="Presse" title="Presse">
      <outline type="rss" text="Le Monde &amp; Co" xmlUrl="https://www.lemonde.fr/rss/une.xml" htmlUrl="https://www.lemonde.fr/"/>
      <outline type="rss" title='Les &#201;chos' text="ignored" xmlUrl='https://services.lesechos.fr/rss/les-echos-entreprises.xml?a=1&amp;b=2' />
    </outline>
    <outline type="rss"
             xmlUrl="https://news.example/feed"></outline>
  </body>
</opml>
)";

TEST(OpmlTest, ListsEveryOutlineWithAnXmlUrlInOrder) {
  auto feeds = ParseOpml(kOpml);
  ASSERT_TRUE(feeds) << feeds.error().message;
  ASSERT_EQ(feeds->size(), 3u);
  EXPECT_EQ((*feeds)[0].url, "https://www.lemonde.fr/rss/une.xml");
  EXPECT_EQ((*feeds)[0].title, "Le Monde & Co");
  EXPECT_EQ((*feeds)[0].line, 7);
  EXPECT_EQ((*feeds)[1].url, "https://services.lesechos.fr/rss/les-echos-entreprises.xml?a=1&b=2");
  EXPECT_EQ((*feeds)[1].title,
            "Les \xC3\x89"
            "chos");  // title wins over text; &#201; decoded
  EXPECT_EQ((*feeds)[2].title, "https://news.example/feed");  // no title or text: the URL
}

TEST(OpmlTest, ReportsTheLineOfAMalformedOutline) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"<opml>\n<outline xmlUrl=\"https://a.example/\"", "line 2: unterminated <outline> tag"},
      {"<opml>\n\n<outline xmlUrl=https://a.example/ />",
       "line 3: attribute 'xmlUrl' of <outline> is not quoted"},
      {"<opml><outline xmlUrl />", "line 1: attribute 'xmlUrl' of <outline> has no value"},
      {"<opml><!-- never closed", "line 1: unterminated comment"},
  };
  for (const Case& c : cases) {
    auto feeds = ParseOpml(c.text);
    ASSERT_FALSE(feeds) << c.text;
    EXPECT_EQ(feeds.error().message, c.message) << c.text;
  }
}

TEST(OpmlTest, ALenientReadSkipsBadOutlinesAndGoesOn) {
  const char* text =
      "<opml><body>\n"
      "<outline xmlUrl=https://bad.example/ text=\"unquoted\"/>\n"
      "<outline text=\"Presse\">\n"
      "  <outline xmlUrl=\"https://a.example/feed\" text=\"A\" category=\"eco, /marques\"/>\n"
      "  <outline xmlUrl />\n"
      "</outline>\n"
      "<outline xmlUrl=\"https://b.example/feed\" text=\"B\"/>\n"
      "</body></opml>";
  const OpmlDocument doc = ReadOpml(text);
  ASSERT_EQ(doc.feeds.size(), 2u);
  EXPECT_EQ(doc.feeds[0].url, "https://a.example/feed");
  EXPECT_EQ(doc.feeds[0].folders, std::vector<std::string>{"Presse"});
  EXPECT_EQ(doc.feeds[0].categories, (std::vector<std::string>{"eco", "/marques"}));
  EXPECT_EQ(doc.feeds[1].url, "https://b.example/feed");
  EXPECT_TRUE(doc.feeds[1].folders.empty()) << "the folder closed before B";
  ASSERT_EQ(doc.problems.size(), 2u);
  EXPECT_EQ(doc.problems[0].line, 2);
  EXPECT_EQ(doc.problems[0].message, "attribute 'xmlUrl' of <outline> is not quoted");
  EXPECT_EQ(doc.problems[1].line, 5);
  EXPECT_EQ(doc.problems[1].message, "attribute 'xmlUrl' of <outline> has no value");
  // The strict form refuses the same file at its first problem.
  auto strict = ParseOpml(text);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().message, "line 2: attribute 'xmlUrl' of <outline> is not quoted");
}

class OpmlConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-opml-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(OpmlConfigTest, AFeedTableWithOpmlBecomesOneFeedPerOutlineWithItsSettings) {
  Write("feeds.opml", kOpml);
  auto config = ParseConfig(R"(
[[feed]]
url = "https://first.example/rss"
[[feed]]
opml = "feeds.opml"
interval = "2h"
tags = ["presse"]
backfill_alerts = true
)",
                            Path("veille.toml"));
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->feeds.size(), 4u);
  EXPECT_EQ(config->feeds[0].url, "https://first.example/rss");
  EXPECT_EQ(config->feeds[1].url, "https://www.lemonde.fr/rss/une.xml");
  EXPECT_EQ(config->feeds[1].name, "Le Monde & Co");
  EXPECT_EQ(config->feeds[3].interval_s, 7200);
  EXPECT_EQ(config->feeds[3].tags, std::vector<std::string>{"presse"});
  EXPECT_TRUE(config->feeds[2].backfill_alerts);
  EXPECT_EQ(config->feeds[2].opml, Path("feeds.opml"));
}

TEST_F(OpmlConfigTest, ErrorsNameTheConfigLineAndTheOpmlLine) {
  Write("bad.opml", "<opml>\n<outline xmlUrl=\"ftp://files.example/feed\"/>\n</opml>");
  struct Case {
    std::string toml;
    std::string message;
  };
  const Case cases[] = {
      {"\n[[feed]]\nopml = \"missing.opml\"\n",
       ":2: cannot read the OPML file " + Path("missing.opml")},
      {"[[feed]]\nopml = \"bad.opml\"\n", ":1: " + Path("bad.opml") +
                                              ": line 2: xmlUrl must be an http or https URL, not "
                                              "'ftp://files.example/feed'"},
      {"[[feed]]\nopml = \"bad.opml\"\nurl = \"https://x.example/\"\n",
       ":3: a [[feed]] with 'opml' takes its URLs and names from the file; remove 'url'"},
  };
  for (const Case& c : cases) {
    auto config = ParseConfig(c.toml, Path("veille.toml"));
    ASSERT_FALSE(config) << c.toml;
    EXPECT_EQ(config.error().message, Path("veille.toml") + c.message) << c.toml;
  }
}

TEST_F(OpmlConfigTest, AFeedListedTwiceThroughOpmlIsRefused) {
  Write("feeds.opml", kOpml);
  auto config = ParseConfig(
      "[[feed]]\nurl = \"https://news.example/feed\"\n"
      "[[feed]]\nopml = \"feeds.opml\"\n",
      Path("veille.toml"));
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("listed twice"), std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace veille::config
