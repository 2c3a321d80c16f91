#include "alert/signature.h"

#include <gtest/gtest.h>

#include "alert/encoding.h"

namespace veille::alert {
namespace {

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  const std::string mac = HmacSha256("Jefe", "what do ya want for nothing?");
  std::string hex;
  for (char c : mac) {
    static const char* kHex = "0123456789abcdef";
    hex += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
    hex += kHex[static_cast<unsigned char>(c) & 0xF];
  }
  EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(StandardWebhookSignature, MatchesTheSpecsReferenceExample) {
  // The example of the Standard Webhooks reference libraries.
  auto key = ParseWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key) << key.error().message;
  const std::string sig = StandardWebhookSignature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                                   R"({"test": 2432232314})");
  EXPECT_EQ(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(ParseWebhookSecret, RejectsEmptyMalformedAndShortSecrets) {
  EXPECT_FALSE(ParseWebhookSecret(""));
  EXPECT_FALSE(ParseWebhookSecret("whsec_"));
  EXPECT_FALSE(ParseWebhookSecret("whsec_not base64!"));
  EXPECT_FALSE(ParseWebhookSecret("whsec_" + Base64Encode("short")));
  auto ok = ParseWebhookSecret("whsec_" + Base64Encode(std::string(24, 'k')) + "\n");
  ASSERT_TRUE(ok) << "a trailing newline from a secret file is ignored";
  EXPECT_EQ(*ok, std::string(24, 'k'));
}

TEST(HubSignature256, IsTheHexHmacOfTheBodyWithThePrefix) {
  EXPECT_EQ(HubSignature256("It's a Secret to Everybody", "Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace veille::alert
