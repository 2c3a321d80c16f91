#include "config/fingerprint.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace veille::config {
namespace {

Config Base() {
  Config c;
  for (const char* url : {"https://a.example/feed", "https://b.example/rss"}) {
    FeedEntry f;
    f.url = url;
    f.name = url;
    c.feeds.push_back(f);
  }
  RuleEntry acme;
  acme.name = "acme";
  acme.query = "Acme OR \"Acme Corp\"";
  acme.channels = {"journal"};
  c.rules.push_back(acme);
  RuleEntry rival;
  rival.name = "rival brand";
  rival.query = "Rival";
  c.rules.push_back(rival);
  ChannelEntry journal;
  journal.name = "journal";
  journal.type = "log";
  c.channels.push_back(journal);
  ChannelEntry hook;
  hook.name = "hook";
  hook.type = "webhook";
  hook.url = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN";
  hook.secret_file = "/etc/veille/hook.secret";
  c.channels.push_back(hook);
  return c;
}

TEST(FingerprintTest, EqualConfigsHaveEqualFingerprintsAndNoDifference) {
  const ConfigSummary a = SummarizeConfig(Base());
  const ConfigSummary b = SummarizeConfig(Base());
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.fingerprint.size(), 16u);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(DescribeDifferences(a, b.description), "");
  EXPECT_EQ(DifferencesWarning(a, {{"host-b:2:x", b.fingerprint, b.description}}), "");
}

TEST(FingerprintTest, TheOrderOfFeedsRulesAndChannelsDoesNotMatter) {
  Config reordered = Base();
  std::swap(reordered.feeds[0], reordered.feeds[1]);
  std::swap(reordered.rules[0], reordered.rules[1]);
  std::swap(reordered.channels[0], reordered.channels[1]);
  reordered.feeds[0].line = 42;  // where a table starts is not a setting
  EXPECT_EQ(SummarizeConfig(reordered).fingerprint, SummarizeConfig(Base()).fingerprint);
}

TEST(FingerprintTest, SettingsThatDoNotActOnSharedDataDoNotCount) {
  Config other = Base();
  other.daemon.log_level = "debug";
  other.daemon.lock_file = "/run/veille/other.lock";
  other.polling.concurrency = 4;
  other.polling.per_host = 1;
  other.web.listen = "127.0.0.1:9090";
  EXPECT_EQ(SummarizeConfig(other).fingerprint, SummarizeConfig(Base()).fingerprint);
}

TEST(FingerprintTest, NamesAnExtraFeedAndAChangedRule) {
  Config other = Base();
  FeedEntry extra;
  extra.url = "https://c.example/atom?token=hunter2";
  extra.name = "c";
  other.feeds.push_back(extra);
  other.rules[0].query = "Acme OR Acmé";
  const ConfigSummary here = SummarizeConfig(other);
  const ConfigSummary stored = SummarizeConfig(Base());
  EXPECT_NE(here.fingerprint, stored.fingerprint);
  // The feed's URL is shown redacted (its token hidden), the rule by its name.
  EXPECT_EQ(DescribeDifferences(here, stored.description),
            "feeds: 1 only here (https://c.example/atom?token=***); rules: 'acme' differs; "
            "channels: same");
  // Seen from the other side: the extra feed is counted (its URL is not stored), the rule named.
  EXPECT_EQ(DescribeDifferences(stored, here.description),
            "feeds: 1 only in the other; rules: 'acme' differs; channels: same");
}

TEST(FingerprintTest, DescribesTheDifferencesInFrenchForVeilleStatus) {
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  ASSERT_TRUE(fr) << fr.error().message;
  Config other = Base();
  FeedEntry extra;
  extra.url = "https://c.example/atom";
  extra.name = "c";
  other.feeds.push_back(extra);
  other.rules[0].query = "Acme OR Acmé";
  other.rules.pop_back();
  const ConfigSummary here = SummarizeConfig(other);
  const ConfigSummary stored = SummarizeConfig(Base());
  EXPECT_EQ(DescribeDifferences(here, stored.description, 3, *fr),
            "flux : 1 seulement ici (https://c.example/atom) ; règles : 1 seulement dans "
            "l’autre ('rival brand'), 'acme' diffère ; canaux : identiques");
  // The English default is what the daemon logs.
  EXPECT_EQ(DescribeDifferences(here, stored.description),
            "feeds: 1 only here (https://c.example/atom); rules: 1 only in the other ('rival "
            "brand'), 'acme' differs; channels: same");
  EXPECT_EQ(DescribeDifferences(here, "garbage", 3, *fr),
            "son résumé de configuration est illisible (une autre version de veille ?)");
}

TEST(FingerprintTest, NamesRulesAndChannelsOnlyInTheOtherConfig) {
  Config other = Base();
  other.rules.pop_back();
  other.channels.erase(other.channels.begin() + 1);
  EXPECT_EQ(DescribeDifferences(SummarizeConfig(other), SummarizeConfig(Base()).description),
            "feeds: same; rules: 1 only in the other ('rival brand'); "
            "channels: 1 only in the other ('hook')");
}

TEST(FingerprintTest, FeedSettingsThatChangePollingCount) {
  struct Case {
    const char* what;
    void (*change)(FeedEntry&);
  };
  const Case cases[] = {
      {"interval", [](FeedEntry& f) { f.interval_s = 600; }},
      {"header",
       [](FeedEntry& f) {
         f.headers.push_back({"X-Api-Key", "k"});
       }},
      {"username", [](FeedEntry& f) { f.username = "bob"; }},
      {"password_file", [](FeedEntry& f) { f.password_file = "/etc/veille/pw"; }},
      {"priority", [](FeedEntry& f) { f.high_priority = true; }},
      {"backfill", [](FeedEntry& f) { f.backfill_alerts = true; }},
      {"name", [](FeedEntry& f) { f.name = "renamed"; }},
      {"timeout", [](FeedEntry& f) { f.timeout_s = 5; }},
  };
  const ConfigSummary base = SummarizeConfig(Base());
  for (const Case& c : cases) {
    Config other = Base();
    c.change(other.feeds[1]);
    EXPECT_EQ(DescribeDifferences(SummarizeConfig(other), base.description),
              "feeds: https://b.example/rss differs; rules: same; channels: same")
        << c.what;
  }
}

TEST(FingerprintTest, TheDefaultIntervalCountsThroughTheFeedsItApplies) {
  Config other = Base();
  other.polling.interval_s = 600;
  EXPECT_EQ(DescribeDifferences(SummarizeConfig(other), SummarizeConfig(Base()).description),
            "feeds: https://a.example/feed, https://b.example/rss differ; rules: same; "
            "channels: same; settings: 'polling.interval' differs");
}

TEST(FingerprintTest, NeverStoresASecretNorItsHash) {
  Config a = Base();
  a.feeds[0].headers.push_back({"Authorization", "Bearer s3cr3t-one"});
  a.feeds[0].username = "alice";
  Config b = a;
  b.feeds[0].headers[0].second = "Bearer s3cr3t-two";
  b.feeds[0].username = "mallory";
  b.channels[1].url = "https://hooks.slack.com/services/T000/B000/OTHERTOKEN";
  const ConfigSummary sa = SummarizeConfig(a);
  // Another header value, user name or webhook token on the same host is not a difference:
  // nothing derived from a secret is in the description.
  EXPECT_EQ(sa.fingerprint, SummarizeConfig(b).fingerprint);
  for (const char* secret : {"s3cr3t", "SECRETTOKEN", "alice", "hunter", "/services/"}) {
    EXPECT_EQ(sa.description.find(secret), std::string::npos) << secret;
  }
  // The webhook's host is part of its destination.
  Config moved = a;
  moved.channels[1].url = "https://discord.com/api/webhooks/1/abc";
  EXPECT_EQ(DescribeDifferences(SummarizeConfig(moved), sa.description),
            "feeds: same; rules: same; channels: 'hook' differs");
}

TEST(FingerprintTest, UsesTheCompiledQueryWhenGivenOne) {
  Config spaced = Base();
  spaced.rules[0].query = "Acme   OR  \"Acme Corp\"";
  // Without a canonical form, the text as written counts.
  EXPECT_NE(SummarizeConfig(spaced).fingerprint, SummarizeConfig(Base()).fingerprint);
  // With one (the pipeline passes the matcher's), two spellings of one query agree.
  const QueryCanonicalizer squeeze = [](std::string_view q) {
    std::string out;
    for (const char c : q) {
      if (c != ' ' || (!out.empty() && out.back() != ' ')) out += c;
    }
    return out;
  };
  EXPECT_EQ(SummarizeConfig(spaced, squeeze).fingerprint,
            SummarizeConfig(Base(), squeeze).fingerprint);
}

TEST(FingerprintTest, BoundsTheNamesOfALongList) {
  Config other = Base();
  for (int i = 0; i < 40; ++i) {
    FeedEntry f;
    f.url = "https://n" + std::to_string(i) + ".example/feed";
    other.feeds.push_back(f);
  }
  const std::string diff =
      DescribeDifferences(SummarizeConfig(other), SummarizeConfig(Base()).description);
  EXPECT_TRUE(
      diff.starts_with("feeds: 40 only here (https://n0.example/feed, "
                       "https://n1.example/feed, https://n10.example/feed and 37 more)"))
      << diff;
  EXPECT_LT(diff.size(), 300u);
}

TEST(FingerprintTest, TheDescriptionStaysSmallPerFeed) {
  Config big = Base();
  for (int i = 0; i < 1000; ++i) {
    FeedEntry f;
    f.url = "https://feeds.example.org/a/rather/long/path/number/" + std::to_string(i) + ".xml";
    big.feeds.push_back(f);
  }
  const ConfigSummary s = SummarizeConfig(big);
  EXPECT_LT(s.description.size(), 1000u * 24 + 2000);
  // One more feed among a thousand is still named.
  Config more = big;
  FeedEntry f;
  f.url = "https://new.example/feed";
  more.feeds.push_back(f);
  EXPECT_EQ(DescribeDifferences(SummarizeConfig(more), s.description),
            "feeds: 1 only here (https://new.example/feed); rules: same; channels: same");
}

TEST(FingerprintTest, NamesWithSpacesAndPercentSignsSurviveTheDescription) {
  Config a = Base();
  a.rules[1].name = "100% rival\tbrand";
  Config b = a;
  b.rules[1].category = "competitor";
  EXPECT_EQ(DescribeDifferences(SummarizeConfig(b), SummarizeConfig(a).description),
            "feeds: same; rules: '100% rivalbrand' differs; channels: same");
}

TEST(FingerprintTest, AnUnreadableDescriptionIsSaidSo) {
  const ConfigSummary here = SummarizeConfig(Base());
  for (const char* stored :
       {"", "veille-config-summary 2\n", "garbage", "veille-config-summary 1\nS feeds 0 0\n"}) {
    EXPECT_EQ(DescribeDifferences(here, stored),
              "its configuration summary is unreadable (another version of veille?)")
        << stored;
  }
}

TEST(FingerprintTest, OneWarningGroupsTheDaemonsByFingerprint) {
  const ConfigSummary here = SummarizeConfig(Base());
  Config extra = Base();
  extra.rules[0].category = "competitor";
  const ConfigSummary other = SummarizeConfig(extra);
  const std::string warning =
      DifferencesWarning(here, {{"a:1:x", here.fingerprint, here.description},
                                {"b:2:y", other.fingerprint, other.description},
                                {"c:3:z", other.fingerprint, other.description}});
  EXPECT_EQ(warning, "this daemon's configuration (fingerprint " + here.fingerprint +
                         ") differs from that of daemons b:2:y, c:3:z (fingerprint " +
                         other.fingerprint +
                         "): feeds: same; rules: 'acme' differs; channels: same "
                         "(docs/scaling.md, \"Configurations that differ\")");
}

TEST(FingerprintTest, TheWarningNamesAtMostThreeConfigurations) {
  const ConfigSummary here = SummarizeConfig(Base());
  std::vector<OtherConfig> others;
  for (int i = 0; i < 6; ++i) {
    Config c = Base();
    c.rules[0].entity = "e" + std::to_string(i);
    const ConfigSummary s = SummarizeConfig(c);
    others.push_back({"daemon-" + std::to_string(i) + ":1:x", s.fingerprint, s.description});
  }
  const std::string warning = DifferencesWarning(here, others);
  EXPECT_NE(warning.find("daemon-2:1:x"), std::string::npos) << warning;
  EXPECT_NE(warning.find("; and from 3 more daemons with other configurations"), std::string::npos)
      << warning;
  EXPECT_EQ(warning.find("daemon-3:1:x"), std::string::npos) << warning;
}

}  // namespace
}  // namespace veille::config
