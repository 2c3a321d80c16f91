#include "alert/mime.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include "alert/encoding.h"
#include "config/entities.h"
#include "i18n/translator.h"

namespace veille::alert {
namespace {

Alert SampleAlert(std::string title) {
  Alert a;
  a.outbox.idempotency_key = "v1-0123456789abcdef0123456789abcdef";
  a.outbox.channel = "mail";
  a.mention.rule = "marque";
  a.mention.category = "brand";
  a.mention.title = std::move(title);
  a.mention.link = "https://news.example/a?x=1&y=2";
  a.mention.feed_name = "Presse";
  a.mention.snippet = "la marque Orélia <b>lance</b>";
  a.mention.highlights = {{10, 17}};
  a.mention.terms = {"Orélia"};
  return a;
}

std::string HeaderBlock(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 2);
}

TEST(Rfc5322Date, FormatsUtcWithTheWeekday) {
  EXPECT_EQ(Rfc5322Date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(Rfc5322Date(1795638610), "Wed, 25 Nov 2026 20:30:10 +0000");
}

TEST(MessageIdFor, UsesTheIdempotencyKeyAndTheSendersDomain) {
  EXPECT_EQ(MessageIdFor("v1-abc", "veille <veille@example.org>"), "v1-abc@example.org");
  EXPECT_EQ(MessageIdFor("v1-abc", "nobody"), "v1-abc@veille.invalid");
  EXPECT_EQ(MessageIdFor("v1-a>b\r\nX: y", "a@b.org"), "v1-abXy@b.org");
}

TEST(RenderEmail, ATitleWithLineBreaksNeverCreatesAHeader) {
  const Alert a = SampleAlert("Orélia\r\nBcc: victim@example.org\r\n\r\n<script>");
  const std::string message = RenderEmail(
      ComposeMentionEmail(a, "veille <v@example.org>", {"com@example.org"}, 1795638610));
  const std::string headers = HeaderBlock(message);
  EXPECT_EQ(headers.find("\r\nBcc:"), std::string::npos) << headers;
  const std::string html = message.substr(message.find("Content-Type: text/html"));
  EXPECT_EQ(html.find("<script>"), std::string::npos) << "feed text is escaped in HTML";
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos) << html;
  std::istringstream in(headers);
  std::string line;
  int subject_lines = 0;
  while (std::getline(in, line)) {
    if (line.rfind("Subject:", 0) == 0) ++subject_lines;
  }
  EXPECT_EQ(subject_lines, 1);
}

// Security review finding 8: no line of a message may pass SMTP's 998 characters, whatever the
// feed put in the title, the snippet, the terms or the feed name.
TEST(RenderEmail, NoLineOfAMessageIsLongerThan78CharactersWhateverTheFeedSent) {
  Alert a = SampleAlert("Un titre " + std::string(1500, 'A') + " puis la suite");
  a.mention.snippet = std::string(3000, 'B');
  a.mention.feed_name = std::string(2000, 'C');
  a.mention.terms = {std::string(1200, 'D')};
  a.mention.link = "https://news.example/" + std::string(2000, 'e');
  for (const std::string& from :
       {std::string("veille <v@example.org>"), std::string(200, 'N') + " <v@example.org>",
        "Équipe " + std::string(200, 'N') + " <v@example.org>"}) {
    const std::string message =
        RenderEmail(ComposeMentionEmail(a, from, {"com@example.org"}, 1795638610));
    std::size_t start = 0;
    while (start < message.size()) {
      const std::size_t end = message.find("\r\n", start);
      ASSERT_NE(end, std::string::npos) << "every line ends in CRLF";
      EXPECT_LE(end - start, 78u) << message.substr(start, 60);
      start = end + 2;
    }
  }
}

TEST(RenderEmail, ALongSubjectIsShortenedWithAnEllipsis) {
  const Alert a = SampleAlert("Orélia " + std::string(300, 'x'));
  const std::string message = RenderEmail(
      ComposeMentionEmail(a, "veille <v@example.org>", {"com@example.org"}, 1795638610));
  const std::string headers = HeaderBlock(message);
  std::string subject;
  std::size_t at = 0;
  while ((at = headers.find("=?UTF-8?B?", at)) != std::string::npos) {
    const std::size_t end = headers.find("?=", at + 10);
    subject += Base64Decode(headers.substr(at + 10, end - at - 10)).value_or("?");
    at = end + 2;
  }
  EXPECT_EQ(subject.rfind("[veille] marque: Orélia xxx", 0), 0u) << subject;
  EXPECT_TRUE(subject.ends_with("x…")) << subject;
  EXPECT_EQ(ShortenText(subject, 1000), subject);
  EXPECT_LE(subject.size(), 120u + 4u);  // 120 characters, two of them more than one byte
}

TEST(RenderEmail, HasTheRequiredHeadersAndTwoAlternativeParts) {
  const Alert a = SampleAlert("Orélia ouvre une boutique");
  const std::string message = RenderEmail(ComposeMentionEmail(
      a, "veille <v@example.org>", {"com@example.org", "Équipe <eq@example.org>"}, 1795638610));
  const std::string headers = HeaderBlock(message);
  for (const char* h :
       {"Date: Wed, 25 Nov 2026 20:30:10 +0000\r\n", "From: \"veille\" <v@example.org>",
        "To: com@example.org,\r\n =?UTF-8?B?", "Subject: =?UTF-8?B?",
        "Message-ID: <v1-0123456789abcdef0123456789abcdef@example.org>\r\n",
        "MIME-Version: 1.0\r\n", "Content-Type: multipart/alternative;"}) {
    EXPECT_NE(headers.find(h), std::string::npos) << h << "\n" << headers;
  }
  EXPECT_NE(message.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(message.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(message.find("<mark>Or=C3=A9lia</mark>"), std::string::npos) << message;
  // The spaces around a highlight stay (each piece is sanitised on its own).
  const EmailMessage composed = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0);
  EXPECT_NE(composed.html.find("la marque <mark>Orélia</mark> &lt;b&gt;lance"), std::string::npos)
      << composed.html;
  EXPECT_EQ(message.find("<img"), std::string::npos) << "no remote images";
  std::istringstream in(message);
  std::string line;
  while (std::getline(in, line)) EXPECT_LE(line.size(), 79u) << line;
}

TEST(RenderEmail, ANonWebLinkIsShownAsTextNotAsAnAnchor) {
  Alert a = SampleAlert("x");
  a.mention.link = "javascript:alert(1)";
  const std::string message =
      RenderEmail(ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0));
  EXPECT_EQ(message.find("href=3D\"javascript"), std::string::npos);
}

TEST(ComposeDigestEmail, GroupsMentionsByRuleAndCountsThemInTheSubject) {
  Alert a = SampleAlert("Un");
  Alert b = SampleAlert("Deux");
  b.mention.rule = "concurrents";
  const EmailMessage m =
      ComposeDigestEmail({a, b, a}, "digest-x-1", "mail", "v@example.org", {"c@example.org"}, 0);
  EXPECT_EQ(m.subject, "[veille] digest: 3 articles");
  EXPECT_EQ(m.message_id, "digest-x-1@example.org");
  EXPECT_LT(m.text.find("== concurrents (1)"), m.text.find("== marque (2)"));
}

// An article that two rules matched: the second rule's row and mention ride along.
Alert TwoRuleAlert(std::string title) {
  Alert a = SampleAlert(std::move(title));
  store::MentionRow crise = a.mention;
  crise.rule = "crise";
  crise.category = "crisis";
  crise.terms = {"rappel", "Orélia"};
  crise.snippet = "Orélia annonce un rappel";
  crise.highlights = {{0, 7}};
  a.more_mentions.push_back(crise);
  a.more_rows.push_back(a.outbox);
  return a;
}

TEST(ComposeMentionEmail, OneArticleMatchingTwoRulesIsOneMessageNamingBoth) {
  const EmailMessage m =
      ComposeMentionEmail(TwoRuleAlert("Rappel de lots"), "v@example.org", {"c@example.org"}, 0);
  EXPECT_EQ(m.subject, "[veille] marque, crise: Rappel de lots");
  EXPECT_EQ(m.message_id, "v1-0123456789abcdef0123456789abcdef@example.org") << "first row's key";
  EXPECT_NE(m.text.find("Rules marque (brand), crise (crisis)"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("la marque Orélia <b>lance</b>"), std::string::npos);
  EXPECT_NE(m.text.find("Orélia annonce un rappel"), std::string::npos) << "each rule's snippet";
  EXPECT_NE(m.text.find("Terms: Orélia, rappel\n"), std::string::npos) << "each term once";
  EXPECT_NE(m.html.find("<mark>Orélia</mark> annonce"), std::string::npos) << m.html;
}

std::shared_ptr<const config::RuleEntities> Entities(config::RuleEntities entities) {
  return std::make_shared<const config::RuleEntities>(std::move(entities));
}

// Issue 19: the email says who the rules are about under the rules, when a rule's `entity` says
// more than its name (as the web inbox does), and in the subject, where a team that watches
// several brands sorts its mail: "[veille] <rules> (<entities>): <title>".
TEST(ComposeMentionEmail, NamesWhoTheRulesAreAboutWhenTheirEntitySaysMore) {
  Alert a = SampleAlert("Un");
  a.entities = Entities({{"marque", "Alpéa"}});
  EmailMessage m = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0);
  EXPECT_EQ(m.subject, "[veille] marque (Alpéa): Un");
  EXPECT_EQ(m.text.rfind("Rule marque (brand)\nEntity: Alpéa\n\nUn\n", 0), 0u) << m.text;
  EXPECT_NE(m.html.find("<p>Rule marque (brand)<br>Entity: Alpéa</p>"), std::string::npos)
      << m.html;
  // An entity that is the rule's own name (no `entity` key), or a rule no longer configured:
  // nothing more to say.
  for (const auto& entities :
       {Entities({{"marque", "marque"}}), Entities({{"autre", "Alpéa"}}), Entities({})}) {
    a.entities = entities;
    m = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0);
    EXPECT_EQ(m.text.rfind("Rule marque (brand)\n\nUn\n", 0), 0u) << m.text;
    EXPECT_EQ(m.html.find("Entit"), std::string::npos) << m.html;
    EXPECT_EQ(m.subject, "[veille] marque: Un");
  }
  // Two rules: each entity once, in rule order.
  Alert two = TwoRuleAlert("Rappel");
  two.entities = Entities({{"marque", "Alpéa"}, {"crise", "Alpéa"}});
  m = ComposeMentionEmail(two, "v@example.org", {"c@example.org"}, 0);
  EXPECT_NE(m.text.find("Rules marque (brand), crise (crisis)\nEntity: Alpéa\n\n"),
            std::string::npos)
      << m.text;
  two.entities = Entities({{"marque", "Orélia"}, {"crise", "Alpéa"}});
  m = ComposeMentionEmail(two, "v@example.org", {"c@example.org"}, 0);
  EXPECT_NE(m.text.find("\nEntities: Orélia, Alpéa\n\n"), std::string::npos) << m.text;
  EXPECT_EQ(m.subject, "[veille] marque, crise (Orélia, Alpéa): Rappel");
  EXPECT_NE(m.html.find("<br>Entities: Orélia, Alpéa</p>"), std::string::npos) << m.html;
}

TEST(ComposeMentionEmail, AHostileEntityIsEscapedInHtmlAndStaysOnOneLine) {
  Alert a = SampleAlert("Un");
  a.entities = Entities({{"marque", "<script>x</script>\r\nBcc: victim@example.org\x01"}});
  const EmailMessage m = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0);
  EXPECT_NE(m.text.find("\nEntity: <script>x</script> Bcc: victim@example.org\n"),
            std::string::npos)
      << m.text;
  EXPECT_EQ(m.text.find('\x01'), std::string::npos);
  EXPECT_EQ(m.html.find("<script>"), std::string::npos) << m.html;
  EXPECT_NE(m.html.find("<br>Entity: &lt;script&gt;x&lt;/script&gt; Bcc: victim@example.org</p>"),
            std::string::npos)
      << m.html;
  const std::string message = RenderEmail(m);
  // The subject names the entity on its own line: no header of its own starts there.
  EXPECT_EQ(HeaderBlock(message).find("\r\nBcc"), std::string::npos) << HeaderBlock(message);
  EXPECT_EQ(HeaderBlock(message).find('\x01'), std::string::npos) << HeaderBlock(message);
  const std::string digest =
      ComposeDigestEmail({a}, "d", "mail", "v@example.org", {"c@example.org"}, 0).html;
  EXPECT_EQ(digest.find("<script>"), std::string::npos) << digest;
  EXPECT_NE(digest.find("<p>Entity: &lt;script&gt;x&lt;/script&gt;"), std::string::npos) << digest;
}

TEST(ComposeDigestEmail, NamesWhoEachGroupsRulesAreAbout) {
  Alert a = SampleAlert("Un");
  Alert b = SampleAlert("Deux");
  b.mention.rule = "concurrents";
  a.entities = b.entities = Entities({{"marque", "Alpéa"}, {"concurrents", "concurrents"}});
  const EmailMessage m =
      ComposeDigestEmail({a, b}, "digest-x-1", "mail", "v@example.org", {"c@example.org"}, 0);
  EXPECT_NE(m.text.find("== marque (1)\nEntity: Alpéa\n\nUn\n"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("== concurrents (1)\n\nDeux\n"), std::string::npos) << m.text;
  EXPECT_NE(m.html.find("<h2>marque (1)</h2>\n<p>Entity: Alpéa</p>\n"), std::string::npos)
      << m.html;
  EXPECT_EQ(m.html.find("<h2>concurrents (1)</h2>\n<p>"), std::string::npos) << m.html;
}

TEST(ComposeMentionEmail, ShowsTheCanonicalLinkAndTheOriginalBesideIt) {
  Alert a = SampleAlert("Un");
  a.mention.link = "https://news.google.com/rss/articles/x?oc=5";
  a.canonical_link = "https://lemonde.example/orelia";
  const EmailMessage m = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0);
  EXPECT_NE(m.text.find("Un\n"), std::string::npos);
  EXPECT_NE(m.text.find("\nhttps://lemonde.example/orelia\n"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("Original link: https://news.google.com/rss/articles/x?oc=5"),
            std::string::npos)
      << m.text;
  EXPECT_NE(m.html.find("<h3><a href=\"https://lemonde.example/orelia\">"), std::string::npos)
      << m.html;
  // Same link, or no canonical one: one link, no "original".
  a.canonical_link = a.mention.link;
  EXPECT_EQ(ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0).text.find("Original"),
            std::string::npos);
}

TEST(ComposeDigestEmail, ListsAnArticleThatTwoRulesMatchedOnceUnderBothRules) {
  const EmailMessage m =
      ComposeDigestEmail({TwoRuleAlert("Rappel"), SampleAlert("Autre")}, "digest-x-1", "mail",
                         "v@example.org", {"c@example.org"}, 0);
  EXPECT_EQ(m.subject, "[veille] digest: 2 articles");
  EXPECT_NE(m.text.find("== marque, crise (1)\n\nRappel\n"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("== marque (1)\n\nAutre\n"), std::string::npos) << m.text;
  EXPECT_EQ(m.text.find("Rappel\n", m.text.find("Rappel\n") + 1), std::string::npos)
      << "the article is listed once";
}

// [daemon] language = "fr": the words veille writes come from po/fr.po (the catalog this build
// compiled); feed text, rule names and terms stay as they are.
i18n::Translator French() {
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  EXPECT_TRUE(fr.has_value()) << fr.error().message;
  return fr ? *fr : i18n::Translator();
}

TEST(ComposeMentionEmail, InFrenchEveryWordVeilleWritesIsFrench) {
  Alert a = TwoRuleAlert("Rappel de lots");
  a.mention.link = "https://news.google.com/rss/articles/x?oc=5";
  a.canonical_link = "https://lemonde.example/orelia";
  const EmailMessage m = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0, French());
  EXPECT_EQ(m.subject, "[veille] marque, crise : Rappel de lots");
  for (const char* fr : {"Règles marque (marque), crise (crisis)\n",
                         "Lien d’origine : https://news.google.com/rss/articles/x?oc=5\n",
                         "Flux : Presse\n", "Termes : Orélia, rappel\n"}) {
    EXPECT_NE(m.text.find(fr), std::string::npos) << fr << "\n" << m.text;
  }
  for (const char* en : {"Rules ", "Original link", "Feed:", "Terms:"}) {
    EXPECT_EQ(m.text.find(en), std::string::npos) << en << "\n" << m.text;
  }
  EXPECT_NE(m.html.find("<html lang=\"fr\">"), std::string::npos) << m.html;
  EXPECT_NE(m.html.find(">lien d’origine</a>"), std::string::npos) << m.html;
  Alert untitled = SampleAlert("");
  untitled.mention.title.reset();
  EXPECT_EQ(ComposeMentionEmail(untitled, "v@example.org", {"c@example.org"}, 0, French()).subject,
            "[veille] marque : (sans titre)");
}

// A team triaging alerts wants to know when the article came out, not only that it is new to
// veille (a first poll or a backfill brings old articles).
TEST(ComposeMentionEmail, SaysWhenTheArticleWasPublishedWhenTheFeedDatedIt) {
  Alert a = SampleAlert("Un");
  a.mention.published_at = 1795638610;  // 2026-11-25T20:30:10Z
  EmailMessage m = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0);
  EXPECT_NE(m.text.find("Feed: Presse\nPublished: 25 November 2026, 20:30 UTC\nTerms: "),
            std::string::npos)
      << m.text;
  EXPECT_NE(m.html.find("Presse &middot; Published: 25 November 2026, 20:30 UTC &middot; "),
            std::string::npos)
      << m.html;
  m = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0, French());
  EXPECT_NE(m.text.find("Publié : 25 novembre 2026 à 20:30 UTC\n"), std::string::npos) << m.text;
  const EmailMessage digest =
      ComposeDigestEmail({a}, "d", "mail", "v@example.org", {"c@example.org"}, 0, French());
  EXPECT_NE(digest.text.find("Publié : 25 novembre 2026 à 20:30 UTC\n"), std::string::npos)
      << digest.text;
  a.mention.published_at.reset();
  m = ComposeMentionEmail(a, "v@example.org", {"c@example.org"}, 0);
  EXPECT_EQ(m.text.find("Published"), std::string::npos) << "undated: no line\n" << m.text;
}

TEST(ComposeDigestEmail, InFrenchTheSubjectTitleAndCountsAreFrench) {
  const EmailMessage m =
      ComposeDigestEmail({TwoRuleAlert("Rappel"), SampleAlert("Autre")}, "digest-x-1", "mail",
                         "v@example.org", {"c@example.org"}, 0, French());
  EXPECT_EQ(m.subject, "[veille] résumé : 2 articles");
  EXPECT_NE(m.text.find("Résumé veille pour mail\n"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("== marque, crise (1)\n"), std::string::npos) << m.text;
  EXPECT_EQ(ComposeDigestEmail({SampleAlert("Un")}, "d", "mail", "v@example.org", {"c@example.org"},
                               0, French())
                .subject,
            "[veille] résumé : 1 article");
  Alert alpea = TwoRuleAlert("Rappel");
  alpea.entities = Entities({{"marque", "Alpéa"}, {"crise", "Orélia"}});
  const EmailMessage named = ComposeDigestEmail({alpea}, "digest-x-1", "mail", "v@example.org",
                                                {"c@example.org"}, 0, French());
  EXPECT_NE(named.text.find("== marque, crise (1)\nEntités : Alpéa, Orélia\n"), std::string::npos)
      << named.text;
  alpea.entities = Entities({{"marque", "Alpéa"}});
  EXPECT_NE(ComposeMentionEmail(alpea, "v@example.org", {"c@example.org"}, 0, French())
                .text.find("Règles marque (marque), crise (crisis)\nEntité : Alpéa\n"),
            std::string::npos);
  const EmailMessage empty =
      ComposeDigestEmail({}, "d", "mail", "v@example.org", {"c@example.org"}, 0, French());
  EXPECT_NE(empty.text.find("Aucune nouvelle mention."), std::string::npos) << empty.text;
}

}  // namespace
}  // namespace veille::alert
