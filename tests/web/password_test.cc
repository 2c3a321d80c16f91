// argon2id hashes: made, checked, and read from a password file.
#include "web/password.h"

#include <gtest/gtest.h>

namespace veille::web {
namespace {

const std::string& Hash(const std::string& password) {
  static std::map<std::string, std::string> cache;
  auto& h = cache[password];
  if (h.empty()) h = HashPassword(password).value();
  return h;
}

TEST(PasswordTest, AHashIsArgon2idWithOwaspParametersAndARandomSalt) {
  const std::string& h = Hash("correct horse");
  EXPECT_TRUE(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << h;
  EXPECT_NE(HashPassword("correct horse").value(), h) << "the salt is random";
  EXPECT_TRUE(VerifyPassword(h, "correct horse"));
  EXPECT_FALSE(VerifyPassword(h, "correct horse "));
  EXPECT_FALSE(VerifyPassword(h, ""));
  EXPECT_FALSE(VerifyPassword("$argon2id$v=19$m=19456,t=2,p=1$broken", "correct horse"));
}

TEST(PasswordTest, ABareHashIsTheSharedAccount) {
  auto file = PasswordFile::Parse("# shared\n" + Hash("s3cret") + "\n", "web.users");
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_TRUE(file->shared());
  EXPECT_EQ(file->Check("", "s3cret"), "veille");
  EXPECT_EQ(file->Check("anyone", "s3cret"), "veille");
  EXPECT_EQ(file->Check("", "wrong"), std::nullopt);
}

TEST(PasswordTest, NamedLinesSignInTheirOwnUser) {
  auto file = PasswordFile::Parse(
      "alice:" + Hash("a-pass") + "\r\n\nbob.b@example:" + Hash("b-pass") + "\n", "web.users");
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_FALSE(file->shared());
  EXPECT_EQ(file->Check("alice", "a-pass"), "alice");
  EXPECT_EQ(file->Check("bob.b@example", "b-pass"), "bob.b@example");
  EXPECT_EQ(file->Check("alice", "b-pass"), std::nullopt);
  EXPECT_EQ(file->Check("carol", "a-pass"), std::nullopt);
  EXPECT_EQ(file->Check("", "a-pass"), std::nullopt);
}

TEST(PasswordTest, APasswordFileThatIsNotHashesIsRefusedWithItsLine) {
  const struct {
    std::string text;
    std::string error;
  } kCases[] = {
      {"hunter2\n", "web.users:1: expected an argon2id hash"},
      {"# c\nalice:hunter2\n", "web.users:2: not an argon2id hash"},
      {"$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA\n", "web.users:1: not an argon2id hash"},
      {"al ice:" + Hash("x") + "\n", "web.users:1: a user name"},
      {"a:" + Hash("x") + "\na:" + Hash("x") + "\n", "web.users:2: the user 'a' is listed twice"},
      {Hash("x") + "\nb:" + Hash("x") + "\n", "cannot be mixed"},
      {"\n# nothing\n", "web.users: no password hash"},
  };
  for (const auto& c : kCases) {
    auto file = PasswordFile::Parse(c.text, "web.users");
    ASSERT_FALSE(file) << c.text;
    EXPECT_NE(file.error().message.find(c.error), std::string::npos)
        << c.text << " -> " << file.error().message;
    EXPECT_EQ(file.error().message.find("hunter2"), std::string::npos) << "never echo a password";
  }
}

}  // namespace
}  // namespace veille::web
