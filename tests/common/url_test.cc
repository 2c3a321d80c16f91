// The one URL parser (libcurl's): what every stage sees is what libcurl will fetch.
#include "common/url.h"

#include <gtest/gtest.h>

namespace veille {
namespace {

TEST(Url, SplitsAnHttpUrlIntoNormalisedParts) {
  const auto u = Url::Parse("HTTPS://User:Pw@News.Example.ORG.:8443/a/../b?x=1#top");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->userinfo, "User:Pw");
  EXPECT_EQ(u->host, "news.example.org");
  EXPECT_EQ(u->port, 8443);
  EXPECT_TRUE(u->explicit_port);
  EXPECT_EQ(u->path, "/b");
  EXPECT_EQ(u->query, "x=1");
  EXPECT_EQ(u->fragment, "top");
  EXPECT_EQ(u->href, "https://User:Pw@news.example.org:8443/b?x=1#top");
  EXPECT_EQ(u->HostPort(), "news.example.org:8443");
  EXPECT_EQ(u->Origin(), "https://news.example.org:8443");
  EXPECT_TRUE(u->IsWeb());
}

TEST(Url, FillsInTheDefaultPort) {
  EXPECT_EQ(Url::Parse("http://a.example")->HostPort(), "a.example:80");
  EXPECT_EQ(Url::Parse("https://a.example/")->HostPort(), "a.example:443");
  EXPECT_FALSE(Url::Parse("https://a.example/")->explicit_port);
  EXPECT_EQ(Url::Parse("http://[::1]:8080/")->HostPort(), "[::1]:8080");
}

// Every spelling libcurl would connect to as 127.0.0.1 or 169.254.169.254 comes out as that
// address, so the private-address check sees it (security review finding 2).
TEST(Url, NumericHostsComeOutAsLibcurlWillConnectToThem) {
  const struct {
    const char* in;
    const char* host;
  } cases[] = {
      {"http://0x7f000001/", "127.0.0.1"},
      {"http://2130706433/", "127.0.0.1"},
      {"http://0177.0.0.1/", "127.0.0.1"},
      {"http://127.1/", "127.0.0.1"},
      {"http://%31%32%37.0.0.1/", "127.0.0.1"},
      {"http://169.254.169.254./latest", "169.254.169.254"},
      {"http://169.254.169.254../latest", "169.254.169.254"},
      {"http://0xA9.0xFE.0xA9.0xFE./", "169.254.169.254"},
      {"http://0xa9fea9fe./", "169.254.169.254"},
      {"http://[::FFFF:127.0.0.1]/", "[::ffff:127.0.0.1]"},
  };
  for (const auto& c : cases) {
    const auto u = Url::Parse(c.in);
    ASSERT_TRUE(u) << c.in;
    EXPECT_EQ(u->host, c.host) << c.in;
    EXPECT_NE(u->href.find(c.host), std::string::npos) << c.in << " -> " << u->href;
  }
}

TEST(Url, RefusesWhatLibcurlRefuses) {
  for (const char* in : {"http://exa mple.com/", "http://h:99999/", "http://h\\x/", "//evil/",
                         "http://.../", "not a url", "", "http://h/a\x01"}) {
    EXPECT_FALSE(Url::Parse(in)) << in;
  }
  EXPECT_FALSE(Url::Parse(std::string_view("http://a.example/\0@b.example", 28)));
}

TEST(Url, StrictRefusesASpaceAndLenientEncodesItAsLibcurlDoesOnARedirect) {
  EXPECT_FALSE(Url::Parse("http://169.254.169.254/latest meta-data/"));
  const auto u = Url::Parse("http://169.254.169.254/latest meta-data/", UrlForm::kLenient);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "169.254.169.254");
  EXPECT_EQ(u->href, "http://169.254.169.254/latest%20meta-data/");
}

TEST(Url, ResolvesALocationAgainstTheHopThatSentIt) {
  const auto base = Url::Parse("https://a.example/feeds/rss?x=1");
  ASSERT_TRUE(base);
  EXPECT_EQ(base->Resolve("/moved")->href, "https://a.example/moved");
  EXPECT_EQ(base->Resolve("atom.xml")->href, "https://a.example/feeds/atom.xml");
  EXPECT_EQ(base->Resolve("//b.example/x")->href, "https://b.example/x");
  EXPECT_EQ(base->Resolve("http://c.example:81/y z")->href, "http://c.example:81/y%20z");
  EXPECT_EQ(base->Resolve("file:///etc/passwd")->scheme, "file");
  EXPECT_FALSE(base->Resolve("http://exa mple/"));
}

TEST(Url, ParsingTheHrefAgainGivesTheSameUrl) {
  for (const char* in :
       {"HTTP://Ex.COM./a/../b?x=1#f", "http://0x7f000001:81/", "https://user@h.example/é?q=a b",
        "http://[FE80::1%25eth0]/", "http://169.254.169.254./x y", "http://h.example/%2e%2e/x"}) {
    const auto once = Url::Parse(in, UrlForm::kLenient);
    ASSERT_TRUE(once) << in;
    const auto twice = Url::Parse(once->href);
    ASSERT_TRUE(twice) << once->href;
    EXPECT_EQ(twice->href, once->href) << in;
    EXPECT_EQ(twice->host, once->host) << in;
    EXPECT_EQ(twice->port, once->port) << in;
  }
}

TEST(Url, FileUrlsHaveNoHost) {
  const auto u = Url::Parse("file:///srv/feeds/a.xml");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "file");
  EXPECT_EQ(u->host, "");
  EXPECT_FALSE(u->IsWeb());
  EXPECT_EQ(HostPortOf("file:///srv/feeds/a.xml"), "");
}

TEST(WebLink, KeepsOnlyAbsoluteHttpLinks) {
  EXPECT_EQ(WebLink("https://news.example/a b"), "https://news.example/a%20b");
  EXPECT_EQ(WebLink("HTTP://News.Example/"), "http://news.example/");
  for (const char* in :
       {"javascript:alert(1)", "JavaScript://%0aalert(1)", "data:text/html,x", "/relative",
        "mailto:a@b.example", "file:///etc/passwd", "http://", "ftp://f.example/x"}) {
    EXPECT_FALSE(WebLink(in)) << in;
  }
}

TEST(HostOf, GivesTheNormalisedHostOrNothing) {
  EXPECT_EQ(HostOf("https://user@News.Example.org:443/x"), "news.example.org");
  EXPECT_EQ(HostOf("https://news.example.org./x"), "news.example.org");
  EXPECT_EQ(HostOf("news.example.org/x"), "");
  EXPECT_EQ(HostPortOf("https://News.Example.org/x"), "news.example.org:443");
  EXPECT_EQ(HostPortOf("ftp://news.example.org/x"), "");
}

}  // namespace
}  // namespace veille
