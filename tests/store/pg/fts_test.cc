// The full-text column of entries on PostgreSQL: veille_fts_words cuts and folds words as the
// matcher does (so a query's words find every entry the matcher could accept), the title and the
// text are weighted apart, and the GIN index serves the searches.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "pg_fixture.h"
#include "store/pg/schema.h"
#include "text/normalize.h"

namespace veille::store::pg {
namespace {

using testing::TestServer;
using testing::WithConninfo;

class PgFtsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto conn = Connection::Open(
        WithConninfo(TestServer::Get().Conninfo(TestServer::Get().CreateDatabase())));
    ASSERT_TRUE(conn) << conn.error().message;
    conn_ = conn->release();
    auto migrated = Migrate(*conn_);
    ASSERT_TRUE(migrated) << migrated.error().message;
    auto feed = conn_->Exec(
        "INSERT INTO feeds (url, created_at) VALUES ('https://a.example/feed', 1) RETURNING id");
    ASSERT_TRUE(feed) << feed.error().message;
    feed_ = feed->Int(0, 0);
  }
  static void TearDownTestSuite() {
    delete conn_;
    conn_ = nullptr;
  }

  // The lexemes PostgreSQL indexes for `text`, sorted, space-separated.
  static std::string Lexemes(std::string_view text) {
    auto r = conn_->Exec(
        "SELECT array_to_string(tsvector_to_array(to_tsvector('simple', veille_fts_words($1))), "
        "' ')",
        {text});
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->Text(0, 0) : "";
  }

  static std::int64_t AddEntry(std::string_view key, const std::optional<std::string>& title,
                               const std::optional<std::string>& summary,
                               const std::optional<std::string>& content) {
    auto r = conn_->Exec(
        "INSERT INTO entries (feed_id, entry_key, title, summary, content, first_seen_at) "
        "VALUES ($1, $2, $3, $4, $5, 1) RETURNING id",
        {feed_, key, title, summary, content});
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->Int(0, 0) : -1;
  }

  // The ids of the entries whose fts matches `tsquery` (to_tsquery syntax, 'simple').
  static std::string Search(std::string_view tsquery) {
    auto r = conn_->Exec(
        "SELECT coalesce(string_agg(entry_key, ',' ORDER BY entry_key), '') FROM entries "
        "WHERE fts @@ to_tsquery('simple', $1)",
        {tsquery});
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->Text(0, 0) : "";
  }

  static Connection* conn_;
  static std::int64_t feed_;
};

Connection* PgFtsTest::conn_ = nullptr;
std::int64_t PgFtsTest::feed_ = 0;

TEST_F(PgFtsTest, WordsAreFoldedAndCutLikeTheMatchers) {
  const std::pair<std::string, std::string> cases[] = {
      {"L’Oréal lance Lancôme", "l lance lancome oreal"},
      {"l'ORÉAL d'Apple aujourd'hui", "apple aujourd d hui l oreal"},
      {"ŒUVRE Straße Æsop", "aesop oeuvre strasse"},
      {"Ore\xCC\x81"
       "al",
       "oreal"},  // e + combining acute
      {"Lan\xC2\xAD"
       "côme",
       "lancome"},  // soft hyphen inside the word
      {"loreal.com, contact@loreal.fr", "com contact fr loreal"},
      {"Lancôme-Paris_2024 A380 3.5%", "2024 3 5 a380 lancome paris"},
      {"ﬁnance Ｌ’ＯＲＥＡＬ", "finance l oreal"},  // NFKC: ligature, full width
      {"Ωμέγα ΠΑΡΊΣΙ Москва", "παρισι ωμεγα москва"},
      {"", ""},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(Lexemes(text), expected) << "text: " << text;
  }
}

TEST_F(PgFtsTest, EveryWordTheMatcherSeesIsALexeme) {
  // The prefilter may not miss what the matcher would accept: for each text, every word of
  // text::Words (the matcher's folded words) is in the PostgreSQL lexemes.
  const std::string texts[] = {
      "Le groupe L’Oréal rachète Æsop pour 2,5 milliards de dollars.",
      "« Lancôme » relance sa crème – aujourd’hui, l’ŒUVRE d’art 🙂 #beauté "
      "@loreal",
      "Garnier\xE2\x80\xAF: la marque n°1 (FR) ; voir https://www.garnier.fr/produits?id=42",
      "Straße, façade, naïve, Ærø, Łódź, Đà Nẵng, İstanbul",
      "mot\xE2\x80\x8B"
      "coupé mot\xE2\x80\x8D"
      "joint caf\xC3\xA9 cafe\xCC\x81",
      "ＡＢＣ１２３ ｶﾀｶﾅ ﬁﬂ ² x³",
  };
  for (const std::string& text : texts) {
    std::set<std::string> lexemes;
    std::istringstream words(Lexemes(text));
    for (std::string w; words >> w;) lexemes.insert(w);
    for (const std::string& word : text::Words(text)) {
      EXPECT_TRUE(lexemes.count(word)) << "the matcher's word \"" << word << "\" of \"" << text
                                       << "\" is not indexed; lexemes: " << Lexemes(text);
    }
  }
}

TEST_F(PgFtsTest, TheColumnIndexesTheTitleAndTheTextApart) {
  AddEntry("a", "L’Oréal rachète Æsop", "Le groupe annonce", "Le groupe annonce un rachat");
  AddEntry("b", std::nullopt, "Lancôme relance", "Lancôme relance sa crème");
  AddEntry("c", "Rien à voir", std::nullopt, std::nullopt);
  AddEntry("d", "Sur Garnier", "", "Publié par la rédaction de L’Oréal.com");
  EXPECT_EQ(Search("oreal"), "a,d");
  EXPECT_EQ(Search("oreal:A"), "a");  // the title only
  EXPECT_EQ(Search("oreal:B"), "d");  // the text only
  EXPECT_EQ(Search("lanc:*"), "b");
  EXPECT_EQ(Search("aesop & rachat"), "a");  // the title and the text of one entry
  EXPECT_EQ(Search("relance <-> sa <-> creme"), "b");
  EXPECT_EQ(Search("voir"), "c");
  EXPECT_EQ(Search("absent"), "");
}

TEST_F(PgFtsTest, LongTextsAndOverlongWordsAreStoredAndIndexed) {
  // 64 KiB of distinct words (the parser's bound on a text), and a word longer than a tsvector
  // lexeme may be (2,047 bytes: left out of the index with a notice, never an error).
  std::string text;
  for (int i = 0; text.size() < 65536; ++i) text += "mot" + std::to_string(i) + " ";
  text += std::string(3000, 'z') + " fin";
  const auto id = AddEntry("long", "Titre", text, std::nullopt);
  ASSERT_GT(id, 0);
  EXPECT_EQ(Search("mot0 & mot6000 & fin"), "long");
  EXPECT_EQ(Search("zzz:*"), "");
}

TEST_F(PgFtsTest, AnUpdatedTextIsIndexedAgain) {
  const auto id = AddEntry("e", "Avant", std::nullopt, std::nullopt);
  ASSERT_TRUE(conn_->Exec("UPDATE entries SET title = $1 WHERE id = $2", {"Après", id}));
  EXPECT_EQ(Search("avant"), "");
  EXPECT_EQ(Search("apres"), "e");
}

TEST_F(PgFtsTest, TheGinIndexServesTheSearch) {
  auto r = conn_->Exec(
      "SELECT 1 FROM pg_indexes WHERE indexname = 'entries_fts' "
      "AND indexdef LIKE '%USING gin (fts)'");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 1);
  ASSERT_TRUE(conn_->ExecScript("SET enable_seqscan = off"));
  auto plan =
      conn_->Exec("EXPLAIN SELECT id FROM entries WHERE fts @@ to_tsquery('simple', 'oreal')");
  ASSERT_TRUE(conn_->ExecScript("RESET enable_seqscan"));
  ASSERT_TRUE(plan) << plan.error().message;
  std::string text;
  for (int i = 0; i < plan->size(); ++i) text += plan->Text(i, 0) + "\n";
  EXPECT_NE(text.find("entries_fts"), std::string::npos) << text;
}

}  // namespace
}  // namespace veille::store::pg
