// The web inbox's server time over the 1M-entry archive of archive_bench.cc: the inbox (first
// page, a filtered page, page 100, a search for a common and for a rare term), a story page and
// the dashboard (7, 30 and 90 days), each request through web::App::Handle in this process, as
// `veille serve`'s threads call it (routing, session, the pool's store, the page): what the server
// spends, without the socket and the browser. Each benchmark times every request on its own and
// reports p50_ms and p95_ms (the target: p95 <= 100 ms) besides Google Benchmark's mean,
// and cpu_p50_ms, cpu_p95_ms: the request's CPU time on its thread, which a loaded machine
// inflates less than the wall time.
//
//   cmake --preset bench && cmake --build --preset bench --target archive_bench web_bench
//   build/bench/tests/bench/archive_bench --benchmark_filter=BM_Fill   # fills the archive once
//   build/bench/tests/bench/web_bench --benchmark_repetitions=1
//
// The archive is $VEILLE_BENCH_DIR/archive.db (default /tmp/veille-archive-bench), built by
// archive_bench (1,000,000 entries, 100,000 mentions of 12 rules over 400 days); web_bench only
// reads it, so one fill serves any number of runs. VEILLE_BENCH_DATABASE=postgresql://... reads
// a PostgreSQL database instead, as archive_bench does (filled by it or by `veille db copy --to`
// from the SQLite file): the same pages on both backends over the same archive. The stores come
// from a web::StorePool, as in `veille serve`; VEILLE_BENCH_POOL=0 opens one per request instead.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "i18n/translator.h"
#include "store/search.h"
#include "store/store.h"
#include "web/app.h"

namespace {

namespace store = veille::store;
namespace web = veille::web;

constexpr std::int64_t kNow = 1'795'000'000;  // archive_bench.cc's clock
const char* kRules[][2] = {
    {"orelia", "brand"},      {"orelia-produits", "brand"}, {"orelia-dirigeants", "brand"},
    {"orelia-rh", "brand"},   {"bellacosa", "competitor"},  {"naturea", "competitor"},
    {"lumina", "competitor"}, {"verdance", "competitor"},   {"cosmetique", "sector"},
    {"beaute-bio", "sector"}, {"e-reputation", "sector"},   {"influence", "sector"}};

// archive_bench's database: $VEILLE_BENCH_DATABASE (postgresql://...) when set, as there, else
// the SQLite file of $VEILLE_BENCH_DIR.
std::string DatabasePath() {
  const char* database = std::getenv("VEILLE_BENCH_DATABASE");
  if (database && *database) return database;
  const char* dir = std::getenv("VEILLE_BENCH_DIR");
  return std::string(dir ? dir : "/tmp/veille-archive-bench") + "/archive.db";
}

bool OnPostgres() { return DatabasePath().rfind("postgres", 0) == 0; }

// What the requests need from the archive: a recent story, a common and a rare search term.
struct Fixture {
  bool ok = false;
  std::string error;
  std::int64_t story_id = 0;
  std::string common_term;  // a word of a recent entry's title: about 1 % of the entries
  std::string rare_phrase;  // two words of that title, as a phrase: a handful of entries
  std::unique_ptr<web::App> app;
  std::string cookie;
};

Fixture& TheFixture() {
  static Fixture f = [] {
    Fixture x;
    if (!OnPostgres() && !std::filesystem::exists(DatabasePath())) {
      x.error = DatabasePath() + " is missing: run archive_bench --benchmark_filter=BM_Fill first";
      return x;
    }
    auto s = store::Store::Open(DatabasePath(), store::Access::kRead);
    if (!s) {
      x.error = s.error().message;
      return x;
    }
    store::MentionFilter filter;
    filter.limit = 1;
    auto newest = (*s)->ListMentions(filter);
    if (!newest || newest->empty() || !newest->front().title) {
      x.error = "the archive has no mention";
      return x;
    }
    x.story_id = newest->front().story_id;
    const std::string& title = *newest->front().title;
    const auto space = title.find(' ');
    const auto second = title.find(' ', space + 1);
    x.common_term = title.substr(0, space);
    x.rare_phrase = "\"" + title.substr(0, second) + "\"";

    web::AppOptions options;
    options.version = "bench";
    options.archive = web::ArchiveAccess{
        [](store::Access access) { return store::Store::Open(DatabasePath(), access, 5000); }, {}};
    // As `veille serve` does: read connections reused across requests (VEILLE_BENCH_POOL=0: a
    // store opened per request, as before the pool).
    const char* pool = std::getenv("VEILLE_BENCH_POOL");
    if (!pool || std::string(pool) != "0") {
      options.archive->pool = std::make_shared<web::StorePool>(
          [] { return store::Store::Open(DatabasePath(), store::Access::kRead, 5000); }, 4);
    }
    for (const auto& [rule, category] : kRules) {
      options.archive->rules.push_back(
          veille::config::RuleEntry{rule, category, rule, rule, "", {}, 0, 0});
    }
    std::map<std::string, veille::i18n::Translator> translators;
    translators.emplace("en", veille::i18n::Translator());
    x.app = std::make_unique<web::App>(std::move(options), std::move(translators),
                                       [] { return kNow * 1000; });
    x.ok = true;
    return x;
  }();
  return f;
}

// Sends one GET, keeping the session cookie of the first answer (as a browser does).
web::Response Get(Fixture& f, const std::string& path,
                  const std::map<std::string, std::string>& query) {
  web::Request request;
  request.method = "GET";
  request.path = path;
  request.peer = "127.0.0.1";
  request.headers = {{"host", "127.0.0.1:8080"}};
  if (!f.cookie.empty()) request.cookies["veille_session"] = f.cookie;
  request.query = query;
  web::Response r = f.app->Handle(request);
  for (const auto& [name, value] : r.headers) {
    if (name == "Set-Cookie" && value.starts_with("veille_session=")) {
      f.cookie = value.substr(15, value.find(';') - 15);
    }
  }
  return r;
}

// This thread's CPU time: on a shared machine, the wall time also holds the waits for a core.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double Percentile(std::vector<double> ms, double p) {
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1) + 0.5);
  return ms[std::min(i, ms.size() - 1)];
}

// One page, requested state.iterations() times; each request timed on its own.
void RunPage(benchmark::State& state, const std::string& path,
             std::map<std::string, std::string> query) {
  Fixture& f = TheFixture();
  if (!f.ok) return state.SkipWithError(f.error.c_str());
  for (auto& [name, value] : query) {
    if (value == "@common") value = f.common_term;
    if (value == "@rare") value = f.rare_phrase;
  }
  std::string target = path == "/story" ? "/story/" + std::to_string(f.story_id) : path;
  Get(f, target, query);  // warm-up: the session, the page cache of this query
  std::vector<double> ms, cpu_ms;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const double cpu_start = ThreadCpuMs();
    const auto start = std::chrono::steady_clock::now();
    web::Response r = Get(f, target, query);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    cpu_ms.push_back(ThreadCpuMs() - cpu_start);
    if (r.status != 200) {
      const std::string error = "status " + std::to_string(r.status) + ": " + r.body.substr(0, 300);
      return state.SkipWithError(error.c_str());
    }
    bytes = r.body.size();
  }
  state.counters["p50_ms"] = Percentile(ms, 0.50);
  state.counters["p95_ms"] = Percentile(ms, 0.95);
  state.counters["cpu_p50_ms"] = Percentile(cpu_ms, 0.50);
  state.counters["cpu_p95_ms"] = Percentile(cpu_ms, 0.95);
  state.counters["kB"] = static_cast<double>(bytes) / 1000;
}

void BM_InboxFirstPage(benchmark::State& state) { RunPage(state, "/inbox", {}); }
void BM_InboxFiltered(benchmark::State& state) {
  RunPage(state, "/inbox", {{"rule", "verdance"}, {"status", "new"}});
}
void BM_InboxPage100(benchmark::State& state) { RunPage(state, "/inbox", {{"page", "100"}}); }
void BM_InboxSearchCommon(benchmark::State& state) { RunPage(state, "/inbox", {{"q", "@common"}}); }
void BM_InboxSearchRare(benchmark::State& state) { RunPage(state, "/inbox", {{"q", "@rare"}}); }
void BM_Story(benchmark::State& state) { RunPage(state, "/story", {}); }
void BM_Dashboard(benchmark::State& state) {
  RunPage(state, "/dashboard", {{"period", std::to_string(state.range(0)) + "d"}});
}

constexpr int kRequests = 40;
BENCHMARK(BM_InboxFirstPage)->Iterations(kRequests)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InboxFiltered)->Iterations(kRequests)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InboxPage100)->Iterations(kRequests)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InboxSearchCommon)->Iterations(kRequests)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InboxSearchRare)->Iterations(kRequests)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Story)->Iterations(kRequests)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Dashboard)
    ->Arg(7)
    ->Arg(30)
    ->Arg(90)
    ->Iterations(kRequests)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
