// Tokens, comparison, the session cookie's attributes and the headers of every response.
#include "web/security.h"

#include <gtest/gtest.h>

#include <set>

namespace veille::web {
namespace {

TEST(SecurityTest, TokensAreLongHexAndNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = RandomToken();
    ASSERT_EQ(token.size(), 64u);
    EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << token;
    EXPECT_TRUE(seen.insert(token).second) << "repeated: " << token;
  }
  EXPECT_EQ(RandomToken(16).size(), 32u);
}

TEST(SecurityTest, ConstantTimeEqualComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEqual("", "a"));
  EXPECT_FALSE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(SecurityTest, TheSessionCookieIsHttpOnlyStrictAndSecureOnlyOverTls) {
  const std::string plain = SessionCookie("abc", 3600, false);
  EXPECT_EQ(plain, "veille_session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionCookie("abc", 60, true),
            "veille_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(SessionCookie("", 0, false),
            "veille_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

TEST(SecurityTest, EveryResponseForbidsInlineScriptFramingAndSniffing) {
  for (bool cacheable : {false, true}) {
    std::map<std::string, std::string> h;
    for (const auto& [name, value] : SecurityHeaders(cacheable)) h[name] = value;
    const std::string& csp = h["Content-Security-Policy"];
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_NE(csp.find("form-action 'self'"), std::string::npos);
    EXPECT_NE(csp.find("base-uri 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
    EXPECT_EQ(h["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(h["Referrer-Policy"], "no-referrer");
    EXPECT_EQ(h["Cache-Control"], cacheable ? "public, max-age=31536000, immutable" : "no-store");
  }
}

}  // namespace
}  // namespace veille::web
