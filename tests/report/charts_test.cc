// The charts `veille report` and the web dashboard share (lib/report): hostile labels stay text
// in every chart, the web's swatches need no inline style, the bucket a period is drawn with,
// and ReadCharts over a real store.
#include "report/charts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "report/charts_data.h"
#include "tests/common/hostile_text.h"

namespace veille::report {
namespace {

constexpr UnixSeconds kDay = 86400;
constexpr UnixSeconds kNow = 1'796'480'580;  // 2026-12-05T14:23:00Z

// No '<' of the label reaches the output: every hostile label is escaped, wherever it lands.
void ExpectNoRawMarkup(const std::string& html, std::string_view label) {
  if (label.find('<') != std::string_view::npos) {
    EXPECT_EQ(html.find(std::string(label)), std::string::npos) << label;
  }
  EXPECT_EQ(html.find("<script"), std::string::npos) << label;
  EXPECT_EQ(html.find("<img"), std::string::npos) << label;
  EXPECT_EQ(html.find("\"><img"), std::string::npos) << label;  // out of an attribute
  EXPECT_EQ(html.find("' on"), std::string::npos) << label;
  EXPECT_EQ(html.find("<style"), std::string::npos) << label;
}

store::Volume VolumeOf(const std::string& rule) {
  store::Volume v;
  v.buckets = {kNow - kDay, kNow};
  v.rules = {{rule, "brand", 5, {2, 3}}, {"rival", "competitor", 1, {1, 0}}};
  v.total = 6;
  return v;
}

TEST(ChartsTest, HostileLabelsStayTextInEveryChart) {
  const i18n::Translator tr;
  for (std::string_view hostile : testing::kHostileTitles) {
    const std::string label(hostile);
    const store::Volume volume = VolumeOf(label);
    const RuleColours colours(volume.rules);
    for (Swatch swatch : {Swatch::kInlineStyle, Swatch::kSvg}) {
      ExpectNoRawMarkup(VolumeChart(volume, store::Bucket::kDay, colours, tr, swatch), label);
      ExpectNoRawMarkup(VoiceChart({{label, "brand", {label}, 3, 5, 0.75},
                                    {"rival", "competitor", {"rival"}, 1, 1, 0.25}},
                                   colours, tr, swatch),
                        label);
    }
    ExpectNoRawMarkup(SourcesChart({{label, "https://u:secret@x.example/" + label, 4}}, tr), label);
    ExpectNoRawMarkup(LanguagesChart({{label, 3, 2}}, tr), label);
    ExpectNoRawMarkup(BarsChart({{label, label, 3, label}}, tr), label);
  }
}

TEST(ChartsTest, SourcesHideTheCredentialsOfAFeedUrl) {
  const std::string html = SourcesChart({{"A", "https://user:s3cret@a.example/feed", 4}}, {});
  EXPECT_EQ(html.find("s3cret"), std::string::npos) << html;
  EXPECT_NE(html.find("a.example/feed"), std::string::npos) << html;
}

TEST(ChartsTest, WebSwatchesAreSvgWithoutInlineStyle) {
  const i18n::Translator tr;
  const store::Volume volume = VolumeOf("alpea");
  const RuleColours colours(volume.rules);
  const std::string voice_svg =
      VoiceChart({{"alpea", "brand", {"alpea"}, 3, 5, 1.0}}, colours, tr, Swatch::kSvg);
  const std::string volume_svg =
      VolumeChart(volume, store::Bucket::kDay, colours, tr, Swatch::kSvg);
  for (const std::string& html : {voice_svg, volume_svg}) {
    EXPECT_EQ(html.find("style="), std::string::npos) << html;
    EXPECT_NE(html.find("<svg class=\"swatch\""), std::string::npos) << html;
    EXPECT_NE(html.find(std::string("fill=\"") + colours.For("alpea") + "\""), std::string::npos);
  }
  // The report keeps its own page's inline style.
  const std::string report = VolumeChart(volume, store::Bucket::kDay, colours, tr);
  EXPECT_NE(report.find(std::string("<i style=\"background:") + colours.For("alpea") + "\"></i>"),
            std::string::npos)
      << report;
}

// The volume chart's value labels, read back from its SVG.
std::vector<std::int64_t> ValueLabels(const std::string& svg) {
  std::vector<std::int64_t> out;
  const std::string mark = "class=\"axis\" text-anchor=\"end\">";
  for (auto at = svg.find(mark); at != std::string::npos; at = svg.find(mark, at + 1)) {
    const auto from = at + mark.size();
    std::string digits;
    for (char c : svg.substr(from, svg.find('<', from) - from)) {
      if (c >= '0' && c <= '9') digits += c;  // "1,250" in English
    }
    out.push_back(std::stoll(digits));
  }
  return out;
}

TEST(ChartsTest, TheValueAxisLabelsAreExactAndEvenlySpaced) {
  const i18n::Translator tr;
  for (std::int64_t peak : {0, 1, 3, 4, 5, 6, 7, 10, 11, 12, 19, 26, 37, 101, 1234, 99999}) {
    store::Volume v;
    v.buckets = {kNow - kDay, kNow};
    v.rules = {{"alpea", "brand", peak, {peak, 0}}};
    v.total = peak;
    const RuleColours colours(v.rules);
    const auto labels = ValueLabels(VolumeChart(v, store::Bucket::kDay, colours, tr));
    ASSERT_GE(labels.size(), 4u) << peak;  // 3 intervals at least
    ASSERT_LE(labels.size(), 6u) << peak;  // 5 at most
    EXPECT_EQ(labels.front(), 0) << peak;
    const std::int64_t step = labels[1];
    for (std::size_t i = 0; i < labels.size(); ++i) {
      // Before the fix, an axis of 10 in quarters read 0, 2, 5, 7, 10 (2.5 and 7.5 truncated).
      EXPECT_EQ(labels[i], step * static_cast<std::int64_t>(i)) << peak;
    }
    EXPECT_GE(labels.back(), peak) << "the peak fits under the top line";
    if (peak > 4) {
      EXPECT_LT(labels.back(), 2 * peak) << "the axis is not twice the peak";
    }
  }
}

TEST(ChartsTest, BarsWithANoteGetTheWiderNumberColumn) {
  const i18n::Translator tr;
  // "15 9 stories" wrapped onto two lines in the 60px column of the number-only charts.
  const std::string languages = LanguagesChart({{"fr", 15, 9}, {"en", 4, 3}}, tr);
  EXPECT_NE(languages.find("<div class=\"bars with-notes\">"), std::string::npos) << languages;
  EXPECT_NE(languages.find("9 stories"), std::string::npos) << languages;
  const std::string sources = SourcesChart({{"A", "https://a.example/feed", 4}}, tr);
  EXPECT_NE(sources.find("<div class=\"bars\">"), std::string::npos) << sources;
}

TEST(ChartsTest, TheBucketFollowsThePeriodsLength) {
  EXPECT_EQ(BucketForPeriod(kNow - 7 * kDay, kNow), store::Bucket::kDay);
  EXPECT_EQ(BucketForPeriod(kNow - 62 * kDay, kNow), store::Bucket::kDay);
  EXPECT_EQ(BucketForPeriod(kNow - 63 * kDay, kNow), store::Bucket::kWeek);
  EXPECT_EQ(BucketForPeriod(kNow - 366 * kDay, kNow), store::Bucket::kWeek);
  EXPECT_EQ(BucketForPeriod(kNow - 367 * kDay, kNow), store::Bucket::kMonth);
}

class ReadChartsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-report-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::Store::Open((dir_ / "veille.db").string(), store::Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Commit(std::int64_t feed, const std::string& key, UnixSeconds published,
              const std::string& language, std::vector<std::pair<std::string, std::string>> rules) {
    store::DocumentCommit c;
    c.feed.feed_id = feed;
    c.feed.fetched_at = kNow - kDay;
    c.feed.next_due_at = kNow;
    store::EntryRecord e;
    e.key = key;
    e.title = "Title " + key;
    e.link = "https://x.example/" + key;
    e.summary = "text " + key;
    e.published_at = published;
    e.language = language;
    e.language_source = "declared";
    for (const auto& [rule, category] : rules) {
      store::MentionRecord m;
      m.rule = rule;
      m.category = category;
      m.terms = {rule};
      m.snippet = "text " + key;
      e.mentions.push_back(m);
    }
    c.entries = {e};
    auto stats = store_->CommitDocument(c);
    ASSERT_TRUE(stats) << stats.error().message;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReadChartsTest, ReadsEveryChartOfThePeriod) {
  auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"}, {"https://b.example/feed", "B"}},
                               kNow - 10 * kDay);
  ASSERT_TRUE(ids);
  Commit((*ids)[0], "a1", kNow - 2 * kDay, "fr", {{"alpea", "brand"}});
  Commit((*ids)[0], "a2", kNow - 2 * kDay, "fr", {{"alpea", "brand"}, {"rival", "competitor"}});
  Commit((*ids)[1], "b1", kNow - 3 * kDay, "en", {{"rival", "competitor"}});
  Commit((*ids)[1], "old", kNow - 40 * kDay, "en", {{"alpea", "brand"}});  // before the period

  store::StatsQuery query;
  query.now = kNow;
  query.since = kNow - 7 * kDay;
  query.bucket = BucketForPeriod(query.since, kNow);
  auto data =
      ReadCharts(*store_, query, {{"alpea", "Alpéa", "brand"}, {"rival", "Rival", "competitor"}});
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(data->volume.total, 4);
  EXPECT_EQ(data->volume.buckets.size(), 8u);
  ASSERT_EQ(data->voice.size(), 2u);
  EXPECT_EQ(data->voice[0].entity, "Alpéa");
  EXPECT_EQ(data->voice[0].stories, 2);
  ASSERT_EQ(data->sources.size(), 2u);
  EXPECT_EQ(data->sources[0].feed_name, "A");
  EXPECT_EQ(data->sources[0].mentions, 3);
  ASSERT_EQ(data->languages.size(), 2u);
  EXPECT_EQ(data->languages[0].language, "fr");
  EXPECT_EQ(data->reach.sources, 2);
  EXPECT_EQ(data->reach.stories, 3);
}

}  // namespace
}  // namespace veille::report
