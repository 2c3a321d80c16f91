#include "alert/payload.h"

#include <gtest/gtest.h>

#include <memory>

#include "alert/event_text.h"
#include "alert/log_transport.h"
#include "alert/mime.h"
#include "config/entities.h"
#include "i18n/translator.h"

namespace veille::alert {
namespace {

Alert SampleAlert() {
  Alert a;
  a.outbox.idempotency_key = "v1-key";
  a.outbox.channel = "hook";
  a.mention.rule = "marque";
  a.mention.category = "brand";
  a.mention.created_at = 1795638610;
  a.mention.title = "Orélia <lance> *tout* @everyone";
  a.mention.link = "https://news.example/a";
  a.mention.author = "Jeanne";
  a.mention.published_at = 1795638000;
  a.mention.feed_name = "Presse";
  a.mention.feed_url = "https://user:pw@feeds.example/rss?token=abc";
  a.mention.snippet = "la marque Orélia lance";
  a.mention.highlights = {{10, 17}};
  a.mention.terms = {"Orélia"};
  a.canonical_link = "https://news.example/canonical";
  return a;
}

TEST(MentionPayload, FollowsSchemaVersion1) {
  const auto j = MentionPayload(SampleAlert());
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["type"], "mention.created");
  EXPECT_EQ(j["id"], "v1-key");
  EXPECT_EQ(j["channel"], "hook");
  EXPECT_EQ(j["detected_at"], "2026-11-25T20:30:10Z");
  EXPECT_EQ(j["rule"]["name"], "marque");
  EXPECT_EQ(j["rule"]["category"], "brand");
  EXPECT_EQ(j["entry"]["canonical_link"], "https://news.example/canonical");
  EXPECT_EQ(j["entry"]["published"], "2026-11-25T20:20:00Z");
  EXPECT_EQ(j["entry"]["author"], "Jeanne");
  EXPECT_EQ(j["snippet"]["highlights"][0][0], 10);
  EXPECT_EQ(j["terms"][0], "Orélia");
  EXPECT_EQ(j["feed"]["name"], "Presse");
}

// Who each rule is about, as the dispatcher hands it over from the configuration in force.
std::shared_ptr<const config::RuleEntities> Entities(config::RuleEntities entities) {
  return std::make_shared<const config::RuleEntities>(std::move(entities));
}

// Issue 19: a communications team routes alerts by brand: every rule object names its entity.
TEST(MentionPayload, EveryRuleNamesItsEntityAndNullWhenTheRuleIsNoLongerConfigured) {
  Alert a = SampleAlert();
  store::MentionRow crise = a.mention;
  crise.rule = "crise";
  crise.category = "crisis";
  a.more_mentions.push_back(crise);
  a.more_rows.push_back(a.outbox);
  // Not configured at all (no entities handed over): null, never a missing key.
  auto j = MentionPayload(a);
  ASSERT_TRUE(j["rule"].contains("entity")) << j["rule"];
  EXPECT_TRUE(j["rule"]["entity"].is_null()) << j["rule"];
  EXPECT_TRUE(j["rules"][0]["entity"].is_null()) << j["rules"];
  EXPECT_TRUE(j["rules"][1]["entity"].is_null()) << j["rules"];
  // "marque" is about Alpéa; "crise" was removed from the configuration since.
  a.entities = Entities({{"marque", "Alpéa"}, {"autre", "Evian"}});
  j = MentionPayload(a);
  EXPECT_EQ(j["version"], 1) << "an added field keeps version 1";
  EXPECT_EQ(j["rule"], nlohmann::json::parse(R"({"name": "marque", "category": "brand",
                                                  "entity": "Alpéa"})"));
  EXPECT_EQ(j["rules"][0]["entity"], "Alpéa");
  EXPECT_EQ(j["rules"][0]["name"], "marque");
  ASSERT_TRUE(j["rules"][1].contains("entity"));
  EXPECT_TRUE(j["rules"][1]["entity"].is_null()) << j["rules"][1];
  // A rule without an `entity` key is about itself (config::EntitiesOf), as in the archive.
  config::RuleEntry marque;
  marque.name = "marque";
  config::RuleEntry crise_rule;
  crise_rule.name = "crise";
  crise_rule.entity = "Alpéa";
  a.entities = Entities(config::EntitiesOf({marque, crise_rule}));
  j = MentionPayload(a);
  EXPECT_EQ(j["rule"]["entity"], "marque");
  EXPECT_EQ(j["rules"][1]["entity"], "Alpéa");
}

TEST(MentionPayload, AnEntityGoesThroughTheSameSanitisingAsTheRuleName) {
  Alert a = SampleAlert();
  a.mention.rule = "bad \xff rule";
  a.entities = Entities({{a.mention.rule,
                          "Alp\xe9"
                          "a \"</script>\x01"}});
  const auto parsed = nlohmann::json::parse(WebhookBody(WebhookFormat::kJson, a));
  EXPECT_EQ(parsed["rule"]["name"], "bad \xEF\xBF\xBD rule");
  EXPECT_EQ(parsed["rule"]["entity"], parsed["rules"][0]["entity"]);
  // Invalid UTF-8 replaced, the control character dropped; JSON's own escaping, no HTML's.
  EXPECT_EQ(parsed["rule"]["entity"],
            "Alp\xEF\xBF\xBD"
            "a \"</script>");
}

TEST(MentionPayload, RedactsSecretsInTheFeedUrl) {
  const std::string url = MentionPayload(SampleAlert())["feed"]["url"];
  EXPECT_EQ(url.find("pw"), std::string::npos) << url;
  EXPECT_EQ(url.find("abc"), std::string::npos) << url;
}

TEST(WebhookBody, InvalidUtf8InFeedTextStillGivesValidJson) {
  Alert a = SampleAlert();
  a.mention.title = "bad \xff byte";
  const std::string body = WebhookBody(WebhookFormat::kJson, a);
  const auto parsed = nlohmann::json::parse(body);
  EXPECT_EQ(parsed["entry"]["title"], "bad \xEF\xBF\xBD byte");
}

TEST(WebhookBody, SlackEscapesItsControlCharactersAndLinksTheTitle) {
  const auto j = nlohmann::json::parse(WebhookBody(WebhookFormat::kSlack, SampleAlert()));
  const std::string text = j["text"];
  // The canonical link opens the title; the link as published follows it.
  EXPECT_NE(text.find("<https://news.example/canonical|Orélia &lt;lance&gt; *tout* @everyone> "
                      "(<https://news.example/a|original link>)"),
            std::string::npos)
      << text;
}

TEST(WebhookBody, DiscordNeverPingsAndEscapesMarkdown) {
  const auto j = nlohmann::json::parse(WebhookBody(WebhookFormat::kDiscord, SampleAlert()));
  EXPECT_TRUE(j["allowed_mentions"]["parse"].empty());
  const std::string content = j["content"];
  EXPECT_NE(content.find("\\*tout\\*"), std::string::npos) << content;
  EXPECT_NE(content.find("\\@everyone"), std::string::npos) << content;
}

TEST(WebhookBody, TeamsIsAnAdaptiveCardMessage) {
  const auto j = nlohmann::json::parse(WebhookBody(WebhookFormat::kTeams, SampleAlert()));
  EXPECT_EQ(j["type"], "message");
  EXPECT_EQ(j["attachments"][0]["contentType"], "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(j["attachments"][0]["content"]["type"], "AdaptiveCard");
}

// Security review finding 7: a link closed the Markdown link and opened a second one.
TEST(WebhookBody, ALinkCannotCloseItsMarkdownLinkAndAddAnother) {
  Alert a = SampleAlert();
  a.canonical_link.reset();
  a.mention.title = "Titre";
  a.mention.link = "https://example.com/x)[Verify your account](https://phish.example/login";
  const std::string expected =
      "[Titre](https://example.com/x%29%5BVerify%20your%20account%5D%28https://phish.example/"
      "login)";
  for (WebhookFormat format : {WebhookFormat::kDiscord, WebhookFormat::kTeams}) {
    const auto j = nlohmann::json::parse(WebhookBody(format, a));
    const std::string text =
        format == WebhookFormat::kDiscord
            ? j["content"].get<std::string>()
            : j["attachments"][0]["content"]["body"][1]["text"].get<std::string>();
    EXPECT_NE(text.find(expected), std::string::npos) << text;
    EXPECT_EQ(text.find("](https://phish"), std::string::npos) << text;
  }
}

TEST(WebhookBody, AHostileOriginalLinkBesideTheCanonicalOneIsEncodedToo) {
  Alert a = SampleAlert();
  a.mention.link = "https://example.com/x)[Verify](https://phish.example/login";
  const auto j = nlohmann::json::parse(WebhookBody(WebhookFormat::kDiscord, a));
  const std::string text = j["content"];
  EXPECT_NE(text.find("(https://news.example/canonical)"), std::string::npos) << text;
  EXPECT_NE(text.find("(https://example.com/x%29%5BVerify%5D%28https://phish.example/login)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("](https://phish"), std::string::npos) << text;
}

TEST(WebhookBody, AnArticleMatchingTwoRulesNamesBothAndListsEachRulesTerms) {
  Alert a = SampleAlert();
  store::MentionRow crise = a.mention;
  crise.rule = "crise";
  crise.category = "crisis";
  crise.terms = {"rappel"};
  crise.snippet = "un rappel";
  a.more_mentions.push_back(crise);
  a.more_rows.push_back(a.outbox);
  const auto j = MentionPayload(a);
  EXPECT_EQ(j["id"], "v1-key");
  EXPECT_EQ(j["rule"]["name"], "marque") << "version 1 field kept: the first rule";
  ASSERT_EQ(j["rules"].size(), 2u);
  EXPECT_EQ(j["rules"][1]["name"], "crise");
  EXPECT_EQ(j["rules"][1]["category"], "crisis");
  EXPECT_EQ(j["rules"][1]["terms"][0], "rappel");
  EXPECT_EQ(j["rules"][1]["snippet"]["text"], "un rappel");
  EXPECT_EQ(j["terms"], nlohmann::json::parse(R"(["Orélia", "rappel"])"));
  const auto slack = nlohmann::json::parse(WebhookBody(WebhookFormat::kSlack, a));
  EXPECT_EQ(slack["text"].get<std::string>().rfind("*[veille] marque, crise*: ", 0), 0u)
      << slack["text"];
  const auto digest =
      nlohmann::json::parse(DigestBody(WebhookFormat::kSlack, {a}, "digest-1", "hook", 0));
  EXPECT_NE(
      digest["text"].get<std::string>().find("[veille] digest: 1 article*\n\n*marque, crise*"),
      std::string::npos)
      << digest["text"];
}

// A team that watches several brands sorts its chat alerts by who they are about: the heading
// names the entity when a rule's `entity` says more than its name, in every chat format.
TEST(WebhookBody, ChatHeadingsNameWhoTheRulesAreAbout) {
  Alert a = SampleAlert();
  a.mention.title = "Titre";
  a.entities = Entities({{"marque", "Alp*éa*"}});
  const auto slack = nlohmann::json::parse(WebhookBody(WebhookFormat::kSlack, a));
  EXPECT_EQ(slack["text"].get<std::string>().rfind("*[veille] marque (Alp*éa*)*: ", 0), 0u)
      << slack["text"];
  const auto discord = nlohmann::json::parse(WebhookBody(WebhookFormat::kDiscord, a));
  EXPECT_EQ(discord["content"].get<std::string>().rfind("**[veille] marque \\(Alp\\*éa\\*\\)**", 0),
            0u)
      << discord["content"];
  const auto teams = nlohmann::json::parse(WebhookBody(WebhookFormat::kTeams, a));
  EXPECT_NE(teams.dump().find("[veille] marque \\\\(Alp\\\\*éa\\\\*\\\\)"), std::string::npos)
      << teams;
  // A digest groups its articles under the rules and who they are about.
  Alert other = SampleAlert();
  other.mention.title = "Autre";
  other.entities = Entities({{"marque", "Orélia"}});
  const std::string digest = nlohmann::json::parse(
      DigestBody(WebhookFormat::kSlack, {a, other}, "digest-1", "hook", 0))["text"];
  EXPECT_NE(digest.find("\n\n*marque (Alp*éa*)*\n"), std::string::npos) << digest;
  EXPECT_NE(digest.find("\n\n*marque (Orélia)*\n"), std::string::npos) << digest;
  // The rule's own name as its entity, or a rule no longer configured: the rules alone.
  for (const auto& entities : {Entities({{"marque", "marque"}}), Entities({{"autre", "X"}})}) {
    a.entities = entities;
    const auto plain = nlohmann::json::parse(WebhookBody(WebhookFormat::kSlack, a));
    EXPECT_EQ(plain["text"].get<std::string>().rfind("*[veille] marque*: ", 0), 0u)
        << plain["text"];
  }
}

// The `log` channel's line names the rule's entity (docs/operations.md), quoted like the rest.
TEST(FormatLogLine, NamesTheEntityWhileTheRuleIsConfigured) {
  Alert a = SampleAlert();
  auto line = [&] { return FormatLogLine(a, a.mention); };
  EXPECT_EQ(line().find(" entity="), std::string::npos) << "no configuration handed over";
  a.entities = Entities({{"marque", "Alp\"éa\n"}});
  EXPECT_EQ(line().rfind("mention rule=\"marque\" entity=\"Alp\\\"éa \" category=\"brand\" ", 0),
            0u)
      << line();
  a.entities = Entities({{"autre", "X"}});  // "marque" removed from the configuration since
  EXPECT_EQ(line().find(" entity="), std::string::npos) << line();
}

// An article two rules matched is one alert and one line per rule, each with its own rule,
// entity and category: the second rule was left out of the log before.
TEST(FormatLogLine, OneLinePerMentionOfAMergedAlert) {
  Alert a = SampleAlert();
  store::MentionRow rival = a.mention;
  rival.rule = "concurrents";
  rival.category = "competitor";
  a.more_mentions.push_back(rival);
  a.entities = Entities({{"marque", "Orélia"}, {"concurrents", "Bellacosa"}});
  const std::vector<std::string> lines = FormatLogLines(a);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("mention rule=\"marque\" entity=\"Orélia\" category=\"brand\" ", 0), 0u)
      << lines[0];
  EXPECT_EQ(
      lines[1].rfind("mention rule=\"concurrents\" entity=\"Bellacosa\" category=\"competitor\" "
                     "feed=\"Presse\" ",
                     0),
      0u)
      << lines[1];
  std::vector<std::string> sunk;
  LogTransport log([&](const std::string& l) { sunk.push_back(l); });
  log.Deliver(a);
  EXPECT_EQ(sunk, lines);
  sunk.clear();
  Digest digest;
  digest.channel = "journal";
  digest.alerts = {a, SampleAlert()};
  log.DeliverDigest(digest);
  ASSERT_EQ(sunk.size(), 4u);
  EXPECT_EQ(sunk.back(), "digest channel=\"journal\" mentions=3");
}

TEST(WebhookBody, APipeOrAngleBracketInASlackLinkCannotReplaceItsText) {
  Alert a = SampleAlert();
  a.canonical_link.reset();
  a.mention.title = "Titre";
  a.mention.link = "https://example.com/a|Cliquez ici>x";
  const auto j = nlohmann::json::parse(WebhookBody(WebhookFormat::kSlack, a));
  const std::string text = j["text"];
  EXPECT_NE(text.find("<https://example.com/a%7CCliquez%20ici%3Ex|Titre>"), std::string::npos)
      << text;
}

TEST(WebhookBody, NonAsciiAndAmpersandsInLinksStayUsable) {
  Alert a = SampleAlert();
  a.canonical_link.reset();
  a.mention.title = "T";
  a.mention.link = "https://news.example/é?a=1&b=2";
  const auto slack = nlohmann::json::parse(WebhookBody(WebhookFormat::kSlack, a));
  EXPECT_NE(slack["text"].get<std::string>().find("<https://news.example/%c3%a9?a=1&amp;b=2|T>"),
            std::string::npos)
      << slack["text"];
  const auto discord = nlohmann::json::parse(WebhookBody(WebhookFormat::kDiscord, a));
  EXPECT_NE(discord["content"].get<std::string>().find("[T](https://news.example/%c3%a9?a=1&b=2)"),
            std::string::npos)
      << discord["content"];
}

TEST(WebhookBody, DiscordDigestsAndEventsNeverPingEither) {
  const auto digest = nlohmann::json::parse(
      DigestBody(WebhookFormat::kDiscord, {SampleAlert()}, "digest-1", "hook", 0));
  EXPECT_TRUE(digest["allowed_mentions"]["parse"].empty());
  EventMessage event;
  event.kind = "spike";
  event.title = "@everyone spike";
  event.text = "<@123> {{DATE(2017-02-14T06:00:00Z, SHORT)}}";
  const auto j = nlohmann::json::parse(EventBody(WebhookFormat::kDiscord, event));
  EXPECT_TRUE(j["allowed_mentions"]["parse"].empty());
  const std::string content = j["content"];
  EXPECT_NE(content.find("\\<\\@123\\>"), std::string::npos) << content;
  const auto teams = nlohmann::json::parse(EventBody(WebhookFormat::kTeams, event));
  const std::string text = teams["attachments"][0]["content"]["body"][1]["text"];
  EXPECT_EQ(text.find("{{"), std::string::npos) << text;
}

TEST(WebhookBody, InFrenchChatTextIsFrenchAndTheJsonStaysEnglish) {
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  ASSERT_TRUE(fr) << fr.error().message;
  Alert a = SampleAlert();
  a.mention.title.reset();
  const std::string slack =
      nlohmann::json::parse(WebhookBody(WebhookFormat::kSlack, a, *fr))["text"];
  EXPECT_EQ(slack.rfind("*[veille] marque* : <https://news.example/canonical|(sans titre)> "
                        "(<https://news.example/a|lien d’origine>)",
                        0),
            0u)
      << slack;
  const std::string discord =
      nlohmann::json::parse(WebhookBody(WebhookFormat::kDiscord, a, *fr))["content"];
  EXPECT_EQ(
      discord.rfind("**[veille] marque** : [\\(sans titre\\)](https://news.example/canonical)", 0),
      0u)
      << discord;
  EXPECT_NE(discord.find("([lien d’origine](https://news.example/a))"), std::string::npos)
      << discord;
  const std::string digest = nlohmann::json::parse(
      DigestBody(WebhookFormat::kSlack, {a, a}, "digest-1", "hook", 0, *fr))["text"];
  EXPECT_EQ(digest.rfind("*[veille] résumé : 2 articles*", 0), 0u) << digest;
  // Machine output stays English and stable.
  EXPECT_EQ(WebhookBody(WebhookFormat::kJson, a, *fr), WebhookBody(WebhookFormat::kJson, a));
}

EventMessage SpikeEvent() {
  EventMessage e;
  e.key = "event-1";
  e.channel = "hook";
  e.kind = "spike";
  e.title = "stored title";
  e.text = "stored text";
  e.payload = R"({"rule": "marque", "window": "hour", "count": 6, "mean": 1.25,
                  "stddev": 0.5, "threshold": 5, "baseline_days": 14})";
  return e;
}

TEST(DescribeEvent, SaysASpikeAndAFeedsHealthInEnglishAndInFrench) {
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  ASSERT_TRUE(fr) << fr.error().message;
  const auto en = DescribeEvent("spike", SpikeEvent().payload, i18n::Translator());
  ASSERT_TRUE(en);
  EXPECT_EQ(en->title, "[veille] spike: marque: 6 mentions in the last hour");
  EXPECT_EQ(en->text,
            "Rule marque has 6 mentions in the last hour; over the previous 14 days it averaged "
            "1.2 (standard deviation 0.5, alert threshold 5.0).");
  const auto spike = DescribeEvent("spike", SpikeEvent().payload, *fr);
  ASSERT_TRUE(spike);
  EXPECT_EQ(spike->title, "[veille] pic : marque : 6 mentions dans la dernière heure");
  EXPECT_NE(spike->text.find("en comptait 1,2 en moyenne (écart type 0,5, seuil d’alerte 5,0)"),
            std::string::npos)
      << spike->text;
  const auto broken = DescribeEvent(
      "feed_health",
      R"({"feed": {"name": "Presse", "url": "https://feeds.example/"}, "state": "broken",
          "reason": "x", "consecutive_failures": 5, "last_error": "HTTP 503"})",
      *fr);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->title, "[veille] flux en panne : Presse");
  EXPECT_EQ(broken->text,
            "Flux Presse (https://feeds.example/) : 5 relevés ont échoué de suite ; dernière "
            "erreur : HTTP 503.");
  const std::string silent =
      R"({"feed": {"name": "Presse", "url": "https://feeds.example/"}, "state": "silent",
          "reason": "x", "consecutive_failures": 0, "silent_for_s": 273600,
          "usual_gap_s": 3660})";
  EXPECT_EQ(DescribeEvent("feed_health", silent, i18n::Translator())->text,
            "Feed Presse (https://feeds.example/): no new entry for 3 days and 4 hours (usually "
            "about one every hour).");
  EXPECT_EQ(DescribeEvent("feed_health", silent, *fr)->text,
            "Flux Presse (https://feeds.example/) : aucun nouvel article depuis 3 jours et 4 "
            "heures (d’habitude environ un article toutes les heures).");
  // Details an older veille did not record: the stored words are used.
  EXPECT_FALSE(DescribeEvent("feed_health", R"({"feed": {"name": "P", "url": "u"},
      "state": "silent", "reason": "x"})",
                             *fr));
  EXPECT_FALSE(DescribeEvent("spike", "not json", *fr));
}

// A silent feed's usual gap is an average: it reads as people say it ("about one every hour", not
// "every 1 hour 1 minute"), with French's "toutes les heures" but "tous les jours".
TEST(DescribeEvent, SaysHowOftenAFeedUsuallyPublishesAsPeopleSayIt) {
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  ASSERT_TRUE(fr) << fr.error().message;
  auto reason = [](std::int64_t silent_s, std::int64_t gap_s, const i18n::Translator& tr) {
    const std::string payload =
        R"({"feed": {"name": "P", "url": "u"}, "state": "silent", "reason": "x", )"
        R"("silent_for_s": )" +
        std::to_string(silent_s) + R"(, "usual_gap_s": )" + std::to_string(gap_s) + "}";
    const auto words = DescribeEvent("feed_health", payload, tr);
    return words ? words->text : std::string("<none>");
  };
  struct Case {
    std::int64_t silent_s, gap_s;
    const char* en;
    const char* fr;
  };
  const Case cases[] = {
      {7200, 30, "for 2 hours (usually about one every minute)",
       "depuis 2 heures (d’habitude environ un article toutes les minutes)"},
      {7200, 7 * 60 + 10, "for 2 hours (usually about one every 7 minutes)",
       "depuis 2 heures (d’habitude environ un article toutes les 7 minutes)"},
      {7200, 47 * 60, "for 2 hours (usually about one every 45 minutes)",
       "depuis 2 heures (d’habitude environ un article toutes les 45 minutes)"},
      {7260, 3660, "for 2 hours and 1 minute (usually about one every hour)",
       "depuis 2 heures et 1 minute (d’habitude environ un article toutes les heures)"},
      {86400, 90 * 60, "for 1 day (usually about one every 90 minutes)",
       "depuis 1 jour (d’habitude environ un article toutes les 90 minutes)"},
      {3 * 86400, 5 * 3600 + 600, "for 3 days (usually about one every 5 hours)",
       "depuis 3 jours (d’habitude environ un article toutes les 5 heures)"},
      {9 * 86400, 86400 + 3600, "for 9 days (usually about one every day)",
       "depuis 9 jours (d’habitude environ un article tous les jours)"},
      {20 * 86400, 4 * 86400, "for 20 days (usually about one every 4 days)",
       "depuis 20 jours (d’habitude environ un article tous les 4 jours)"},
  };
  for (const Case& c : cases) {
    EXPECT_NE(reason(c.silent_s, c.gap_s, i18n::Translator()).find(c.en), std::string::npos)
        << reason(c.silent_s, c.gap_s, i18n::Translator());
    EXPECT_NE(reason(c.silent_s, c.gap_s, *fr).find(c.fr), std::string::npos)
        << reason(c.silent_s, c.gap_s, *fr);
  }
}

TEST(EventBody, ChatAndEmailSayTheEventInTheChannelsLanguageAndJsonStaysEnglish) {
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  ASSERT_TRUE(fr) << fr.error().message;
  const std::string slack =
      nlohmann::json::parse(EventBody(WebhookFormat::kSlack, SpikeEvent(), *fr))["text"];
  EXPECT_EQ(slack.rfind("*[veille] pic : marque : 6 mentions dans la dernière heure*\n", 0), 0u)
      << slack;
  const auto json = nlohmann::json::parse(EventBody(WebhookFormat::kJson, SpikeEvent(), *fr));
  EXPECT_EQ(json["title"], "stored title");
  EXPECT_EQ(json["text"], "stored text");
  const EmailMessage mail =
      ComposeEventEmail(SpikeEvent(), "v@example.org", {"c@example.org"}, 0, *fr);
  EXPECT_EQ(mail.subject, "[veille] pic : marque : 6 mentions dans la dernière heure");
  EXPECT_EQ(mail.text.rfind("La règle marque compte 6 mentions dans la dernière heure ;", 0), 0u)
      << mail.text;
  EventMessage old = SpikeEvent();
  old.payload = "{}";
  EXPECT_EQ(ComposeEventEmail(old, "v@example.org", {"c@example.org"}, 0, *fr).subject,
            "stored title");
}

TEST(DigestBody, ListsEveryMentionUnderOneDigestId) {
  const auto j = nlohmann::json::parse(
      DigestBody(WebhookFormat::kJson, {SampleAlert(), SampleAlert()}, "digest-1", "hook", 0));
  EXPECT_EQ(j["type"], "digest");
  EXPECT_EQ(j["id"], "digest-1");
  EXPECT_EQ(j["mentions"].size(), 2u);
  EXPECT_EQ(j["mentions"][0]["rule"]["name"], "marque");
  EXPECT_TRUE(j["mentions"][0]["rule"]["entity"].is_null()) << j["mentions"][0]["rule"];
}

TEST(DigestBody, EachMentionsRulesNameTheirEntities) {
  Alert alpea = SampleAlert();
  alpea.entities = Entities({{"marque", "Alpéa"}, {"concurrents", "Evian"}});
  Alert evian = alpea;
  evian.mention.rule = "concurrents";
  evian.mention.category = "competitor";
  Alert gone = alpea;
  gone.mention.rule = "ancienne";
  const auto j = nlohmann::json::parse(
      DigestBody(WebhookFormat::kJson, {alpea, evian, gone}, "digest-1", "hook", 0));
  ASSERT_EQ(j["mentions"].size(), 3u);
  EXPECT_EQ(j["mentions"][0]["rule"]["entity"], "Alpéa");
  EXPECT_EQ(j["mentions"][0]["rules"][0]["entity"], "Alpéa");
  EXPECT_EQ(j["mentions"][1]["rule"]["entity"], "Evian");
  EXPECT_EQ(j["mentions"][1]["rules"][0]["entity"], "Evian");
  EXPECT_TRUE(j["mentions"][2]["rule"]["entity"].is_null());
  EXPECT_TRUE(j["mentions"][2]["rules"][0]["entity"].is_null());
}

TEST(ParseWebhookFormat, KnowsTheFourFormats) {
  EXPECT_EQ(ParseWebhookFormat("slack"), WebhookFormat::kSlack);
  EXPECT_EQ(ParseWebhookFormat("teams"), WebhookFormat::kTeams);
  EXPECT_FALSE(ParseWebhookFormat("xml"));
}

}  // namespace
}  // namespace veille::alert
