// The CLI's archive helpers: searches verified by the matcher, CSV that spreadsheets read
// safely (the FTS5 prefilter is tested with the store: tests/store/fts_query_test.cc).
#include "daemon/cli_archive.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "daemon/cli_backtest.h"
#include "daemon/cli_support.h"
#include "i18n/translator.h"
#include "store/search.h"
#include "store/store.h"

namespace veille::cli {
namespace {

TEST(CsvRecordTest, QuotesWhatNeedsQuotingAndDefusesFormulas) {
  EXPECT_EQ(CsvRecord({"a", "b c", "d,e", "say \"hi\"", "two\nlines"}),
            "a,b c,\"d,e\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
  EXPECT_EQ(CsvRecord({"=HYPERLINK(\"x\")", "+1", "-2", "@SUM", "ok"}),
            "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM,ok\r\n");
  EXPECT_EQ(CsvRecord({}), "\r\n");
}

TEST(ChooseOutputTest, FormatJsonAndExcelOfTheListingCommands) {
  auto table = ChooseOutput("table", false, false);
  ASSERT_TRUE(table);
  EXPECT_EQ(table->format, Format::kTable);
  EXPECT_EQ(table->dialect, CsvDialect::kRfc4180);
  auto json = ChooseOutput("table", true, false);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->format, Format::kJson);
  // --excel alone, or with --format csv, is CSV in the spreadsheet dialect.
  for (const char* format : {"table", "csv"}) {
    auto excel = ChooseOutput(format, false, true);
    ASSERT_TRUE(excel) << format;
    EXPECT_EQ(excel->format, Format::kCsv);
    EXPECT_EQ(excel->dialect, CsvDialect::kExcel);
  }
  auto clash = ChooseOutput("ndjson", false, true);
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(clash.error().message.find("--format ndjson"), std::string::npos)
      << clash.error().message;
  auto clash_json = ChooseOutput("table", true, true);
  ASSERT_FALSE(clash_json);
  EXPECT_NE(clash_json.error().message.find("--format json"), std::string::npos);
  auto unknown = ChooseOutput("xml", false, false);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
}

TEST(HighlightedSnippetTest, OneMarkerThatFrenchPunctuationNeverUses) {
  EXPECT_EQ(HighlightedSnippet("Orélia rappelle", {{0, 7}}, MarkStyle::kPlain),
            "**Orélia** rappelle");
  // French quotation marks and brackets in the text stay readable as such.
  const std::string text = "\u00ab la \u00abconsigne\u00bb des [bouteilles] \u00bb";
  const auto at = static_cast<std::uint32_t>(text.find("consigne"));
  EXPECT_EQ(HighlightedSnippet(text, {{at, at + 8}}, MarkStyle::kPlain),
            "\u00ab la \u00ab**consigne**\u00bb des [bouteilles] \u00bb");
  EXPECT_EQ(HighlightedSnippet("Orélia", {{0, 7}}, MarkStyle::kBold), "\033[1mOrélia\033[0m");
  // Stored offsets are data: bad ones are skipped; feed control characters are neutralised.
  EXPECT_EQ(HighlightedSnippet("abc", {{2, 9}}, MarkStyle::kPlain), "abc");
  EXPECT_EQ(HighlightedSnippet("a\033[31mb", {{0, 1}}, MarkStyle::kPlain), "**a**[31mb");
}

// The table cells of feeds and poll in the process language: English writes what it always
// wrote (FormatDuration, the outcome names), French its own units and words.
TEST(TableWordsTest, DurationsAndOutcomesFollowTheProcessLanguage) {
  EXPECT_EQ(ShortDuration(93784), FormatDuration(93784));
  EXPECT_EQ(ShortDuration(93784), "1d2h3m4s");
  EXPECT_EQ(ShortDuration(0), "0s");
  EXPECT_EQ(OutcomeLabel("not_modified"), "not_modified");
  auto fr = i18n::LoadTranslator("fr", {VEILLE_BINARY_DIR "/locale"});
  ASSERT_TRUE(fr) << fr.error().message;
  i18n::SetProcessTranslator(*fr);
  EXPECT_EQ(ShortDuration(93784), "1j2h3min4s");
  EXPECT_EQ(ShortDuration(1800), "30min");
  EXPECT_EQ(OutcomeLabel("not_modified"), "inchangé");
  EXPECT_EQ(OutcomeLabel("timeout"), "délai dépassé");
  EXPECT_EQ(OutcomeLabel("something_new"), "something_new");  // an unknown name as it is
  i18n::SetProcessTranslator(i18n::Translator());
  EXPECT_EQ(OutcomeLabel("timeout"), "timeout");
}

TEST(HighlightedSnippetTest, ATableCellStartsNearTheFirstHit) {
  const std::string snippet = "Les eaux minérales reviennent au verre consigné : Alpéa relance";
  const auto at = static_cast<std::uint32_t>(snippet.find("Alpéa"));
  EXPECT_EQ(FocusedSnippet(snippet, {{at, at + 6}}, 12, MarkStyle::kPlain),
            "\u2026consigné : **Alpéa** relance");
  EXPECT_EQ(FocusedSnippet(snippet, {{0, 3}}, 12, MarkStyle::kPlain),
            "**Les** eaux minérales reviennent au verre "
            "consigné : Alpéa relance");
  EXPECT_EQ(FocusedSnippet(snippet, {}, 12, MarkStyle::kPlain), snippet);
}

TEST(HighlightedSnippetTest, TablesMeasureAndCutBoldHighlightsCorrectly) {
  const std::string bold =
      HighlightedSnippet("la marque Orélia rappelle", {{10, 17}}, MarkStyle::kBold);
  EXPECT_EQ(DisplayWidth(bold), DisplayWidth("la marque Orélia rappelle"));
  // Cut inside the highlight: the bold is closed before the ellipsis, never left on.
  EXPECT_EQ(Ellipsize(bold, 13), "la marque \033[1mOr\033[0m\u2026");
  EXPECT_EQ(Ellipsize(bold, 100), bold);
  EXPECT_EQ(Ellipsize(bold, 20), "la marque \033[1mOrélia\033[0m ra\u2026");
}

class SearchArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("veille-cli-archive-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::Store::Open((dir_ / "veille.db").string(), store::Access::kMigrate);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto ids = store_->SyncFeeds({{"https://a.example/feed", "A"}}, 1000);
    ASSERT_TRUE(ids);
    store::DocumentCommit c;
    c.feed.feed_id = (*ids)[0];
    c.feed.fetched_at = 2000;
    const char* texts[][2] = {
        {"Renault rappelle des véhicules", "Le constructeur Renault annonce un rappel."},
        {"Renault recrute", "Renault recrute 200 ingénieurs, offre d'emploi."},
        {"Le rappel des faits",
         "Renault n'est pas concerné : la marque et le rappel sont loin, "
         "très loin l'un de l'autre dans ce texte de plusieurs mots."},
        {"L'Oréal rachète une marque", "l’Oréal annonce un rachat."},
    };
    int n = 0;
    for (const auto& t : texts) {
      store::EntryRecord e;
      e.key = std::to_string(++n);
      e.title = t[0];
      e.summary = t[1];
      e.link = "https://a.example/" + e.key;
      c.entries.push_back(e);
    }
    ASSERT_TRUE(store_->CommitDocument(c));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> Titles(const std::string& query, SearchStats* stats = nullptr) {
    std::vector<std::string> titles;
    auto r = SearchArchive(*store_, query, {}, [&](const SearchHit& h) {
      titles.push_back(h.entry.title.value_or(""));
      return true;
    });
    EXPECT_TRUE(r) << query << ": " << r.error().message;
    if (r && stats) *stats = *r;
    return titles;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SearchArchiveTest, TheMatcherConfirmsWhatTheIndexProposes) {
  SearchStats stats;
  // The index proposes all three entries holding both words; NEAR/3 keeps the close ones.
  EXPECT_EQ(Titles("Renault NEAR/3 rappel", &stats),
            (std::vector<std::string>{"Renault rappelle des véhicules"}));
  EXPECT_EQ(stats.candidates, 2);  // "rappelle" is not "rappel": entry 1 comes via its text
  EXPECT_EQ(stats.matches, 1);
  EXPECT_EQ(Titles("Renault -emploi").size(), 2u);
  EXPECT_EQ(Titles("\"l'oréal\" rachat").size(), 1u);
  EXPECT_EQ(Titles("title:rappel").size(), 1u);
  EXPECT_EQ(Titles("recru*").size(), 1u);
}

TEST_F(SearchArchiveTest, ABadQueryIsAnInvalidArgumentWithItsColumn) {
  auto r = SearchArchive(*store_, "Renault NEAR/3", {}, [](const SearchHit&) { return true; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("column"), std::string::npos) << r.error().message;
}

TEST_F(SearchArchiveTest, ABacktestCountsWhatARuleWouldHaveMatchedPerDay) {
  config::Config config;
  config.daemon.database = (dir_ / "veille.db").string();
  BacktestOptions o;
  o.query = "Renault";
  o.exclude = "emploi";
  o.since = "1970-01-01";
  o.json = true;
  std::ostringstream out, err;
  EXPECT_EQ(RunBacktest(config, o, out, err), 0) << err.str();
  const auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["entries"], 4);
  EXPECT_EQ(j["matches"], 2);
  ASSERT_EQ(j["per_day"].size(), 1u);
  EXPECT_EQ(j["per_day"][0]["day"], "1970-01-01");  // first seen at 2000 s, no publication date
  EXPECT_EQ(j["newest"].size(), 2u);
  EXPECT_FALSE(j["newest"][0].contains("explain"));

  o.explain = true;  // why each listed match matched, on the stored entry
  std::ostringstream explained;
  EXPECT_EQ(RunBacktest(config, o, explained, err), 0) << err.str();
  const auto je = nlohmann::json::parse(explained.str());
  ASSERT_EQ(je["newest"].size(), 2u);
  for (const auto& hit : je["newest"]) {
    EXPECT_EQ(hit["explain"]["matched"], true);
    EXPECT_EQ(hit["explain"]["query"]["terms"][0]["term"], "Renault");
    EXPECT_GE(hit["explain"]["query"]["terms"][0]["hit_count"], 1);
    EXPECT_EQ(hit["explain"]["exclude"]["matched"], false);
  }
  o.json = false;
  std::ostringstream why;
  EXPECT_EQ(RunBacktest(config, o, why, err), 0) << err.str();
  EXPECT_NE(why.str().find("\nWHY\n"), std::string::npos) << why.str();
  EXPECT_NE(why.str().find("  exclude (emploi): not matched"), std::string::npos) << why.str();
  o.explain = false;

  o.query = "Dacia";
  std::ostringstream none;
  EXPECT_EQ(RunBacktest(config, o, none, err), 1);
  EXPECT_NE(none.str().find("0 of 4 stored entries"), std::string::npos) << none.str();

  o.query = "Renault NEAR/";
  std::ostringstream bad, bad_err;
  EXPECT_EQ(RunBacktest(config, o, bad, bad_err), 2);
  EXPECT_NE(bad_err.str().find("column"), std::string::npos) << bad_err.str();
}

}  // namespace
}  // namespace veille::cli
