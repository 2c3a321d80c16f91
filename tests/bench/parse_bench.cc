// Feed parsing throughput: bytes in, entries out with every text field ready (transcoding,
// entity repair, HTML to text, dates, links, identity keys), on one core.
//
//   python3 ../shared/bench/gen_corpus.py -n 2000 --out /tmp/feedbench
//   build/release/tests/bench/parse_bench /tmp/feedbench        (or VEILLE_BENCH_CORPUS=...)
//
// The feed files are read into memory first; the timed loop only calls ParseFeed. Counters:
// bytes_per_second (MB/s of feed bytes) and entries/s. VEILLE_BENCH_FEEDS limits how many feed
// files are read (default: all).
//
// BM_ParsePathological/NAME (security review, finding 3): one benchmark per document that
// tests/feed/pathological.py writes (many attributes, many namespace declarations, deep nesting,
// long names, many entities, tiny elements...; 16 MiB each, the body cap):
//   /usr/bin/python3 tests/feed/pathological.py /tmp/veille-pathological
//   parse_bench --benchmark_filter=Pathological      (VEILLE_BENCH_PATHOLOGICAL=dir)
// The bound is 2 s per document on one core of the reference machine.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_corpus.h"
#include "feed/parse.h"

namespace {

struct Corpus {
  std::vector<std::string> feeds;
  std::size_t bytes = 0;
};

const Corpus& LoadCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    for (const auto& path : veille::bench::CorpusFeedFiles()) {
      c.feeds.push_back(veille::bench::ReadFile(path));
      c.bytes += c.feeds.back().size();
    }
    return c;
  }();
  return corpus;
}

void BM_ParseFeedCorpus(benchmark::State& state) {
  const Corpus& corpus = LoadCorpus();
  if (corpus.feeds.empty()) {
    state.SkipWithError(
        ("no feeds under " + veille::bench::CorpusDir() + "/feeds; run gen_corpus.py").c_str());
    return;
  }
  veille::feed::ParseOptions options;
  std::size_t entries = 0;
  std::size_t failures = 0;
  for (auto _ : state) {
    for (const std::string& body : corpus.feeds) {
      auto feed = veille::feed::ParseFeed(body, options);
      if (feed) {
        entries += feed->entries.size();
        benchmark::DoNotOptimize(feed->entries.data());
      } else {
        ++failures;
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpus.bytes));
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
  state.counters["feeds"] = static_cast<double>(corpus.feeds.size());
  state.counters["failures"] = static_cast<double>(failures);
}
BENCHMARK(BM_ParseFeedCorpus)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_ParsePathological(benchmark::State& state, const std::string& body) {
  veille::feed::ParseOptions options;
  bool parsed = false;
  for (auto _ : state) {
    auto feed = veille::feed::ParseFeed(body, options);
    parsed = feed.has_value();
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.counters["parsed"] = parsed ? 1 : 0;
}

void RegisterPathological() {
  const char* env = std::getenv("VEILLE_BENCH_PATHOLOGICAL");
  std::filesystem::path dir = env != nullptr ? env : "/tmp/veille-pathological";
  if (!std::filesystem::is_directory(dir)) return;
  std::vector<std::filesystem::path> paths;
  for (const auto& item : std::filesystem::directory_iterator(dir)) paths.push_back(item.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    benchmark::RegisterBenchmark(("BM_ParsePathological/" + path.stem().string()).c_str(),
                                 BM_ParsePathological, veille::bench::ReadFile(path))
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest = veille::bench::TakeCorpusArgument(argc, argv);
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  RegisterPathological();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
