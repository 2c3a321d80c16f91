// The cost of an entry's language (text/language.h) in the cold cycle, over the benchmark corpus,
// on one core:
//
//   /usr/bin/python3 ../shared/bench/gen_corpus.py -n 2000 --out /tmp/feedbench
//   build/bench/tests/bench/language_bench /tmp/feedbench     (or VEILLE_BENCH_CORPUS=...)
//
// The feeds are parsed first (untimed). Counters are entries/s.
//  - BM_LanguageAsIngested: what the parse workers do per document: check the feed's declared
//    language once (pipeline::CheckedFeedLanguage, one CLD2 call on a 2 KiB sample), then each
//    entry's language (text::EntryLanguageOf: the declaration, or CLD2 on its first KiB).
//  - BM_LanguageDetectedForEveryEntry: CLD2 on every entry, as if no feed declared a language.
//  - BM_EntryRecord: pipeline::EntryRecordFrom, the whole per-entry record step, language
//    included.
// Compare with the cold cycle of tests/bench/e2e_bench.py (its `cpu` over its entries) run in the
// same session: docs/feed-parsing.md, "Language".
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "feed/parse.h"
#include "pipeline/ingest.h"
#include "text/language.h"

namespace {

std::string g_corpus_dir = "/tmp/feedbench";

const std::vector<veille::feed::Feed>& LoadCorpus() {
  static const std::vector<veille::feed::Feed> corpus = [] {
    std::vector<veille::feed::Feed> feeds;
    const std::filesystem::path dir = std::filesystem::path(g_corpus_dir) / "feeds";
    std::vector<std::filesystem::path> paths;
    if (std::filesystem::is_directory(dir)) {
      for (const auto& item : std::filesystem::directory_iterator(dir)) {
        paths.push_back(item.path());
      }
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      auto feed = veille::feed::ParseFeed(s.str(), veille::feed::ParseOptions{});
      if (feed) feeds.push_back(std::move(*feed));
    }
    return feeds;
  }();
  return corpus;
}

// The text EntryRecordFrom gives CLD2: the summary, then the content, within the bound.
std::string TextOf(const veille::feed::Entry& e) {
  constexpr std::size_t kMax = veille::text::kMaxDetectionBytes;
  std::string text = e.summary ? veille::pipeline::TruncateUtf8(*e.summary, kMax) : "";
  if (e.content && text.size() + 1 < kMax) {
    if (!text.empty()) text += '\n';
    text += veille::pipeline::TruncateUtf8(*e.content, kMax - text.size());
  }
  return text;
}

void Run(benchmark::State& state, bool declared) {
  const auto& corpus = LoadCorpus();
  if (corpus.empty()) {
    state.SkipWithError(("no feeds under " + g_corpus_dir + "/feeds; run gen_corpus.py").c_str());
    return;
  }
  std::size_t entries = 0;
  std::size_t detected = 0;
  for (auto _ : state) {
    for (const auto& feed : corpus) {
      const std::string feed_language =
          declared ? veille::pipeline::CheckedFeedLanguage(feed) : std::string();
      for (const auto& e : feed.entries) {
        const std::string_view own = declared && e.language && e.language != feed.language
                                         ? std::string_view(*e.language)
                                         : std::string_view(feed_language);
        auto language = veille::text::EntryLanguageOf(own, e.title.value_or(""), TextOf(e));
        detected += language && language->source == veille::text::LanguageSource::kDetected;
        benchmark::DoNotOptimize(language);
        ++entries;
      }
    }
  }
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
  state.counters["detected"] = static_cast<double>(detected) / static_cast<double>(entries);
}

void BM_LanguageAsIngested(benchmark::State& state) { Run(state, true); }
BENCHMARK(BM_LanguageAsIngested)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_LanguageDetectedForEveryEntry(benchmark::State& state) { Run(state, false); }
BENCHMARK(BM_LanguageDetectedForEveryEntry)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_EntryRecord(benchmark::State& state) {
  const auto& corpus = LoadCorpus();
  if (corpus.empty()) {
    state.SkipWithError(("no feeds under " + g_corpus_dir + "/feeds; run gen_corpus.py").c_str());
    return;
  }
  std::size_t entries = 0;
  for (auto _ : state) {
    for (const auto& feed : corpus) {
      const std::string feed_language = veille::pipeline::CheckedFeedLanguage(feed);
      for (const auto& e : feed.entries) {
        auto record = veille::pipeline::EntryRecordFrom(e, feed, feed_language);
        benchmark::DoNotOptimize(record);
        ++entries;
      }
    }
  }
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EntryRecord)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  if (const char* env = std::getenv("VEILLE_BENCH_CORPUS")) g_corpus_dir = env;
  benchmark::Initialize(&argc, argv);
  if (argc > 1) g_corpus_dir = argv[1];
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
