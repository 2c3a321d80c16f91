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
      {"smtp://veille:pw@mail.example.org:587", "smtp://***@mail.example.org:587"},
      {"not a url", "not a url"},
      {"file:///etc/veille/feed.xml", "file:///etc/veille/feed.xml"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RedactUrl(c.in), c.out) << "input: " << c.in;
  }
}

}  // namespace
}  // namespace veille
