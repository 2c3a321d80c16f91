// The archive at the size of a long-running install: 1,000,000 entries over 400 days from 200
// feeds, 100,000 mentions of 12 rules (brand, competitor, sector). Measures what the CLI does
// for `veille mentions --since 7d`, `veille search '"phrase"'` and `veille stats --since 365d`
// (each open the file read-only first, as the CLI does), and the insertion rate of
// Store::CommitDocument (one transaction per 50-entry document, synchronous=FULL) into the
// full archive.
//
//   cmake -B build/bench -DCMAKE_BUILD_TYPE=Release -DVEILLE_BUILD_BENCH=ON && ninja -C build/bench
//   archive_bench build/bench/tests/bench/archive_bench            # fills $VEILLE_BENCH_DIR
//   (default /tmp/veille-archive-bench)
//
// VEILLE_BENCH_ENTRIES changes the archive size (default 1000000); VEILLE_BENCH_REUSE=1 reuses
// the database of a previous run instead of filling again. VEILLE_BENCH_DATABASE=postgresql://...
// runs on an empty PostgreSQL database instead of the SQLite file (archive_backends.py runs both
// in one session, on a throwaway server, and prints the ratios); there BM_Stats365d and
// BM_InsertIntoFullArchive (SQLite's index merging) report an error. The fill itself is reported
// is printed on stderr ("fill: N entries in S s: R entries/s", wall time, 100 entries per
// document). BM_InsertIntoFullArchive/1 repeats the insertion with PRAGMA synchronous=NORMAL on
// its connection: not veille's setting (FULL), a figure for the fsync's share of the cost.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "archive/search.h"
#include "store/info.h"
#include "store/internal.h"
#include "store/retention.h"
#include "store/stats.h"
#include "store/store.h"

namespace {

using veille::UnixSeconds;
namespace store = veille::store;

constexpr UnixSeconds kNow = 1'795'000'000;
constexpr int kFeeds = 200;
constexpr const char* kPhrase = "rappel massif de crèmes solaires";
const char* kRules[][2] = {
    {"orelia", "brand"},      {"orelia-produits", "brand"}, {"orelia-dirigeants", "brand"},
    {"orelia-rh", "brand"},   {"bellacosa", "competitor"},  {"naturea", "competitor"},
    {"lumina", "competitor"}, {"verdance", "competitor"},   {"cosmetique", "sector"},
    {"beaute-bio", "sector"}, {"e-reputation", "sector"},   {"influence", "sector"}};

std::string BenchDir() {
  const char* dir = std::getenv("VEILLE_BENCH_DIR");
  return dir ? dir : "/tmp/veille-archive-bench";
}

std::int64_t EntryCount() {
  const char* n = std::getenv("VEILLE_BENCH_ENTRIES");
  return n ? std::atoll(n) : 1'000'000;
}

// Deterministic pseudo-French words: syllables from a fixed seed.
class Words {
 public:
  Words() : rng_(42) {
    static const char* kSyllables[] = {
        "ba", "ce",  "di",  "fo",  "gu",  "la", "me",  "ni",  "po",  "ru",  "sa",   "te",  "vo",
        "zi", "man", "ter", "lon", "ché", "ré", "ton", "mar", "que", "bio", "soin", "peau"};
    std::uniform_int_distribution<int> syl(0, 24), len(2, 4);
    for (int i = 0; i < 5000; ++i) {
      std::string w;
      for (int j = len(rng_); j > 0; --j) w += kSyllables[syl(rng_)];
      vocabulary_.push_back(w);
    }
  }
  std::string Sentence(int words) {
    std::uniform_int_distribution<std::size_t> pick(0, vocabulary_.size() - 1);
    std::string out;
    for (int i = 0; i < words; ++i) {
      if (i) out += ' ';
      out += vocabulary_[pick(rng_)];
    }
    return out;
  }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
  std::vector<std::string> vocabulary_;
};

store::EntryRecord MakeEntry(Words& words, std::int64_t n) {
  store::EntryRecord e;
  e.key = "k" + std::to_string(n);
  e.title = words.Sentence(8);
  e.link = "https://site" + std::to_string(n % 997) + ".example/article/" + std::to_string(n);
  e.canonical_link = e.link;
  std::string text = words.Sentence(45);
  if (n % 200 == 7) text += std::string(" après un ") + kPhrase + " annoncé hier";
  e.summary = text;
  if (n % 10 == 3) {
    const auto& rule = kRules[(n / 10) % 12];
    store::MentionRecord m;
    m.rule = rule[0];
    m.category = rule[1];
    m.terms = {rule[0]};
    // 200 bytes, cut at a character boundary (PostgreSQL refuses invalid UTF-8).
    std::size_t cut = std::min<std::size_t>(200, text.size());
    while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    m.snippet = text.substr(0, cut);
    m.highlights = {{0, 5}};
    m.channels = {"journal"};
    e.mentions.push_back(m);
  }
  return e;
}

std::string DatabasePath() {
  const char* database = std::getenv("VEILLE_BENCH_DATABASE");
  return database && *database ? database : BenchDir() + "/archive.db";
}

bool OnPostgres() { return DatabasePath().rfind("postgres", 0) == 0; }

struct Fill {
  bool ok = false;
  double entries_per_second = 0;
  std::int64_t next_key = 0;
};

Fill& FillOnce() {
  static Fill fill = [] {
    Fill f;
    if (std::getenv("VEILLE_BENCH_REUSE") &&
        (OnPostgres() || std::filesystem::exists(DatabasePath()))) {
      // Reuse a previous fill (migrated to this binary's schema on open).
      auto opened = store::Store::Open(DatabasePath(), store::Access::kMigrate);
      if (!opened) return f;
      auto info = store::ReadDatabaseInfo(**opened);
      if (!info) return f;
      f.next_key = info->entries + 1'000'000'000;  // keys never collide with the fill's
      f.ok = true;
      std::fprintf(stderr, "fill: reused %s\n", DatabasePath().c_str());
      return f;
    }
    std::filesystem::remove_all(BenchDir());
    std::filesystem::create_directories(BenchDir());
    auto opened = store::Store::Open(DatabasePath(), store::Access::kMigrate);
    if (!opened) {
      std::fprintf(stderr, "fill: %s\n", opened.error().message.c_str());
      return f;
    }
    auto& s = **opened;
    std::vector<std::pair<std::string, std::string>> feeds;
    for (int i = 0; i < kFeeds; ++i) {
      feeds.emplace_back("https://feed" + std::to_string(i) + ".example/rss",
                         "Feed " + std::to_string(i));
    }
    auto ids = s.SyncFeeds(feeds, kNow - 400 * 86400);
    if (!ids) {
      std::fprintf(stderr, "fill: %s\n", ids.error().message.c_str());
      return f;
    }
    Words words;
    const std::int64_t total = EntryCount();
    constexpr int kPerDocument = 100;
    const std::int64_t documents = total / kPerDocument;
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t d = 0; d < documents; ++d) {
      store::DocumentCommit c;
      c.feed.feed_id = (*ids)[static_cast<std::size_t>(d % kFeeds)];
      c.feed.fetched_at = kNow - 400 * 86400 + d * (400 * 86400) / documents;
      c.feed.next_due_at = c.feed.fetched_at + 1800;
      for (int i = 0; i < kPerDocument; ++i)
        c.entries.push_back(MakeEntry(words, d * kPerDocument + i));
      if (auto r = s.CommitDocument(c); !r) {
        std::fprintf(stderr, "fill: %s\n", r.error().message.c_str());
        return f;
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    f.entries_per_second = static_cast<double>(documents * kPerDocument) / seconds;
    f.next_key = documents * kPerDocument;
    std::fprintf(stderr, "fill: %lld entries in %.1f s: %.0f entries/s\n",
                 static_cast<long long>(f.next_key), seconds, f.entries_per_second);
    f.ok = true;
    return f;
  }();
  return fill;
}

void BM_Fill(benchmark::State& state) {
  Fill& f = FillOnce();
  if (!f.ok) {
    state.SkipWithError("fill failed");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(f.entries_per_second);
  state.counters["entries"] = static_cast<double>(f.next_key);
}
BENCHMARK(BM_Fill)->Iterations(1)->Unit(benchmark::kMillisecond);

std::unique_ptr<store::Store> OpenReader() {
  auto s = store::Store::Open(DatabasePath(), store::Access::kRead);
  return s ? std::move(*s) : nullptr;
}

// What every CLI command pays before its query: opening the store read-only (SQLite: the file
// and its schema check; PostgreSQL: a connection, its session settings and the schema check).
void BM_OpenReader(benchmark::State& state) {
  if (!FillOnce().ok) return state.SkipWithError("fill failed");
  for (auto _ : state) {
    auto s = OpenReader();
    if (!s) return state.SkipWithError("open failed");
    benchmark::DoNotOptimize(s.get());
  }
}
BENCHMARK(BM_OpenReader)->Unit(benchmark::kMillisecond);

// veille mentions --since 7d (default limit 50).
void BM_MentionsSince7d(benchmark::State& state) {
  if (!FillOnce().ok) return state.SkipWithError("fill failed");
  std::size_t rows = 0;
  for (auto _ : state) {
    auto s = OpenReader();
    store::MentionFilter filter;
    filter.since = kNow - 7 * 86400;
    auto m = s->ListMentions(filter);
    if (!m) return state.SkipWithError(m.error().message.c_str());
    rows = m->size();
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_MentionsSince7d)->Unit(benchmark::kMillisecond);

// veille mentions --since 7d --limit 0: every mention of the week.
void BM_MentionsSince7dAll(benchmark::State& state) {
  if (!FillOnce().ok) return state.SkipWithError("fill failed");
  std::size_t rows = 0;
  for (auto _ : state) {
    auto s = OpenReader();
    store::MentionFilter filter;
    filter.since = kNow - 7 * 86400;
    filter.limit = 0;
    auto m = s->ListMentions(filter);
    if (!m) return state.SkipWithError(m.error().message.c_str());
    rows = m->size();
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_MentionsSince7dAll)->Unit(benchmark::kMillisecond);

// veille search '"rappel massif de crèmes solaires"' (default limit 50), and with --limit 0
// (every one of the ~5,000 entries holding the phrase, each verified by the matcher).
void BM_SearchPhrase(benchmark::State& state) {
  if (!FillOnce().ok) return state.SkipWithError("fill failed");
  const auto limit = static_cast<std::size_t>(state.range(0));
  std::size_t hits = 0;
  for (auto _ : state) {
    auto s = OpenReader();
    hits = 0;
    auto r = veille::archive::SearchArchive(*s, std::string("\"") + kPhrase + "\"", {},
                                            [&](const veille::archive::SearchHit&) {
                                              ++hits;
                                              return limit == 0 || hits < limit;
                                            });
    if (!r) return state.SkipWithError(r.error().message.c_str());
  }
  state.counters["hits"] = static_cast<double>(hits);
}
BENCHMARK(BM_SearchPhrase)->Arg(50)->Arg(0)->Unit(benchmark::kMillisecond);

// veille stats --since 365d: volume per rule and category per day, top sources.
void BM_Stats365d(benchmark::State& state) {
  if (!FillOnce().ok) return state.SkipWithError("fill failed");
  std::int64_t total = 0;
  for (auto _ : state) {
    auto s = OpenReader();
    store::StatsQuery q;
    q.now = kNow;
    q.since = kNow - 365 * 86400;
    auto v = store::MentionVolume(*s, q);
    auto top = store::TopSources(*s, q, 10);
    if (!v || !top) return state.SkipWithError("stats failed");
    total = v->total;
  }
  state.counters["mentions"] = static_cast<double>(total);
}
BENCHMARK(BM_Stats365d)->Unit(benchmark::kMillisecond);

// Store::CommitBatch into the full archive: 50-entry documents, one or several per transaction.
void BM_InsertIntoFullArchive(benchmark::State& state) {
  Fill& f = FillOnce();
  if (!f.ok) return state.SkipWithError("fill failed");
  if (OnPostgres()) return state.SkipWithError("SQLite only (FTS5 merging)");
  auto opened = store::Store::Open(DatabasePath(), store::Access::kMigrate);
  if (!opened) return state.SkipWithError(opened.error().message.c_str());
  auto& s = **opened;
  // As veilled's writer: WAL checkpoints on their own thread (store::Checkpointer).
  if (!s.StartCheckpointer()) return state.SkipWithError("checkpointer");
  if (state.range(0) == 1 && !store::DatabaseOf(s).Exec("PRAGMA synchronous=NORMAL")) {
    return state.SkipWithError("pragma");
  }
  // Experiments: VEILLE_BENCH_SQL runs on the writer's connection before the insertions.
  if (const char* sql = std::getenv("VEILLE_BENCH_SQL"); sql && !store::DatabaseOf(s).Exec(sql)) {
    return state.SkipWithError("VEILLE_BENCH_SQL failed");
  }
  auto feeds = s.ListFeeds();
  if (!feeds) return state.SkipWithError("feeds");
  Words words;
  std::int64_t inserted = 0;
  {
    // The first commit loads the writer's story keys (30 days of entries): a start-up cost,
    // reported on its own, not part of the steady insertion rate.
    store::DocumentCommit c;
    c.feed.feed_id = (*feeds)[static_cast<std::size_t>(f.next_key % kFeeds)].id;
    c.feed.fetched_at = kNow;
    c.entries.push_back(MakeEntry(words, f.next_key++));
    const auto start = std::chrono::steady_clock::now();
    if (!s.CommitDocument(c)) return state.SkipWithError("first commit");
    state.counters["first_commit_ms"] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  // Runs store::MergeIndexStep, as the daemon does when idle, until nothing is left to merge;
  // returns the seconds it took, or a negative value after an error (reported as a skip).
  auto merge_all = [&]() -> double {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      auto merged = store::MergeIndexStep(s, store::kIndexStepPages);
      if (!merged) {
        state.SkipWithError(merged.error().message.c_str());
        return -1;
      }
      if (!*merged) break;
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  // Merge what the archive already owes (an older schema's segments) before timing, so that
  // idle_merge_s below is the merging this run's commits left.
  const double premerge_seconds = merge_all();
  if (premerge_seconds < 0) return;
  state.counters["premerge_s"] = premerge_seconds;
  const auto started = std::chrono::steady_clock::now();
  double commit_seconds = 0;
  // range(1) documents of 50 entries per commit (group commit, store::CommitBatch).
  const auto per_commit = static_cast<std::size_t>(state.range(1));
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<store::DocumentCommit> batch(per_commit);
    for (store::DocumentCommit& c : batch) {
      c.feed.feed_id = (*feeds)[static_cast<std::size_t>(f.next_key % kFeeds)].id;
      // The clock moves on as it does in the daemon: mentions are created now, not all at once.
      c.feed.fetched_at = kNow + std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::steady_clock::now() - started)
                                     .count();
      c.feed.next_due_at = c.feed.fetched_at + 1800;
      c.feed.store_validators = true;
      for (int i = 0; i < 50; ++i) c.entries.push_back(MakeEntry(words, f.next_key++));
    }
    state.ResumeTiming();
    const auto commit_start = std::chrono::steady_clock::now();
    auto r = s.CommitBatch(batch);
    commit_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_start).count();
    if (!r) return state.SkipWithError(r.error().message.c_str());
    for (const auto& one : *r) {
      if (!one) return state.SkipWithError(one.error().message.c_str());
      inserted += one->new_entries;
    }
  }
  state.SetItemsProcessed(inserted);
  state.counters["entries_per_s_wall"] =
      benchmark::Counter(static_cast<double>(inserted), benchmark::Counter::kIsRate);
  // The full-text merging the commits left for idle time: its time, and the insertion rate if
  // it had been paid inside the commits.
  const double merge_seconds = merge_all();
  if (merge_seconds < 0) return;
  state.counters["idle_merge_s"] = merge_seconds;
  state.counters["entries_per_s_with_merge"] =
      static_cast<double>(inserted) / (commit_seconds + merge_seconds);
}
// Args: {synchronous NORMAL (1) or FULL (0), documents per commit}.
BENCHMARK(BM_InsertIntoFullArchive)
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({0, 16})
    ->Args({0, 64})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
