#include "fetch/url_check.h"

#include <gtest/gtest.h>

namespace veille::fetch {
namespace {

TEST(UrlCheckTest, RecognisesOnlyHttpHttpsAndLocalFiles) {
  EXPECT_EQ(SchemeOf("http://example.org/feed"), UrlScheme::kHttp);
  EXPECT_EQ(SchemeOf("HTTPS://example.org/feed"), UrlScheme::kHttps);
  EXPECT_EQ(SchemeOf("file:///srv/feed.xml"), UrlScheme::kFile);
  EXPECT_EQ(SchemeOf("/srv/feed.xml"), UrlScheme::kFile);
  for (const char* other : {"ftp://x/", "gopher://x/", "dict://x/", "feed.xml", "", "https:/x",
                            "javascript:alert(1)"}) {
    EXPECT_EQ(SchemeOf(other), UrlScheme::kOther) << other;
  }
}

TEST(UrlCheckTest, TurnsFileUrlsIntoLocalPaths) {
  EXPECT_EQ(FilePathFromUrl("file:///srv/feeds/a.xml"), "/srv/feeds/a.xml");
  EXPECT_EQ(FilePathFromUrl("file://localhost/srv/a.xml"), "/srv/a.xml");
  EXPECT_EQ(FilePathFromUrl("file:///srv/my%20feed.xml"), "/srv/my feed.xml");
  EXPECT_EQ(FilePathFromUrl("file:///srv/a.xml?x=1#top"), "/srv/a.xml");
  EXPECT_EQ(FilePathFromUrl("/abs/path.xml"), "/abs/path.xml");
  EXPECT_FALSE(FilePathFromUrl("file://server/share/a.xml"));
  EXPECT_FALSE(FilePathFromUrl("file:relative.xml"));
  EXPECT_FALSE(FilePathFromUrl("file:///srv/a%00.xml"));
  // Fuzz finding (address_fuzz): a raw NUL passed through, and open(2) would have stopped at it.
  EXPECT_FALSE(FilePathFromUrl(std::string("/etc/passwd\0.xml", 16)));
  EXPECT_FALSE(FilePathFromUrl(std::string("file:///srv/a.xml\0/../../etc/shadow", 35)));
  EXPECT_FALSE(FilePathFromUrl(std::string("file://localhost/\0", 18)));
  EXPECT_FALSE(FilePathFromUrl("http://example.org/a.xml"));
}

TEST(UrlCheckTest, RefusesHeadersThatCouldInjectLines) {
  EXPECT_FALSE(HeaderProblem("X-Token", "abc def"));
  EXPECT_TRUE(HeaderProblem("X-Token", "abc\r\nBcc: x"));
  EXPECT_TRUE(HeaderProblem("X-Token", "abc\ndef"));
  EXPECT_TRUE(HeaderProblem("X-Token", std::string("abc\0def", 7)));
  EXPECT_TRUE(HeaderProblem("X Token", "v"));
  EXPECT_TRUE(HeaderProblem("X-Token:", "v"));
  EXPECT_TRUE(HeaderProblem("", "v"));
}

TEST(UrlCheckTest, FingerprintsAreStableAndDistinguishBodies) {
  EXPECT_EQ(BodyFingerprint(""), "99aa06d3014798d86001c324468d497f");  // XXH3-128 of no bytes
  EXPECT_EQ(BodyFingerprint("<rss/>"), BodyFingerprint("<rss/>"));
  EXPECT_NE(BodyFingerprint("<rss/>"), BodyFingerprint("<rss />"));
  EXPECT_EQ(BodyFingerprint("abc").size(), 32u);
}

}  // namespace
}  // namespace veille::fetch
