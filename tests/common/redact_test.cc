#include "common/redact.h"

#include <gtest/gtest.h>

namespace veille {
namespace {

struct Case {
  const char* in;
  const char* out;
};

TEST(RedactUrlTest, HidesUserInfoAndSecretParameters) {
  const Case cases[] = {
      {"https://user:hunter2@example.org/feed", "https://***@example.org/feed"},
      {"https://example.org/rss?token=abc&q=orange", "https://example.org/rss?token=***&q=orange"},
      {"https://x.org/a?API_KEY=zz#frag", "https://x.org/a?API_KEY=***#frag"},
      {"https://x.org/a?client_secret=s1&sig=s2", "https://x.org/a?client_secret=***&sig=***"},
      {"https://news.google.com/rss/search?q=orange&hl=fr",
       "https://news.google.com/rss/search?q=orange&hl=fr"},
      {"smtp://veille:pw@mail.example.org:587", "smtp://***@mail.example.org:587/"},
      {"not a url", "not a url"},
      {"file:///etc/veille/feed.xml", "file:///etc/veille/feed.xml"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RedactUrl(c.in), c.out) << "input: " << c.in;
  }
}

TEST(RedactUrlTest, RedactsEveryUrlInsideAnErrorLine) {
  EXPECT_EQ(RedactUrl("blocked: http://u:p@10.0.0.1/x?token=t1 then \"https://a:b@h.example/\""),
            "blocked: http://***@10.0.0.1/x?token=*** then \"https://***@h.example/\"");
  EXPECT_EQ(RedactUrl("HTTP 500 Internal Server Error"), "HTTP 500 Internal Server Error");
  EXPECT_EQ(RedactUrl("odd ://x and a://"), "odd ://x and a://\xE2\x80\xA6");
}

// A URL the parser refuses cannot be redacted part by part: only its scheme is shown (the old
// hand-written splitter showed everything after a backslash in the authority).
TEST(RedactUrlTest, AUrlThatDoesNotParseShowsOnlyItsScheme) {
  EXPECT_EQ(RedactUrl("http://user:pw@h\\x/?token=abc"), "http://\xE2\x80\xA6");
  EXPECT_EQ(RedactUrl("see http://a b"), "see http://a/ b");
}

// Security review finding 5: a webhook URL carries its token in the path.
TEST(RedactSecretUrlTest, ShowsOnlySchemeAndHost) {
  EXPECT_EQ(RedactSecretUrl("https://discord.com/api/webhooks/112233/TOKEN-abc"),
            "https://discord.com/\xE2\x80\xA6");
  EXPECT_EQ(RedactSecretUrl("https://hooks.slack.com/services/T000/B000/XXXX"),
            "https://hooks.slack.com/\xE2\x80\xA6");
  EXPECT_EQ(RedactSecretUrl("http://user:pw@127.0.0.1:8088/hook?sig=1"),
            "http://127.0.0.1:8088/\xE2\x80\xA6");
  EXPECT_EQ(RedactSecretUrl("not a url"), "(unparseable URL)");
}

}  // namespace
}  // namespace veille
