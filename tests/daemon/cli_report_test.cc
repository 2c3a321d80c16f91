// The HTML page of `veille report` in English and in French: headings and labels through the
// catalogs, dates and numbers the language's way, <html lang>, feed text escaped.
#include <gtest/gtest.h>

#include <string>

#include "daemon/cli_report_html.h"
#include "tests/common/hostile_text.h"

namespace veille::cli {
namespace {

constexpr UnixSeconds kDecember5 = 1796480580;  // 2026-12-05T14:23:00Z
constexpr UnixSeconds kNovember5 = kDecember5 - 30 * 86400;

i18n::Translator French() {
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  EXPECT_TRUE(fr.has_value()) << fr.error().message;
  return fr ? *fr : i18n::Translator();
}

store::Series Rule(std::string name, std::string category, std::int64_t total) {
  return store::Series{std::move(name), std::move(category), total, {0, total}};
}

// Two days, a brand and a competitor (409 + 591 mentions: 40.9 % brand share), one story whose
// title and snippet carry markup, two feeds (one failing).
ReportData Sample() {
  ReportData d;
  d.since = kNovember5;
  d.until = kDecember5;
  d.generated = kDecember5;
  d.volume.buckets = {kDecember5 - 86400, kDecember5};
  d.volume.rules = {Rule("Alpéa", "brand", 409), Rule("Source<Vive>", "competitor", 591)};
  d.volume.total = 1000;
  d.voice = {{"Alpéa", "brand", {"Alpéa"}, 409, 409, 0.409},
             {"Source<Vive>", "competitor", {"Source<Vive>"}, 591, 591, 0.591}};
  d.sources = {{"Le Monde", "https://www.lemonde.fr/rss", 1234}};
  store::StorySummary story;
  story.mentions = 3;
  story.sources = 1;
  story.first_detected = kDecember5;
  story.feeds = {"Le Monde"};
  story.rules = {"Alpéa"};
  story.latest.title = "<script>alert(1)</script> Alpéa rappelle";
  story.latest.link = "javascript:alert(1)";
  story.latest.snippet = "Alpéa & <b>co</b>";
  story.latest.highlights = {{0, 6}};
  d.stories = {story};
  store::FeedRow ok;
  ok.name = "Le Monde";
  ok.url = "https://www.lemonde.fr/rss";
  ok.last_success_at = kDecember5;
  ok.entry_count = 12345;
  store::FeedRow failing = ok;
  failing.name = "Broken";
  failing.state = FeedState::kFailing;
  failing.consecutive_failures = 2;
  d.feeds = {ok, failing};
  d.story_count = 1;
  d.source_count = 1;
  return d;
}

TEST(ReportHtmlTest, EnglishByDefault) {
  const std::string html = RenderReport(Sample(), i18n::Translator());
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("<h1>Mention report</h1>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Mentions over time</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Share of voice</h2>"), std::string::npos);
  EXPECT_NE(html.find("5 November 2026 \u2192 5 December 2026 (UTC) \u00b7 by day"),
            std::string::npos);
  EXPECT_NE(html.find("generated 5 December 2026, 14:23 UTC"), std::string::npos);
  EXPECT_NE(html.find("<b>40.9%</b>"), std::string::npos);
  EXPECT_NE(html.find(">41%</text>"), std::string::npos);
  EXPECT_NE(html.find("<b>1,000</b><span>mentions</span>"), std::string::npos);
  EXPECT_NE(html.find(">4 Dec</text>"), std::string::npos);  // chart axis
  EXPECT_NE(html.find("<th>Last success</th>"), std::string::npos);
  EXPECT_NE(html.find("12,345"), std::string::npos);
  EXPECT_NE(html.find("1 source \u00b7 3 mentions"), std::string::npos);
  EXPECT_NE(html.find("1 of 2 healthy"), std::string::npos);
  EXPECT_NE(html.find("failing</td>"), std::string::npos);
}

TEST(ReportHtmlTest, FrenchLabelsDatesAndNumbers) {
  const std::string html = RenderReport(Sample(), French());
  EXPECT_NE(html.find("<html lang=\"fr\">"), std::string::npos);
  EXPECT_NE(html.find("<h1>Rapport de mentions</h1>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Mentions dans le temps</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Part de voix</h2>"), std::string::npos);
  EXPECT_NE(html.find("5 novembre 2026 \u2192 5 décembre 2026 (UTC) \u00b7 par jour"),
            std::string::npos);
  EXPECT_NE(html.find("généré le 5 décembre 2026 à 14:23 UTC"), std::string::npos);
  EXPECT_NE(html.find("<b>40,9\u202f%</b>"), std::string::npos);  // narrow no-break space
  EXPECT_NE(html.find(">41\u202f%</text>"), std::string::npos);
  EXPECT_NE(html.find("<b>1\u202f000</b><span>mentions</span>"), std::string::npos);
  EXPECT_NE(html.find(">4 déc.</text>"), std::string::npos);
  EXPECT_NE(html.find("<th>Dernier succès</th>"), std::string::npos);
  EXPECT_NE(html.find("12\u202f345"), std::string::npos);
  EXPECT_NE(html.find("1 source \u00b7 3 mentions"), std::string::npos);
  EXPECT_NE(html.find("1 sur 2 en bonne santé"), std::string::npos);
  EXPECT_NE(html.find("en échec</td>"), std::string::npos);
  EXPECT_NE(html.find(">concurrent</td>"), std::string::npos);
  // No English label is left behind.
  for (const char* english : {"Mention report", "Share of voice", "Top stories", "Feed health",
                              "Last success", "generated", "healthy", "brand share"}) {
    EXPECT_EQ(html.find(english), std::string::npos) << english;
  }
  // SVG coordinates keep their dot.
  EXPECT_NE(html.find("stroke-dasharray=\"40.900 59.100\""), std::string::npos);
}

// A story says when the article came out, the date its chart bar uses; when no entry was dated,
// when veille first saw it. After a first poll, every story was "detected" in the same minute.
TEST(ReportHtmlTest, AStorySaysWhenItWasPublishedElseWhenItWasDetected) {
  ReportData d = Sample();
  std::string html = RenderReport(d, i18n::Translator());
  EXPECT_NE(html.find("detected 5 December 2026, 14:23 UTC"), std::string::npos);
  d.stories[0].first_published = kDecember5 - 3 * 86400;
  html = RenderReport(d, i18n::Translator());
  EXPECT_NE(html.find("published 2 December 2026, 14:23 UTC"), std::string::npos);
  EXPECT_EQ(html.find("detected 5 December"), std::string::npos);
  html = RenderReport(d, French());
  EXPECT_NE(html.find("publié le 2 décembre 2026 à 14:23 UTC"), std::string::npos);
}

TEST(ReportHtmlTest, FeedTextStaysEscapedInBothLanguages) {
  for (const auto& tr : {i18n::Translator(), French()}) {
    const std::string html = RenderReport(Sample(), tr);
    EXPECT_EQ(html.find("<script>"), std::string::npos) << tr.language();
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; Alpéa rappelle"), std::string::npos);
    EXPECT_EQ(html.find("javascript:"), std::string::npos) << tr.language();
    EXPECT_NE(html.find("<mark>Alpéa</mark> &amp; &lt;b&gt;co&lt;/b&gt;"), std::string::npos);
    EXPECT_NE(html.find("Source&lt;Vive&gt;"), std::string::npos);
  }
}

TEST(ReportHtmlTest, EveryHostileTitleAndLinkOfTheSharedFixturesStaysText) {
  for (std::string_view title : testing::kHostileTitles) {
    for (std::string_view link : testing::kHostileLinks) {
      ReportData d = Sample();
      d.stories[0].latest.title = std::string(title);
      d.stories[0].latest.link = std::string(link);
      d.feeds[0].name = std::string(title);
      const std::string html = RenderReport(d, i18n::Translator());
      EXPECT_EQ(html.find("<script"), std::string::npos) << title;
      EXPECT_EQ(html.find("<img"), std::string::npos) << title;
      EXPECT_EQ(html.find("<svg/"), std::string::npos) << title;
      EXPECT_EQ(html.find("' onmouseover"), std::string::npos) << title;
      EXPECT_EQ(html.find("<a href"), std::string::npos) << link;
    }
  }
}

TEST(ReportHtmlTest, StoriesLinkToTheCanonicalLinkWhereKnown) {
  ReportData d = Sample();
  auto& latest = d.stories[0].latest;
  latest.link =
      "https://www.google.com/url?rct=j&sa=t&url=https://actu.example.fr/orelia&ct=ga&usg=AOv";
  latest.canonical_link = "https://actu.example.fr/orelia";
  std::string html = RenderReport(d, i18n::Translator());
  EXPECT_NE(html.find("<a href=\"https://actu.example.fr/orelia\">"), std::string::npos);
  EXPECT_EQ(html.find("google.com/url"), std::string::npos);
  // Unknown canonical link: the link as published; a canonical link that is not a web link is
  // never an href.
  latest.canonical_link.reset();
  html = RenderReport(d, i18n::Translator());
  EXPECT_NE(html.find("<a href=\"https://www.google.com/url?rct=j&amp;sa=t&amp;url="),
            std::string::npos);
  latest.link = "javascript:alert(1)";
  latest.canonical_link = "javascript:alert(2)";
  html = RenderReport(d, i18n::Translator());
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
}

TEST(ReportHtmlTest, AUserTitleIsKeptAsGiven) {
  ReportData d = Sample();
  d.title = "Veille <Alpéa>";
  const std::string html = RenderReport(d, French());
  EXPECT_NE(html.find("<h1>Veille &lt;Alpéa&gt;</h1>"), std::string::npos);
}

TEST(ReportHtmlTest, MentionsByLanguageAreNamedInTheReportsLanguage) {
  ReportData d = Sample();
  d.languages = {{"fr", 12, 7}, {"en", 3, 2}, {"x<y", 1, 1}, {"", 2, 2}};
  std::string html = RenderReport(d, French());
  EXPECT_NE(html.find("Mentions par langue"), std::string::npos);
  EXPECT_NE(html.find(">français</span>"), std::string::npos);
  EXPECT_NE(html.find(">anglais</span>"), std::string::npos);
  EXPECT_NE(html.find(">indéterminée</span>"), std::string::npos);
  EXPECT_NE(html.find("7 sujets"), std::string::npos);
  EXPECT_NE(html.find(">x&lt;y</span>"), std::string::npos);  // a stored tag stays escaped
  html = RenderReport(d, i18n::Translator());
  EXPECT_NE(html.find("Mentions by language"), std::string::npos);
  EXPECT_NE(html.find(">French</span>"), std::string::npos);

  d.language = "fr";  // --lang fr: said in the header, no comparison of one language
  html = RenderReport(d, French());
  EXPECT_NE(html.find("Articles en français uniquement (fr)"), std::string::npos);
  EXPECT_EQ(html.find("Mentions par langue"), std::string::npos);
}

}  // namespace
}  // namespace veille::cli
