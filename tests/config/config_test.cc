#include "config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace veille::config {
namespace {

Result<Config> Parse(const std::string& text) {
  return ParseConfig(text, "/etc/veille/veille.toml");
}

TEST(ConfigTest, AnEmptyFileGivesTheDocumentedDefaults) {
  auto c = Parse("");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->daemon.database, "/etc/veille/veille.db");
  EXPECT_EQ(c->daemon.lock_file, "/etc/veille/veille.db.lock");
  EXPECT_EQ(c->daemon.log_level, "info");
  EXPECT_EQ(c->daemon.language, "en");
  EXPECT_EQ(c->polling.interval_s, 1800);
  EXPECT_EQ(c->polling.min_interval_s, 300);
  EXPECT_EQ(c->polling.max_interval_s, 86400);
  EXPECT_EQ(c->polling.concurrency, 32);
  EXPECT_EQ(c->polling.per_host, 2);
  EXPECT_EQ(c->polling.max_body, 16u * 1024 * 1024);
  EXPECT_TRUE(c->feeds.empty());
}

TEST(ConfigTest, ReadsTheArchitectureExample) {
  auto c = Parse(R"(
[daemon]
database = "data/veille.db"
log_level = "debug"
[polling]
interval = "30m"
min_interval = "5m"
max_interval = "24h"
concurrency = 16
per_host = 2
timeout = "30s"
max_body = "8MiB"
allow_private = ["127.0.0.1:8080"]
[[feed]]
url = "https://news.google.com/rss/search?q=%22l%27Or%C3%A9al%22&hl=fr"
name = "Google News — L'Oréal"
interval = "10m"
tags = ["presse"]
[[feed]]
url = "feeds/local.xml"
[[rule]]
name = "marque"
category = "brand"
query = '''"L'Oréal" OR Lancôme OR Garnier'''
exclude = 'emploi OR recrute'
channels = ["equipe-com", "journal"]
[[channel]]
name = "equipe-com"
type = "email"
smtp_url = "smtp://mail.example.org:587"
username = "veille"
password_file = "smtp.pass"
from = "veille <veille@example.org>"
to = ["com@example.org"]
[[channel]]
name = "journal"
type = "log"
)");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->daemon.database, "/etc/veille/data/veille.db");
  EXPECT_EQ(c->polling.max_body, 8u * 1024 * 1024);
  EXPECT_EQ(c->polling.concurrency, 16);
  ASSERT_EQ(c->feeds.size(), 2u);
  EXPECT_EQ(c->feeds[0].name, "Google News — L'Oréal");
  EXPECT_EQ(c->feeds[0].interval_s, 600);
  EXPECT_EQ(c->feeds[1].url, "file:///etc/veille/feeds/local.xml");
  EXPECT_EQ(c->feeds[1].name, "feeds/local.xml");
  ASSERT_EQ(c->rules.size(), 1u);
  EXPECT_EQ(c->rules[0].query, R"("L'Oréal" OR Lancôme OR Garnier)");
  EXPECT_EQ(c->rules[0].channels.size(), 2u);
  EXPECT_EQ(c->channels[0].password_file, "/etc/veille/smtp.pass");
  EXPECT_EQ(c->channels[1].type, "log");
}

struct ErrorCase {
  const char* toml;
  const char* expected;  // the whole message
};

TEST(ConfigTest, ErrorsNameTheFileAndLineAndSuggestTheRightKey) {
  const ErrorCase cases[] = {
      {"[daemon]\ndatabse = \"x.db\"\n",
       "/etc/veille/veille.toml:2: unknown key 'databse' in [daemon] (did you mean 'database'?)"},
      {"[polling]\ninterval = \"30 minutes\"\n",
       "/etc/veille/veille.toml:2: 'interval' must be a duration such as \"90s\", \"30m\", \"24h\" "
       "or \"7d\""},
      {"[[feed]]\nname = \"x\"\n", "/etc/veille/veille.toml:1: [[feed]] needs a 'url'"},
      {"[[feed]]\nurl = \"gopher://x.org/\"\n",
       "/etc/veille/veille.toml:2: 'url' scheme must be http, https or file, not 'gopher'"},
      {"[[rule]]\nname = \"r\"\nquery = \"x\"\nchannels = [\"jornal\"]\n[[channel]]\nname = "
       "\"journal\"\ntype = \"log\"\n",
       "/etc/veille/veille.toml:1: rule \"r\" names unknown channel \"jornal\" (did you mean "
       "\"journal\"?)"},
      {"[[channel]]\nname = \"c\"\ntype = \"emial\"\n",
       "/etc/veille/veille.toml:3: channel \"c\": unknown type 'emial' (did you mean 'email'?)"},
      {"[[rule]]\nname = \"r\"\n",
       "/etc/veille/veille.toml:1: rule \"r\" needs a non-empty 'query'"},
      {"[polling]\nconcurrency = 0\n",
       "/etc/veille/veille.toml:2: 'concurrency' must be between 1 and 1024"},
      {"[polling]\nallow_private = [\"127.0.0.1\"]\n",
       "/etc/veille/veille.toml:2: 'allow_private' entries must be \"host:port\", got "
       "\"127.0.0.1\""},
      {"[[feed]]\nurl = \"a.xml\"\n[[feed]]\nurl = \"a.xml\"\n",
       "/etc/veille/veille.toml:3: feed 'file:///etc/veille/a.xml' is listed twice"},
      {"[daemon]\nlanguage = \"french\"\n",
       "/etc/veille/veille.toml:2: 'language' must be \"en\" or \"fr\", not \"french\""},
      {"[polling]\nmin_interval = \"2d\"\n",
       "/etc/veille/veille.toml:2: 'min_interval' is longer than 'max_interval'"},
  };
  for (const auto& c : cases) {
    auto r = Parse(c.toml);
    ASSERT_FALSE(r) << "accepted:\n" << c.toml;
    EXPECT_EQ(r.error().code, ErrorCode::kConfig);
    EXPECT_EQ(r.error().message, c.expected) << "input:\n" << c.toml;
  }
}

TEST(ConfigTest, RulesHaveAnEntityForTheShareOfVoiceByDefaultTheirName) {
  auto c = Parse(R"(
[[rule]]
name = "marque"
entity = "Alpéa"
query = 'Alpéa'
[[rule]]
name = "crise"
category = "risque"
entity = "Alpéa"
query = 'Alpéa NEAR/5 rappel'
[[rule]]
name = "Evian"
category = "competitor"
query = 'Evian'
)");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->rules[0].entity, "Alpéa");
  EXPECT_EQ(c->rules[1].entity, "Alpéa");
  EXPECT_EQ(c->rules[2].entity, "Evian");

  auto empty = Parse("[[rule]]\nname = \"r\"\nentity = \" \"\nquery = \"x\"\n");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message,
            "/etc/veille/veille.toml:3: 'entity' must not be empty (leave it out to use the "
            "rule's name)");
  auto both = Parse(R"([[rule]]
name = "marque"
entity = "Alpéa"
query = 'Alpéa'
[[rule]]
name = "rival"
category = "competitor"
entity = "Alpéa"
query = 'Evian'
)");
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().message,
            "/etc/veille/veille.toml:5: rule \"rival\" puts entity \"Alpéa\" in category "
            "competitor, but rule \"marque\" puts it in brand: the share of voice compares "
            "entities, each a brand or a competitor");
}

TEST(ConfigTest, ReadsTheOutputLanguage) {
  auto c = Parse("[daemon]\nlanguage = \"fr\"\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->daemon.language, "fr");
}

TEST(ConfigTest, TomlSyntaxErrorsCarryTheirLine) {
  auto r = Parse("[daemon]\nlog_level = \"info\"\nuser_agent = \n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("/etc/veille/veille.toml:3: ", 0), 0u) << r.error().message;
}

TEST(ConfigTest, LoadConfigReportsAnUnreadableFile) {
  auto r = LoadConfig("/nonexistent/veille.toml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("/nonexistent/veille.toml"), std::string::npos);
}

// Issue 18: a postgresql:// or postgres:// URL is a PostgreSQL database, not a path.
TEST(ConfigTest, APostgresUrlIsKeptAsWrittenAndNeedsNoLockFile) {
  for (const char* url : {"postgresql://veille@db.example:5432/veille?sslmode=verify-full",
                          "POSTGRES://veille@%2Frun%2Fpostgresql/veille"}) {
    auto c = Parse(std::string("[daemon]\ndatabase = \"") + url +
                   "\"\nlock_file = \"/run/veille/veilled.lock\"\n");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->daemon.database, url);
    EXPECT_EQ(c->daemon.lock_file, "/run/veille/veilled.lock");
    EXPECT_TRUE(IsDatabaseUrl(c->daemon.database));
  }
  EXPECT_FALSE(IsDatabaseUrl("/var/lib/veille/veille.db"));
  EXPECT_FALSE(IsDatabaseUrl("postgresql.db"));  // a file that happens to be named so
  // Several daemons may share a PostgreSQL database (docs/scaling.md): no lock file unless one
  // is configured (it used to be required, and "<url>.lock" is no path).
  auto no_lock = Parse("[daemon]\ndatabase = \"postgresql://veille@db.example/veille\"\n");
  ASSERT_TRUE(no_lock) << no_lock.error().message;
  EXPECT_EQ(no_lock->daemon.lock_file, "");
}

// docs/scaling.md, "Leases": how long a lease lasts unrenewed; at least one second.
TEST(ConfigTest, ReadsTheLeaseTime) {
  auto defaults = ParseConfig("", "/t.toml");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->daemon.lease_time_ms, 120'000);
  auto set = ParseConfig("[daemon]\nlease_time = \"30s\"\n", "/t.toml");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->daemon.lease_time_ms, 30'000);
  auto short_lease = ParseConfig("[daemon]\nlease_time = \"500ms\"\n", "/t.toml");
  ASSERT_FALSE(short_lease);
  EXPECT_EQ(short_lease.error().message, "/t.toml:2: 'lease_time' must be at least 1s");
}

TEST(ConfigTest, APasswordInTheDatabaseUrlIsRefusedWithoutBeingRepeated) {
  for (const char* url : {"postgresql://veille:s3cret@db.example/veille",
                          "postgres://veille@db.example/veille?sslmode=require&password=s3cret",
                          "postgresql://db.example/veille?PASSWORD=s3cret"}) {
    auto c = Parse(std::string("[daemon]\ndatabase = \"") + url +
                   "\"\nlock_file = \"/run/veille/veilled.lock\"\n");
    ASSERT_FALSE(c) << url;
    EXPECT_NE(c.error().message.find("must not hold a password"), std::string::npos)
        << c.error().message;
    EXPECT_EQ(c.error().message.find("s3cret"), std::string::npos) << c.error().message;
  }
  // A user name alone, and an '@' or ':' after the host, are no password.
  auto c = Parse(
      "[daemon]\ndatabase = \"postgresql://veille@db.example:5432/veille?application_name=a:b\"\n"
      "lock_file = \"/run/veille/veilled.lock\"\n");
  EXPECT_TRUE(c) << c.error().message;
}

TEST(ConfigTest, RelativeConfigPathsResolveAgainstTheFilesDirectory) {
  const auto dir = std::filesystem::temp_directory_path() / "veille-config-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "veille.toml";
  std::ofstream(file) << "[daemon]\ndatabase = \"state/v.db\"\n[[feed]]\nurl = \"../f.xml\"\n";
  auto c = LoadConfig(file.string());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->daemon.database, (dir / "state/v.db").string());
  EXPECT_EQ(c->feeds[0].url, "file://" + (dir.parent_path() / "f.xml").string());
  std::filesystem::remove_all(dir);
}

TEST(ConfigTest, ParsesSizes) {
  EXPECT_EQ(ParseSize("16MiB"), 16u * 1024 * 1024);
  EXPECT_EQ(ParseSize("512KiB"), 512u * 1024);
  EXPECT_EQ(ParseSize("1GB"), 1000000000u);
  EXPECT_EQ(ParseSize("4096"), 4096u);
  EXPECT_FALSE(ParseSize("16 MiB"));
  EXPECT_FALSE(ParseSize("MiB"));
  EXPECT_FALSE(ParseSize("0"));
}

}  // namespace
}  // namespace veille::config

namespace veille::config {
namespace {

TEST(ConfigTest, AFeedNamedByItsUrlNeverShowsTheUrlsSecrets) {
  auto c = ParseConfig("[[feed]]\nurl = \"https://user:pw@x.org/rss?token=abc\"\n", "/t/v.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->feeds[0].name, "https://***@x.org/rss?token=***");
  EXPECT_EQ(c->feeds[0].url, "https://user:pw@x.org/rss?token=abc");
}

}  // namespace
}  // namespace veille::config

namespace veille::config {
namespace {

TEST(ConfigTest, ReadsPerFeedHttpSettingsAndPollingPoliteness) {
  auto c = ParseConfig(R"(
[polling]
host_spacing = "500ms"
max_redirects = 3
broken_after = "7d"
[[feed]]
url = "https://x.org/rss"
user_agent = "veille-test"
headers = { Cookie = "consent=yes", "X-Api-Version" = "2" }
username = "me"
password_file = "secrets/x.pass"
ca_file = "ca.pem"
timeout = "20s"
)",
                       "/etc/veille/veille.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->polling.host_spacing_ms, 500);
  EXPECT_EQ(c->polling.max_redirects, 3);
  EXPECT_EQ(c->polling.broken_after_s, 7 * 86400);
  const FeedEntry& f = c->feeds[0];
  EXPECT_EQ(f.user_agent, "veille-test");
  ASSERT_EQ(f.headers.size(), 2u);
  EXPECT_EQ(f.headers[0].first, "Cookie");
  EXPECT_EQ(f.password_file, "/etc/veille/secrets/x.pass");
  EXPECT_EQ(f.ca_file, "/etc/veille/ca.pem");
  EXPECT_EQ(f.timeout_s, 20);
  auto zero = ParseConfig("[polling]\nhost_spacing = \"0\"\n", "/t.toml");
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->polling.host_spacing_ms, 0);
}

TEST(ConfigTest, PublisherIntervalsAreHonouredOnlyWhenAskedPerFeedOrForAll) {
  auto c = ParseConfig(R"(
[[feed]]
url = "https://x.org/a"
[[feed]]
url = "https://x.org/b"
honor_publisher_interval = true
)",
                       "/t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->polling.honor_publisher_interval);
  EXPECT_FALSE(c->feeds[0].honor_publisher_interval.has_value());
  EXPECT_EQ(c->feeds[1].honor_publisher_interval, true);
  auto all = ParseConfig("[polling]\nhonor_publisher_interval = true\n", "/t.toml");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_TRUE(all->polling.honor_publisher_interval);
  auto bad = ParseConfig("[polling]\nhonor_publisher_interval = \"yes\"\n", "/t.toml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("/t.toml:2:"), std::string::npos) << bad.error().message;
}

TEST(ConfigTest, ReadsTheGroupCommitBounds) {
  auto defaults = ParseConfig("", "/t.toml");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->daemon.commit_interval_ms, 1000);
  EXPECT_EQ(defaults->daemon.commit_batch, 64);
  auto set = ParseConfig("[daemon]\ncommit_interval = \"250ms\"\ncommit_batch = 16\n", "/t.toml");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->daemon.commit_interval_ms, 250);
  EXPECT_EQ(set->daemon.commit_batch, 16);
  auto each = ParseConfig("[daemon]\ncommit_interval = \"0\"\n", "/t.toml");
  ASSERT_TRUE(each) << each.error().message;
  EXPECT_EQ(each->daemon.commit_interval_ms, 0);
}

TEST(ConfigTest, RefusesHeaderInjectionAndAPasswordWithoutUser) {
  const ErrorCase cases[] = {
      {"[[feed]]\nurl = \"https://x.org/\"\nheaders = { X = \"a\\r\\nBcc: evil\" }\n",
       "/t.toml:3: header 'X' must be a name and a one-line value (no CR/LF)"},
      {"[[feed]]\nurl = \"https://x.org/\"\nuser_agent = \"a\\nb\"\n",
       "/t.toml:3: 'user_agent' must be one line without control characters"},
      {"[[feed]]\nurl = \"https://x.org/\"\npassword_file = \"p\"\n",
       "/t.toml:3: 'password_file' needs a 'username'"},
      {"[polling]\nhost_spacing = \"fast\"\n",
       "/t.toml:2: 'host_spacing' must be a duration such as \"250ms\", \"2s\" or \"0\" (at "
       "most 3600s)"},
      {"[daemon]\ncommit_interval = \"2m\"\n",
       "/t.toml:2: 'commit_interval' must be a duration such as \"250ms\", \"2s\" or \"0\" (at "
       "most 60s)"},
      {"[daemon]\ncommit_batch = 0\n", "/t.toml:2: 'commit_batch' must be between 1 and 10000"},
  };
  for (const auto& c : cases) {
    auto r = ParseConfig(c.toml, "/t.toml");
    ASSERT_FALSE(r) << "accepted:\n" << c.toml;
    EXPECT_EQ(r.error().message, c.expected) << "input:\n" << c.toml;
  }
}

}  // namespace
}  // namespace veille::config
