// The [web] section: defaults, listen addresses, and the refusal to listen beyond loopback
// without authentication.
#include <gtest/gtest.h>

#include "config/config.h"

namespace veille::config {
namespace {

Result<Config> Parse(const std::string& text) {
  return ParseConfig(text, "/etc/veille/veille.toml");
}

TEST(WebConfigTest, DefaultsListenOnLoopbackWithoutAuthentication) {
  auto c = Parse("");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->web.listen, "127.0.0.1:8080");
  EXPECT_EQ(c->web.password_file, "");
  EXPECT_EQ(c->web.trust_proxy_user_header, "");
  EXPECT_EQ(c->web.trusted_proxies, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c->web.session_lifetime_s, 12 * 3600);
  EXPECT_EQ(c->web.threads, 4);
  EXPECT_EQ(c->web.max_body, 256u * 1024);
  EXPECT_EQ(c->web.language, "auto");
}

TEST(WebConfigTest, ReadsEveryKey) {
  auto c = Parse(R"(
[web]
listen = "0.0.0.0:9000"
password_file = "web.users"
trusted_proxies = ["10.0.0.5"]
hostnames = ["veille.example.org"]
session_lifetime = "8h"
threads = 2
max_connections = 10
max_body = "64KiB"
timeout = "10s"
language = "fr"
)");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->web.listen, "0.0.0.0:9000");
  EXPECT_EQ(c->web.password_file, "/etc/veille/web.users") << "relative to the config file";
  EXPECT_EQ(c->web.trusted_proxies, std::vector<std::string>{"10.0.0.5"});
  EXPECT_EQ(c->web.hostnames, std::vector<std::string>{"veille.example.org"});
  EXPECT_EQ(c->web.session_lifetime_s, 8 * 3600);
  EXPECT_EQ(c->web.threads, 2);
  EXPECT_EQ(c->web.max_connections, 10);
  EXPECT_EQ(c->web.max_body, 64u * 1024);
  EXPECT_EQ(c->web.timeout_s, 10);
  EXPECT_EQ(c->web.language, "fr");
}

TEST(WebConfigTest, AProxyHeaderIsTheOtherWayToAuthenticate) {
  auto c =
      Parse("[web]\nlisten = \"0.0.0.0:9000\"\ntrust_proxy_user_header = \"X-Forwarded-User\"\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->web.trust_proxy_user_header, "X-Forwarded-User");
}

TEST(WebConfigTest, APasswordFileAndAProxyHeaderTogetherAreAnError) {
  auto c = Parse(
      "[web]\npassword_file = \"web.users\"\ntrust_proxy_user_header = \"X-Forwarded-User\"\n");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("/etc/veille/veille.toml:3: set 'password_file'"),
            std::string::npos)
      << c.error().message;
}

TEST(WebConfigTest, ACredentialStaysACredential) {
  auto c = Parse("[web]\npassword_file = \"credential:web_users\"\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->web.password_file, "credential:web_users");
}

TEST(WebConfigTest, AnAddressBeyondLoopbackNeedsAuthentication) {
  for (const char* listen : {"0.0.0.0:8080", "192.168.1.10:80", "[::]:8080"}) {
    auto c = Parse(std::string("[web]\nlisten = \"") + listen + "\"\n");
    ASSERT_FALSE(c) << listen;
    EXPECT_NE(c.error().message.find("/etc/veille/veille.toml:2:"), std::string::npos)
        << c.error().message;
    EXPECT_NE(c.error().message.find("password_file"), std::string::npos) << c.error().message;
  }
  for (const char* listen : {"127.0.0.1:8080", "127.0.0.2:1", "[::1]:8080", "localhost:0"}) {
    auto c = Parse(std::string("[web]\nlisten = \"") + listen + "\"\n");
    EXPECT_TRUE(c) << listen << ": " << c.error().message;
  }
}

TEST(WebConfigTest, MalformedValuesAreErrorsWithTheirLine) {
  for (const char* bad :
       {"listen = \"8080\"", "listen = \"::1:8080\"", "listen = \"example.org:80\"",
        "listen = \"127.0.0.1:99999\"", "language = \"de\"", "threads = 0",
        "trust_proxy_user_header = \"X-User: admin\"", "max_body = \"1GiB\"", "listne = \"x\""}) {
    auto c = Parse(std::string("[web]\n") + bad + "\n");
    ASSERT_FALSE(c) << bad;
    EXPECT_NE(c.error().message.find(":2:"), std::string::npos) << c.error().message;
  }
}

TEST(WebConfigTest, ParseListenSplitsHostAndPort) {
  auto v4 = ParseListen("127.0.0.1:8080");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  EXPECT_TRUE(v4->loopback);
  auto v6 = ParseListen("[::]:443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::");
  EXPECT_EQ(v6->port, 443);
  EXPECT_FALSE(v6->loopback);
  EXPECT_FALSE(ParseListen("[::1]"));
  EXPECT_FALSE(ParseListen(":80"));
}

}  // namespace
}  // namespace veille::config
