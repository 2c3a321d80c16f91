// [[channel]] keys for email and webhook delivery: defaults, validation, file:line errors.
#include <gtest/gtest.h>

#include "config/config.h"

namespace veille::config {
namespace {

Result<Config> Parse(const std::string& channel) {
  return ParseConfig("[[channel]]\n" + channel, "/etc/veille/veille.toml");
}

std::string ErrorOf(const std::string& channel) {
  auto c = Parse(channel);
  EXPECT_FALSE(c) << channel;
  return c ? "" : c.error().message;
}

TEST(ChannelConfig, AnEmailChannelGetsTheDocumentedDefaults) {
  auto c = Parse(
      "name = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org:587\"\n"
      "from = \"veille <v@example.org>\"\nto = [\"a@example.org\"]\n");
  ASSERT_TRUE(c) << c.error().message;
  const ChannelEntry& e = c->channels.at(0);
  EXPECT_EQ(e.tls, "starttls");
  EXPECT_EQ(e.mode, "immediate");
  EXPECT_EQ(e.time_zone, "UTC");
  EXPECT_FALSE(e.quiet_hours);
  EXPECT_EQ(e.burst_limit, 0);
  EXPECT_FALSE(e.timeout_s);
}

TEST(ChannelConfig, DigestQuietHoursAndTimeZoneAreRead) {
  auto c = Parse(
      "name = \"mail\"\ntype = \"log\"\nmode = \"digest\"\ndigest = \"daily\"\n"
      "digest_at = \"07:30\"\ntime_zone = \"Europe/Paris\"\nquiet_hours = \"22:00-07:00\"\n"
      "burst_limit = 5\nburst_window = \"15m\"\n");
  ASSERT_TRUE(c) << c.error().message;
  const ChannelEntry& e = c->channels.at(0);
  EXPECT_EQ(e.digest_minute, 7 * 60 + 30);
  EXPECT_EQ(e.quiet_hours, std::make_pair(22 * 60, 7 * 60));
  EXPECT_EQ(e.burst_limit, 5);
  EXPECT_EQ(e.burst_window_s, 900);
}

TEST(ChannelConfig, SecretsMayComeFromSystemdCredentials) {
  auto c = Parse(
      "name = \"hook\"\ntype = \"webhook\"\nurl = \"https://h.example/x\"\n"
      "secret_file = \"credential:hook-secret\"\nformat = \"slack\"\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->channels.at(0).secret_file, "credential:hook-secret");
  auto relative = Parse(
      "name = \"hook\"\ntype = \"webhook\"\nurl = \"https://h.example/x\"\n"
      "secret_file = \"hook.secret\"\n");
  ASSERT_TRUE(relative);
  EXPECT_EQ(relative->channels.at(0).secret_file, "/etc/veille/hook.secret");
}

// Security review finding 5: a webhook URL carries its token; like a password it may come from
// a file or a systemd credential.
TEST(ChannelConfig, AWebhookUrlMayComeFromAFileOrACredential) {
  auto c = Parse("name = \"h\"\ntype = \"webhook\"\nurl_file = \"credential:discord-url\"\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->channels.at(0).url_file, "credential:discord-url");
  EXPECT_EQ(c->channels.at(0).url, "");
  auto relative = Parse("name = \"h\"\ntype = \"webhook\"\nurl_file = \"hook.url\"\n");
  ASSERT_TRUE(relative) << relative.error().message;
  EXPECT_EQ(relative->channels.at(0).url_file, "/etc/veille/hook.url");
}

TEST(ChannelConfig, ErrorsNameTheFileAndLineOfTheBadKey) {
  const std::string e = ErrorOf(
      "name = \"mail\"\ntype = \"email\"\nsmtp_url = \"smtp://mail.example.org\"\n"
      "from = \"v@example.org\"\nto = [\"a@example.org\"]\ntls = \"none\"\n");
  EXPECT_EQ(e.rfind("/etc/veille/veille.toml:7: tls = \"none\" is only allowed", 0), 0u) << e;
}

TEST(ChannelConfig, RejectsMistakesWithAHelpfulMessage) {
  const std::pair<const char*, const char*> cases[] = {
      {"name = \"h\"\ntype = \"webhook\"\nurl = \"https://h.example\"\nformat = \"slak\"\n",
       "did you mean 'slack'"},
      {"name = \"h\"\ntype = \"webhook\"\nurl = \"ftp://h.example\"\n", "http:// or https://"},
      {"name = \"h\"\ntype = \"webhook\"\nurl = \"https://h.example\"\nsmtp_url = \"smtp://x\"\n",
       "applies to email channels only"},
      {"name = \"m\"\ntype = \"email\"\nsmtp_url = \"smtps://x.org\"\nfrom = \"a@b.org\"\n"
       "to = [\"c@d.org\"]\ntls = \"starttls\"\n",
       "smtps"},
      {"name = \"m\"\ntype = \"email\"\nsmtp_url = \"smtp://x.org\"\nfrom = \"a@b.org\"\n"
       "to = [\"c@d.org\\r\\nBcc: e@f.org\"]\n",
       "needs an email address"},
      {"name = \"m\"\ntype = \"email\"\nsmtp_url = \"smtp://x.org\"\nfrom = \"a@b.org\"\n"
       "to = [\"c@d.org\"]\nusername = \"u\"\n",
       "needs 'password_file'"},
      {"name = \"l\"\ntype = \"log\"\ntime_zone = \"Mars/Base\"\n", "unknown 'time_zone'"},
      {"name = \"l\"\ntype = \"log\"\ndigest_at = \"08:00\"\n", "needs mode = \"digest\""},
      {"name = \"l\"\ntype = \"log\"\nmode = \"digest\"\ndigest_at = \"8h\"\n", "HH:MM"},
      {"name = \"l\"\ntype = \"log\"\nquiet_hours = \"22:00\"\n", "HH:MM-HH:MM"},
      {"name = \"h\"\ntype = \"webhook\"\nurl = \"https://h.example\"\n"
       "secret_file = \"credential:../x\"\n",
       "plain name"},
      {"name = \"h\"\ntype = \"webhook\"\n", "needs either 'url' or 'url_file'"},
      {"name = \"h\"\ntype = \"webhook\"\nurl = \"https://h.example\"\nurl_file = \"u\"\n",
       "needs either 'url' or 'url_file'"},
      {"name = \"h\"\ntype = \"webhook\"\nurl = \"https://h.example:99999/\"\n",
       "http:// or https://"},
      {"name = \"h\"\ntype = \"webhook\"\nurl_file = \"credential:a/b\"\n", "plain name"},
  };
  for (const auto& [channel, expected] : cases) {
    const std::string e = ErrorOf(channel);
    EXPECT_NE(e.find(expected), std::string::npos) << channel << "\n-> " << e;
  }
}

TEST(ChannelConfig, SpikeAndFeedHealthAlertsAreOptInPerChannel) {
  auto c =
      Parse("name = \"ops\"\ntype = \"log\"\nspike_alerts = true\nfeed_health_alerts = true\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->channels.at(0).spike_alerts);
  EXPECT_TRUE(c->channels.at(0).feed_health_alerts);
  auto plain = Parse("name = \"l\"\ntype = \"log\"\n");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->channels.at(0).spike_alerts);
  EXPECT_NE(ErrorOf("name = \"l\"\ntype = \"log\"\nspike_alerts = \"yes\"\n").find("true or false"),
            std::string::npos);
}

TEST(ChannelConfig, AnSmtpsUrlImpliesImplicitTls) {
  auto c = Parse(
      "name = \"m\"\ntype = \"email\"\nsmtp_url = \"smtps://mail.example.org\"\n"
      "from = \"a@b.org\"\nto = [\"c@d.org\"]\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->channels.at(0).tls, "smtps");
}

}  // namespace
}  // namespace veille::config
