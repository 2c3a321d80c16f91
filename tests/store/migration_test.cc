// Every migration applied to a database left at every older schema version, with data in it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>

#include "store/entry_versions.h"
#include "store/fts_query.h"
#include "store/internal.h"
#include "store/schema.h"
#include "store/search.h"
#include "store/store.h"

namespace veille::store {
namespace {

// Rows a database at schema version >= 1 holds: two feeds, one story published by both (the
// same link), one entry alone, a mention and its outbox row.
constexpr const char* kVersion1Data = R"sql(
INSERT INTO feeds (id, url, name, created_at) VALUES
  (1, 'https://a.example/feed', 'A', 100), (2, 'https://b.example/feed', 'B', 100);
INSERT INTO entries (id, feed_id, entry_key, link, canonical_link, title, summary, content,
                     language, first_seen_at) VALUES
  (1, 1, 'k1', 'https://news.example/1', 'https://news.example/1', 'Lancôme ouvre à Paris',
   'La marque ouvre', 'une boutique rue Saint-Honoré', 'fr_FR', 1000),
  (2, 2, 'k2', 'https://news.example/1', 'https://news.example/1', 'Lancôme ouvre à Paris',
   NULL, 'une boutique', NULL, 1100),
  (3, 1, 'k3', NULL, NULL, 'Sans lien', 'Résumé seul', NULL, NULL, 1200);
INSERT INTO mentions (id, entry_id, rule, category, terms, snippet, highlights, created_at)
  VALUES (1, 1, 'marque', 'brand', 'Lancôme', 'Lancôme ouvre', '0-8', 1000);
INSERT INTO outbox (id, mention_id, channel, idempotency_key, status, next_attempt_at,
                    created_at) VALUES (1, 1, 'journal', 'v1-key', 'delivered', 1000, 1000);
)sql";

// What veille at schema version >= 3 wrote besides those rows: their full-text rows and stories
// (one per distinct link), as Store::CommitDocument does.
constexpr const char* kVersion3Data = R"sql(
INSERT INTO entries_fts (rowid, title, text)
  SELECT id, COALESCE(title, ''),
         CASE WHEN content IS NULL OR content = COALESCE(summary, '') THEN COALESCE(summary, '')
              WHEN COALESCE(summary, '') = '' THEN content
              ELSE summary || char(10) || content END
  FROM entries;
INSERT INTO stories (id, canonical_link, first_seen_at) VALUES
  (1, 'https://news.example/1', 1000), (3, NULL, 1200);
UPDATE entries SET story_id = CASE WHEN id = 3 THEN 3 ELSE 1 END;
)sql";

// What veille at schema version >= 13 wrote differently: a language tag with '-' and its source.
constexpr const char* kVersion13Data = R"sql(
UPDATE entries SET language = 'fr-FR', language_source = 'declared' WHERE language = 'fr_FR';
)sql";

class MigrationTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veille-migration-" + std::to_string(GetParam()) + "-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "old.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Builds a database at schema version `version` the way that version's veille did.
  void BuildAt(int version) {
    auto db = Database::Open(path_, OpenMode::kReadWrite, 1000);
    ASSERT_TRUE(db) << db.error().message;
    for (int v = 1; v <= version; ++v) {
      auto r = (*db)->Exec(Migrations()[static_cast<std::size_t>(v - 1)]);
      ASSERT_TRUE(r) << "migration " << v << ": " << r.error().message;
      ASSERT_TRUE((*db)->Exec("PRAGMA user_version = " + std::to_string(v)));
    }
    if (version >= 1) {
      auto r = (*db)->Exec(kVersion1Data);
      ASSERT_TRUE(r) << r.error().message;
    }
    if (version >= 3) {
      auto r = (*db)->Exec(kVersion3Data);
      ASSERT_TRUE(r) << r.error().message;
    }
    if (version >= 13) {
      auto r = (*db)->Exec(kVersion13Data);
      ASSERT_TRUE(r) << r.error().message;
    }
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_P(MigrationTest, UpgradesToTheCurrentVersionKeepingEveryRow) {
  const int from = GetParam();
  BuildAt(from);
  auto store = Store::Open(path_, Access::kMigrate);
  ASSERT_TRUE(store) << "from version " << from << ": " << store.error().message;
  auto version = DatabaseOf(**store).Prepare("PRAGMA user_version");
  ASSERT_TRUE(version && version->Step());
  EXPECT_EQ(version->Int(0), SchemaVersion());
  auto fk = DatabaseOf(**store).Prepare("PRAGMA foreign_key_check");
  ASSERT_TRUE(fk);
  auto fk_row = fk->Step();
  ASSERT_TRUE(fk_row);
  EXPECT_FALSE(*fk_row) << "foreign key violation after migrating from " << from;
  if (from == 0) return;  // an empty database has no rows to keep

  auto mentions = (*store)->ListMentions({});
  ASSERT_TRUE(mentions) << mentions.error().message;
  ASSERT_EQ(mentions->size(), 1u);
  EXPECT_EQ((*mentions)[0].snippet, "Lancôme ouvre");

  // Entries stored before the archive are searchable and grouped by their link.
  std::vector<StoredEntry> found;
  auto r = ScanEntriesFts(**store, "lancome", {}, [&](const StoredEntry& e) {
    found.push_back(e);
    return true;
  });
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].story_id, found[1].story_id);
  EXPECT_NE(found[0].story_id, 0);
  // Every language stored before migration 13 was the document's, as written (newest first: 2,
  // then 1).
  EXPECT_EQ(found[1].language, "fr-FR");
  EXPECT_EQ(found[1].language_source, "declared");
  EXPECT_EQ(found[0].language, std::nullopt);
  EXPECT_EQ(found[0].language_source, std::nullopt);
  std::size_t alone = 0;
  ASSERT_TRUE(ScanEntriesFts(**store, "resume", {}, [&](const StoredEntry& e) {
    alone = static_cast<std::size_t>(e.story_id);
    return true;
  }));
  EXPECT_NE(alone, 0u);
  EXPECT_NE(static_cast<std::int64_t>(alone), found[0].story_id);
  found.clear();
  ASSERT_TRUE(ScanEntriesFts(**store, "\"saint honore\"", {}, [&](const StoredEntry& e) {
    found.push_back(e);
    return true;
  }));
  EXPECT_EQ(found.size(), 1u);

  // Entries stored before migration 14 have no content hash (the next poll listing them records
  // one, without an edit) and no edit.
  auto hashes = StoredEntryHashes(**store, 1, {"k1", "k3"});
  ASSERT_TRUE(hashes) << hashes.error().message;
  ASSERT_EQ(hashes->size(), 2u);
  EXPECT_EQ(hashes->at("k1"), std::nullopt);
  auto edits = DatabaseOf(**store).Prepare("SELECT SUM(edits), COUNT(edited_at) FROM entries");
  ASSERT_TRUE(edits && *edits->Step());
  EXPECT_EQ(edits->Int(0), 0);
  EXPECT_EQ(edits->Int(1), 0);

  // And new documents commit on top of the migrated rows.
  DocumentCommit c;
  c.feed.feed_id = 2;
  c.feed.fetched_at = 5000;
  EntryRecord e;
  e.key = "k4";
  e.link = e.canonical_link = "https://news.example/1";
  e.title = "Lancôme, suite";
  c.entries.push_back(e);
  auto stats = (*store)->CommitDocument(c);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->new_entries, 1);
  auto same = DatabaseOf(**store).Prepare(
      "SELECT COUNT(DISTINCT story_id) FROM entries WHERE link = 'https://news.example/1'");
  ASSERT_TRUE(same && same->Step());
  EXPECT_EQ(same->Int(0), 1);
}

std::vector<int> OlderVersions() {
  std::vector<int> v;
  for (int i = 0; i < SchemaVersion(); ++i) v.push_back(i);
  return v;
}

INSTANTIATE_TEST_SUITE_P(EveryOlderVersion, MigrationTest, ::testing::ValuesIn(OlderVersions()),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           return "FromVersion" + std::to_string(param_info.param);
                         });

TEST_P(MigrationTest, AReaderRefusesAnOlderSchemaWithAMessageSayingHowToMigrate) {
  const int from = GetParam();
  BuildAt(from);
  auto reader = Store::Open(path_, Access::kRead);
  ASSERT_FALSE(reader);
  if (from > 0) {
    EXPECT_NE(reader.error().message.find("restart veilled"), std::string::npos)
        << reader.error().message;
  }
}

TEST_P(MigrationTest, AWriterOtherThanTheDaemonRefusesAnOlderSchemaAndLeavesItAsItWas) {
  const int from = GetParam();
  BuildAt(from);
  auto writer = Store::Open(path_, Access::kWrite);
  ASSERT_FALSE(writer);
  EXPECT_NE(writer.error().message.find("veille db migrate"), std::string::npos)
      << writer.error().message;
  auto db = Database::Open(path_, OpenMode::kReadOnly, 1000);
  ASSERT_TRUE(db);
  auto version = (*db)->Prepare("PRAGMA user_version");
  ASSERT_TRUE(version && *version->Step());
  EXPECT_EQ(version->Int(0), from);
}

// The schema and the full-text index's settings of a database, as text to compare.
std::string SchemaOf(Database& db) {
  std::string out;
  const std::pair<const char*, int> queries[] = {
      {"SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name", 4},
      {"SELECT k, v FROM entries_fts_config ORDER BY k", 2},
      {"PRAGMA user_version", 1}};
  for (const auto& [sql, columns] : queries) {
    auto stmt = db.Prepare(sql);
    EXPECT_TRUE(stmt) << sql;
    if (!stmt) return out;
    for (;;) {
      auto row = stmt->Step();
      EXPECT_TRUE(row) << sql;
      if (!row || !*row) break;
      for (int c = 0; c < columns; ++c) {
        out += (stmt->IsNull(c) ? std::string("NULL") : stmt->Text(c)) + "|";
      }
      out += "\n";
    }
  }
  return out;
}

// A fresh file gets every migration in one transaction (schema.cc, Migrate): the result is the
// very schema, index settings and version that the migrations one transaction at a time give.
TEST(FreshMigrationTest, OneTransactionGivesTheSchemaOfTheStepByStepMigrations) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("veille-migration-fresh-" +
                    std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string fresh = (dir / "fresh.db").string();
  const std::string stepped = (dir / "stepped.db").string();
  {
    // At version 1, then migrated: one transaction per migration from 2 on.
    auto db = Database::Open(stepped, OpenMode::kReadWrite, 1000);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->Exec(Migrations()[0]));
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 1"));
  }
  auto a = Store::Open(fresh, Access::kMigrate);
  ASSERT_TRUE(a) << a.error().message;
  auto b = Store::Open(stepped, Access::kMigrate);
  ASSERT_TRUE(b) << b.error().message;
  const std::string schema = SchemaOf(DatabaseOf(**a));
  EXPECT_NE(schema.find("entries_fts"), std::string::npos);
  EXPECT_EQ(schema, SchemaOf(DatabaseOf(**b)));
  a->reset();
  b->reset();
  std::filesystem::remove_all(dir);
}

TEST(MigrationRefusalTest, AWriterDoesNotCreateAMissingDatabase) {
  const auto path = std::filesystem::temp_directory_path() / "veille-migration-missing.db";
  std::filesystem::remove(path);
  auto writer = Store::Open(path.string(), Access::kWrite);
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(MigrationRefusalTest, ADatabaseFromANewerVeilleIsRefused) {
  const auto path = std::filesystem::temp_directory_path() / "veille-migration-newer.db";
  std::filesystem::remove(path);
  {
    auto db = Database::Open(path.string(), OpenMode::kReadWrite, 1000);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = " + std::to_string(SchemaVersion() + 1)));
  }
  auto store = Store::Open(path.string(), Access::kMigrate);
  EXPECT_FALSE(store);
  for (Access access : {Access::kRead, Access::kWrite}) {
    auto other = Store::Open(path.string(), access);
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().message.find("upgrade veille"), std::string::npos);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace veille::store
