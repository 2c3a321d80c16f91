// Normalize + match throughput (entries/s, MB/s of entry text) with 10, 100, 1,000 and 10,000
// rules, each rule one brand of the corpus keyword lists as a phrase.
//
//   python3 ../shared/bench/gen_corpus.py -n 2000 --out /tmp/feedbench
//   VEILLE_BENCH_CORPUS=/tmp/feedbench build/release/tests/bench/match_bench
//
// lib/feed is not used here: the entries are cut out of the feed files with a plain text scan
// (title + description/summary/content, CDATA unwrapped, entities decoded, tags stripped), which
// is close enough to what the parser produces for measuring the matcher. VEILLE_BENCH_FEEDS
// limits how many feed files are read (default: all).
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "match/matcher.h"
#include "text/normalize.h"

namespace {

struct Entry {
  std::string title;
  std::string text;
};

std::string CorpusDir() {
  const char* dir = std::getenv("VEILLE_BENCH_CORPUS");
  return dir != nullptr ? dir : "/tmp/feedbench";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void AppendCodepoint(unsigned long cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the entities the generator writes (&lt; &gt; &amp; &quot; &mdash; &#N;).
std::string DecodeEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    if (name == "lt")
      out += '<';
    else if (name == "gt")
      out += '>';
    else if (name == "amp")
      out += '&';
    else if (name == "quot")
      out += '"';
    else if (name == "apos")
      out += '\'';
    else if (name == "mdash")
      out += "\u2014";
    else if (name.starts_with("#"))
      AppendCodepoint(std::strtoul(std::string(name.substr(1)).c_str(), nullptr, 10), &out);
    else
      out += ' ';
    i = semi;
  }
  return out;
}

std::string StripTags(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_tag = false;
  for (char c : s) {
    if (c == '<') {
      in_tag = true;
      out += ' ';
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      out += c;
    }
  }
  return out;
}

// The text of an element: CDATA unwrapped, else entities decoded; then as HTML: tags stripped
// and entities decoded again.
std::string ElementText(std::string_view raw) {
  std::string xml_text;
  if (raw.starts_with("<![CDATA[")) {
    std::size_t at = 0;
    while ((at = raw.find("<![CDATA[", at)) != std::string_view::npos) {
      const std::size_t end = raw.find("]]>", at);
      xml_text += raw.substr(at + 9, end - at - 9);
      at = end + 3;
    }
  } else {
    xml_text = DecodeEntities(raw);
  }
  return DecodeEntities(StripTags(xml_text));
}

// The inside of the first <name ...>...</name> in `block`, or "".
std::string_view Element(std::string_view block, std::string_view name) {
  std::string open(1, '<');  // appended, not "<" + name: gcc 12 -O3 -Wrestrict false positive
  open.append(name);
  std::size_t at = 0;
  while ((at = block.find(open, at)) != std::string_view::npos) {
    const char next = block[at + open.size()];
    if (next == '>' || next == ' ') break;
    at += open.size();
  }
  if (at == std::string_view::npos) return {};
  const std::size_t start = block.find('>', at) + 1;
  std::string close("</");
  close.append(name).append(">");
  const std::size_t end = block.find(close, start);
  if (end == std::string_view::npos) return {};
  return block.substr(start, end - start);
}

std::vector<Entry> LoadEntries() {
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(CorpusDir() + "/feeds")) {
    files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  if (const char* n = std::getenv("VEILLE_BENCH_FEEDS"); n != nullptr) {
    files.resize(std::min<std::size_t>(files.size(), std::strtoul(n, nullptr, 10)));
  }
  std::vector<Entry> entries;
  for (const auto& path : files) {
    const std::string xml = ReadFile(path);
    const bool atom = xml.find("<feed") != std::string::npos;
    std::size_t at = 0;
    const std::string open = atom ? "<entry>" : "<item>";
    const std::string close = atom ? "</entry>" : "</item>";
    while ((at = xml.find(open, at)) != std::string::npos) {
      const std::size_t end = xml.find(close, at);
      const std::string_view block = std::string_view(xml).substr(at, end - at);
      Entry e;
      e.title = ElementText(Element(block, "title"));
      for (std::string_view name : {"description", "content:encoded", "summary", "content"}) {
        const std::string_view raw = Element(block, name);
        if (raw.empty()) continue;
        if (!e.text.empty()) e.text += "\n\n";
        e.text += ElementText(raw);
      }
      entries.push_back(std::move(e));
      at = end;
    }
  }
  return entries;
}

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = LoadEntries();
  return entries;
}

std::size_t TotalBytes() {
  std::size_t bytes = 0;
  for (const Entry& e : Entries()) bytes += e.title.size() + e.text.size();
  return bytes;
}

std::vector<std::string> Keywords(int count) {
  std::ifstream in(CorpusDir() + "/keywords_" + std::to_string(count) + ".txt");
  std::vector<std::string> words;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) words.push_back(line);
  }
  return words;
}

std::shared_ptr<const veille::match::Matcher> Compile(int count) {
  std::vector<veille::match::RuleSpec> rules;
  for (const std::string& k : Keywords(count)) {
    rules.push_back({k, "brand", "\"" + k + "\"", ""});
  }
  auto m = veille::match::Matcher::Compile(rules);
  if (!m) {
    std::fprintf(stderr, "compile failed: %s\n", m.error().message.c_str());
    std::abort();
  }
  return *m;
}

bool CorpusMissing(benchmark::State& state) {
  if (!Entries().empty()) return false;
  state.SkipWithError(("no corpus in " + CorpusDir() + " (run gen_corpus.py)").c_str());
  return true;
}

void BM_Normalize(benchmark::State& state) {
  if (CorpusMissing(state)) return;
  veille::text::Normalized n;
  std::size_t words = 0;
  for (auto _ : state) {
    for (const Entry& e : Entries()) {
      n.clear();
      veille::text::AppendWords(e.title, &n);
      veille::text::AppendWords(e.text, &n);
      words += n.words.size();
    }
  }
  benchmark::DoNotOptimize(words);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * TotalBytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * Entries().size()));
}
BENCHMARK(BM_Normalize)->Unit(benchmark::kMillisecond);

void BM_NormalizeAndMatch(benchmark::State& state) {
  if (CorpusMissing(state)) return;
  const int rule_count = static_cast<int>(state.range(0));
  const auto matcher = Compile(rule_count);
  std::size_t mentions = 0;
  for (auto _ : state) {
    for (const Entry& e : Entries()) {
      veille::match::Document doc;
      doc.title = e.title;
      doc.text = e.text;
      mentions += matcher->Match(doc).size();
    }
  }
  state.counters["mentions_per_pass"] =
      static_cast<double>(mentions) / static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * TotalBytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * Entries().size()));
}
BENCHMARK(BM_NormalizeAndMatch)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

// Compiling a rule set (what a config reload costs).
void BM_Compile(benchmark::State& state) {
  const std::vector<std::string> words = Keywords(static_cast<int>(state.range(0)));
  if (words.empty()) {
    state.SkipWithError(("no keyword lists in " + CorpusDir()).c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(Compile(static_cast<int>(state.range(0))));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * words.size()));
}
BENCHMARK(BM_Compile)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Baseline from the same run: Hyperscan alone, the keywords as case-insensitive literals over
// the raw entry text (no normalization, no word boundaries, no rule logic).
int CountMatch(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<std::size_t*>(ctx);
  return 0;
}

void BM_HyperscanOnly(benchmark::State& state) {
  if (CorpusMissing(state)) return;
  const std::vector<std::string> words = Keywords(static_cast<int>(state.range(0)));
  std::vector<const char*> exprs;
  std::vector<std::size_t> lens;
  std::vector<unsigned> ids;
  std::vector<unsigned> flags(words.size(), HS_FLAG_CASELESS);
  for (std::size_t i = 0; i < words.size(); ++i) {
    exprs.push_back(words[i].c_str());
    lens.push_back(words[i].size());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                           &err) != HS_SUCCESS) {
    state.SkipWithError("hs_compile_lit_multi failed");
    hs_free_compile_error(err);
    return;
  }
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  std::size_t hits = 0;
  for (auto _ : state) {
    for (const Entry& e : Entries()) {
      hs_scan(db, e.title.data(), static_cast<unsigned>(e.title.size()), 0, scratch, CountMatch,
              &hits);
      hs_scan(db, e.text.data(), static_cast<unsigned>(e.text.size()), 0, scratch, CountMatch,
              &hits);
    }
  }
  benchmark::DoNotOptimize(hits);
  hs_free_scratch(scratch);
  hs_free_database(db);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * TotalBytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * Entries().size()));
}
BENCHMARK(BM_HyperscanOnly)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
