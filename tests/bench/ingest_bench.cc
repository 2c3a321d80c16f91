// The parse worker's CPU per document (pipeline::ParseAndMatch without its store read): bytes in,
// ParseFeed, then NewEntryRecords against 1,000 rules with no entry stored yet, as in a cold
// cycle of `veilled --once` (tests/bench/e2e_bench.py: the same rules, each keyword quoted as a
// phrase).
//
//   python3 ../shared/bench/gen_corpus.py -n 500 --out /tmp/feedbench-500
//   build/bench/tests/bench/ingest_bench /tmp/feedbench-500   (or VEILLE_BENCH_CORPUS=...)
//
// BM_ParseAndMatch: ParseFeed + TakeNewEntryRecords per feed file (what ParseAndMatch does).
// BM_NewEntryRecords: the same feeds parsed once beforehand, NewEntryRecords alone. Counters:
// entries/s, mentions per pass. VEILLE_BENCH_FEEDS limits how many feed files are read (default:
// all).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench_corpus.h"
#include "feed/parse.h"
#include "match/matcher.h"
#include "pipeline/ingest.h"

namespace {

using veille::bench::CorpusDir;

const std::vector<std::string>& Bodies() {
  static const std::vector<std::string> bodies = [] {
    std::vector<std::string> out;
    for (const auto& path : veille::bench::CorpusFeedFiles()) {
      out.push_back(veille::bench::ReadFile(path));
    }
    return out;
  }();
  return bodies;
}

// The rules of e2e_bench.py: r00000.. quoting each of the 1,000 keywords as a phrase.
std::shared_ptr<const veille::match::Matcher> Rules() {
  std::ifstream in(CorpusDir() + "/keywords_1000.txt");
  std::vector<veille::match::RuleSpec> rules;
  for (std::string line; std::getline(in, line);) {
    std::erase(line, '\\');
    std::erase(line, '"');
    if (line.empty()) continue;
    char name[16];
    std::snprintf(name, sizeof name, "r%05zu", rules.size());
    rules.push_back({name, "brand", "\"" + line + "\"", ""});
  }
  auto m = veille::match::Matcher::Compile(rules);
  if (!m) {
    std::fprintf(stderr, "compile failed: %s\n", m.error().message.c_str());
    std::abort();
  }
  return *m;
}

struct Setup {
  std::shared_ptr<const veille::match::Matcher> matcher = Rules();
  veille::pipeline::RuleRouting routing;
  veille::config::FeedEntry feed;
  veille::store::StoredHashes stored;  // a cold cycle: nothing stored
  Setup() {
    routing.channels.assign(matcher->rules().size(), {});
    feed.url = "http://127.0.0.1:8080/feed.xml";
    feed.name = feed.url;
  }
};

bool CorpusMissing(benchmark::State& state) {
  if (!Bodies().empty()) return false;
  state.SkipWithError(("no feeds under " + CorpusDir() + "/feeds; run gen_corpus.py").c_str());
  return true;
}

void BM_ParseAndMatch(benchmark::State& state) {
  if (CorpusMissing(state)) return;
  const Setup setup;
  veille::feed::ParseOptions options;
  options.base_url = setup.feed.url;
  std::size_t entries = 0, mentions = 0, bytes = 0;
  for (const std::string& body : Bodies()) bytes += body.size();
  for (auto _ : state) {
    for (const std::string& body : Bodies()) {
      auto feed = veille::feed::ParseFeed(body, options);
      if (!feed) continue;
      const auto records = veille::pipeline::TakeNewEntryRecords(*feed, setup.stored, setup.feed,
                                                                 *setup.matcher, setup.routing);
      entries += records.size();
      for (const auto& r : records) mentions += r.mentions.size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
  state.counters["mentions_per_pass"] =
      static_cast<double>(mentions) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ParseAndMatch)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_NewEntryRecords(benchmark::State& state) {
  if (CorpusMissing(state)) return;
  const Setup setup;
  std::vector<veille::feed::Feed> feeds;
  for (const std::string& body : Bodies()) {
    if (auto feed = veille::feed::ParseFeed(body, {})) feeds.push_back(std::move(*feed));
  }
  std::size_t entries = 0, mentions = 0;
  for (auto _ : state) {
    for (const veille::feed::Feed& feed : feeds) {
      const auto records = veille::pipeline::NewEntryRecords(feed, setup.stored, setup.feed,
                                                             *setup.matcher, setup.routing);
      entries += records.size();
      for (const auto& r : records) mentions += r.mentions.size();
    }
  }
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
  state.counters["mentions_per_pass"] =
      static_cast<double>(mentions) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_NewEntryRecords)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest = veille::bench::TakeCorpusArgument(argc, argv);
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
