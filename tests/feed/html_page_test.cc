// Autodiscovery in a page (pure): which links of an HTML page are feed candidates, resolved how,
// and which are refused. The network side (verification) is tested in tests/pipeline.
#include "feed/html_page.h"

#include <gtest/gtest.h>

#include <string>

#include "feed/parse.h"

namespace veille::feed {
namespace {

std::vector<std::string> Urls(const std::vector<FeedLink>& links) {
  std::vector<std::string> out;
  for (const auto& l : links) out.push_back(l.url);
  return out;
}

// The <head> WordPress 6 writes, and a footer link: the most common shape of a French site.
constexpr std::string_view kWordPress = R"(<!DOCTYPE html>
<html lang="fr-FR">
<head>
<meta charset="UTF-8">
<title>Le Journal de Lyon &#8211; L&#039;actualité lyonnaise</title>
<link rel='dns-prefetch' href='//fonts.googleapis.com' />
<link rel="alternate" type="application/rss+xml" title="Le Journal de Lyon &raquo; Flux" href="https://journal.example.fr/feed/" />
<link rel="alternate" type="application/rss+xml" title="Le Journal de Lyon &raquo; Flux des commentaires" href="https://journal.example.fr/comments/feed/" />
<link rel="https://api.w.org/" href="https://journal.example.fr/wp-json/" />
<link rel="alternate" title="JSON" type="application/json" href="https://journal.example.fr/wp-json/wp/v2/pages/2" />
<link rel="alternate" type="application/json+oembed" href="https://journal.example.fr/wp-json/oembed/1.0/embed?url=https%3A%2F%2Fjournal.example.fr%2F" />
<link rel="alternate" type="text/xml+oembed" href="https://journal.example.fr/wp-json/oembed/1.0/embed?url=https%3A%2F%2Fjournal.example.fr%2F&#038;format=xml" />
<link rel='stylesheet' id='theme-css' href='https://journal.example.fr/wp-content/themes/x/style.css' media='all' />
</head>
<body class="home blog">
<a href="https://journal.example.fr/category/economie/">Économie</a>
<a href="https://journal.example.fr/sitemap.xml">Plan du site</a>
<footer><a href="https://journal.example.fr/feed/">Flux RSS</a>
<a href="https://journal.example.fr/category/economie/feed/">RSS Économie</a></footer>
</body></html>)";

TEST(HtmlPageTest, ReadsTheFeedsAWordPressHomePageDeclares) {
  HtmlPage page =
      ReadHtmlPage(kWordPress, "text/html; charset=UTF-8", "https://journal.example.fr/");
  EXPECT_EQ(page.title, "Le Journal de Lyon – L'actualité lyonnaise");
  // RSS first, the REST API's application/json last; oEmbed is no feed type.
  EXPECT_EQ(Urls(page.declared),
            (std::vector<std::string>{"https://journal.example.fr/feed/",
                                      "https://journal.example.fr/comments/feed/",
                                      "https://journal.example.fr/wp-json/wp/v2/pages/2"}));
  EXPECT_EQ(page.declared[0].title, "Le Journal de Lyon » Flux");
  EXPECT_EQ(page.declared[0].type, "application/rss+xml");
  EXPECT_EQ(page.declared[0].kind, FeedLinkKind::kDeclared);
  // The footer's /feed/ is already declared; the category feed is a feed-looking anchor; the
  // sitemap and the category page are not.
  EXPECT_EQ(Urls(page.anchors),
            std::vector<std::string>{"https://journal.example.fr/category/economie/feed/"});
  EXPECT_EQ(page.anchors[0].title, "RSS Économie");
}

TEST(HtmlPageTest, RelativeLinksResolveAgainstTheBaseElement) {
  constexpr std::string_view kPage = R"(<html><head>
    <base href="/edition/fr/">
    <link rel="ALTERNATE feed" type="Application/Atom+XML; charset=utf-8" href="atom.xml">
    <link rel="alternate" type="application/feed+json" href="../feed.json">
    </head><body><a href="rss/une.xml">flux RSS de la une</a><a href="//cdn.example.net/x.rss">x</a></body></html>)";
  HtmlPage page = ReadHtmlPage(kPage, "", "https://news.example.fr/page.html?x=1#top");
  EXPECT_EQ(Urls(page.declared),
            (std::vector<std::string>{"https://news.example.fr/edition/fr/atom.xml",
                                      "https://news.example.fr/edition/feed.json"}));
  EXPECT_EQ(page.declared[0].type, "application/atom+xml");
  EXPECT_EQ(Urls(page.anchors),
            (std::vector<std::string>{"https://news.example.fr/edition/fr/rss/une.xml",
                                      "https://cdn.example.net/x.rss"}));
}

TEST(HtmlPageTest, LinksThatAreNotPlainHttpAreRefused) {
  std::string page = "<html><head>";
  for (const char* href :
       {"javascript:alert(1)", "data:application/rss+xml,<rss/>", "ftp://files.example/feed.xml",
        "file:///etc/passwd", "https://user:secret@evil.example/feed", "http://@/feed",
        "gopher://x/feed", "https://ok.example/feed.xml#section",
        "  https://ok.example/spaced.xml \n"}) {
    page += std::string("<link rel=alternate type=application/rss+xml href=\"") + href + "\">";
  }
  page += "<link rel=alternate type=application/rss+xml href=\"https://long.example/" +
          std::string(3000, 'a') + "\">";
  page += "</head></html>";
  HtmlPage read = ReadHtmlPage(page, "", "https://site.example/");
  EXPECT_EQ(Urls(read.declared), (std::vector<std::string>{"https://ok.example/feed.xml",
                                                           "https://ok.example/spaced.xml"}));
}

TEST(HtmlPageTest, ABaseThatIsNotHttpIsIgnored) {
  HtmlPage page = ReadHtmlPage(
      "<base href='javascript:x/'><link rel=alternate type=application/rss+xml href=feed.xml>", "",
      "https://site.example/a/b");
  EXPECT_EQ(Urls(page.declared), std::vector<std::string>{"https://site.example/a/feed.xml"});
}

TEST(HtmlPageTest, AnchorsAreJudgedByPathQueryAndLabel) {
  constexpr std::string_view kPage = R"(<body>
    <a href="/?feed=rss2">x</a>
    <a href="/blog/rss">x</a>
    <a href="/podcast/episodes.rss">x</a>
    <a href="https://feeds.feedburner.com/example">x</a>
    <a href="/services/rss/">Flux RSS</a>
    <a href="/export.xml">Atom</a>
    <a href="/export2.xml">Export</a>
    <a href="/rss-and-more.html">Pressroom</a>
    <a href="/feedback">Feedback</a>
    <a href="/">Accueil</a></body>)";
  HtmlPage page = ReadHtmlPage(kPage, "", "https://site.example/");
  EXPECT_EQ(Urls(page.anchors),
            (std::vector<std::string>{
                "https://site.example/?feed=rss2", "https://site.example/blog/rss",
                "https://site.example/podcast/episodes.rss", "https://site.example/services/rss/",
                "https://site.example/export.xml"}));
}

TEST(HtmlPageTest, CandidatesAreCappedAndDeduplicated) {
  std::string page;
  for (int i = 0; i < 100; ++i) {
    page +=
        "<link rel=alternate type=application/rss+xml href=/f" + std::to_string(i % 40) + ".xml>";
  }
  HtmlPage read = ReadHtmlPage(page, "", "https://site.example/");
  ASSERT_EQ(read.declared.size(), kMaxFeedLinks);
  EXPECT_EQ(read.declared[1].url, "https://site.example/f1.xml");
}

TEST(HtmlPageTest, ADeeplyNestedPageIsReadOnlyToABoundedDepth) {
  // 400,000 open elements: gumbo's scope checks walk its stack of open elements (quadratic, about
  // ten minutes here) and its own free is recursive (a stack overflow). Everything nested deeper
  // than 256 is cut; what comes before is read.
  std::string page =
      "<html><head><link rel=alternate type=application/rss+xml href=/deep.xml>"
      "</head><body><a href=/shallow.rss>x</a>";
  for (int i = 0; i < 400000; ++i) page += "<div>";
  page += "<a href=/too-deep.rss>x</a>";
  HtmlPage read = ReadHtmlPage(page, "", "https://site.example/");
  EXPECT_EQ(Urls(read.declared), std::vector<std::string>{"https://site.example/deep.xml"});
  EXPECT_EQ(Urls(read.anchors), std::vector<std::string>{"https://site.example/shallow.rss"});
}

TEST(HtmlPageTest, OptionalEndTagsAndRawTextDoNotCountAsNesting) {
  // A long list of unclosed <li>/<p> and a script full of "<div>" strings nest nothing.
  std::string page = "<html><body><script>var s = '";
  for (int i = 0; i < 1000; ++i) page += "<div>";
  page += "';</script><ul>";
  for (int i = 0; i < 5000; ++i) page += "<li><p>item <img src=x.png><br>";
  page += "</ul><a href=/end.rss>RSS</a></body></html>";
  HtmlPage read = ReadHtmlPage(page, "", "https://site.example/");
  EXPECT_EQ(Urls(read.anchors), std::vector<std::string>{"https://site.example/end.rss"});
}

TEST(HtmlPageTest, OnlyTheFirstMegabytesAreRead) {
  std::string page = "<html><body>" + std::string(kMaxHtmlPageBytes, ' ') +
                     "<link rel=alternate type=application/rss+xml href=/late.xml>";
  EXPECT_TRUE(ReadHtmlPage(page, "", "https://site.example/").declared.empty());
}

TEST(HtmlPageTest, Windows1252TitlesAreDecoded) {
  HtmlPage page = ReadHtmlPage("<title>Caf\xE9 \x96 actualit\xE9s</title>",
                               "text/html; charset=windows-1252", "https://site.example/");
  EXPECT_EQ(page.title, "Café – actualités");
}

TEST(HtmlPageTest, HtmlPagesAreToldFromFeeds) {
  EXPECT_TRUE(LooksLikeHtmlPage("<?xml version='1.0'?><rss/>", "text/html; charset=utf-8"));
  EXPECT_TRUE(LooksLikeHtmlPage("\xEF\xBB\xBF\n <!-- x --> <!DOCTYPE html><html>", ""));
  EXPECT_TRUE(LooksLikeHtmlPage("<HTML lang=fr>", "application/octet-stream"));
  EXPECT_FALSE(LooksLikeHtmlPage("<?xml version='1.0'?><rss/>", "application/xml"));
  EXPECT_FALSE(LooksLikeHtmlPage("<feed xmlns='http://www.w3.org/2005/Atom'/>", ""));
  EXPECT_FALSE(LooksLikeHtmlPage("<!-- unterminated", ""));
}

TEST(HtmlPageTest, TheUsualPathsAreAtTheRootOfTheSite) {
  EXPECT_EQ(Urls(UsualFeedUrls("https://site.example:8443/blog/post?id=3")),
            (std::vector<std::string>{
                "https://site.example:8443/feed", "https://site.example:8443/rss",
                "https://site.example:8443/rss.xml", "https://site.example:8443/atom.xml",
                "https://site.example:8443/feed.xml", "https://site.example:8443/index.xml",
                "https://site.example:8443/?feed=rss2"}));
  EXPECT_TRUE(UsualFeedUrls("file:///srv/page.html").empty());
  EXPECT_TRUE(UsualFeedUrls("not a url").empty());
}

TEST(HtmlPageTest, ParseFeedNamesTheFeedAnHtmlPageDeclares) {
  ParseOptions options;
  options.base_url = "https://journal.example.fr/";
  options.content_type = "text/html; charset=UTF-8";
  auto result = ParseFeed(kWordPress, options);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message,
            "not a feed: an HTML page; it declares https://journal.example.fr/feed/ and 2 more "
            "(veille discover https://journal.example.fr/)");

  auto anchors = ParseFeed("<!doctype html><a href='/rss.xml'>RSS</a>", options);
  ASSERT_FALSE(anchors.has_value());
  EXPECT_EQ(anchors.error().message,
            "not a feed: an HTML page; it links to https://journal.example.fr/rss.xml "
            "(veille discover https://journal.example.fr/)");

  options.base_url = "https://user:pw@journal.example.fr/";
  auto none = ParseFeed("<!doctype html><p>Bonjour</p>", options);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().message,
            "not a feed: an HTML page that declares no feed (veille discover URL tries its links "
            "and the usual feed paths)");
}

TEST(HtmlPageTest, AFeedWrappedInHtmlIsStillAFeed) {
  auto result = ParseFeed(
      "<html><body><rss version='2.0'><channel><title>T</title></channel></rss></body></html>",
      ParseOptions{});
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->format, Format::kRss20);
}

}  // namespace
}  // namespace veille::feed
