// The benchmark corpus of ../shared/bench (gen_corpus.py) for the benches that read it
// (parse_bench, ingest_bench): its folder, its feed files and the command line that names it.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace veille::bench {

// The corpus folder: VEILLE_BENCH_CORPUS, else the first non-flag argument (TakeCorpusArgument),
// else /tmp/feedbench.
inline std::string& CorpusDir() {
  static std::string dir = "/tmp/feedbench";
  return dir;
}

// Sets CorpusDir from the environment and the first non-flag argument; returns the other
// arguments, for benchmark::Initialize.
inline std::vector<char*> TakeCorpusArgument(int argc, char** argv) {
  if (const char* env = std::getenv("VEILLE_BENCH_CORPUS")) CorpusDir() = env;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && argv[i][0] != '-') {
      CorpusDir() = argv[i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  return rest;
}

// The corpus's feed files, sorted (none when the folder is missing), at most VEILLE_BENCH_FEEDS.
inline std::vector<std::filesystem::path> CorpusFeedFiles() {
  const std::filesystem::path dir = std::filesystem::path(CorpusDir()) / "feeds";
  std::vector<std::filesystem::path> paths;
  if (std::filesystem::is_directory(dir)) {
    for (const auto& item : std::filesystem::directory_iterator(dir)) paths.push_back(item.path());
  }
  std::sort(paths.begin(), paths.end());
  if (const char* env = std::getenv("VEILLE_BENCH_FEEDS")) {
    paths.resize(std::min<std::size_t>(paths.size(), std::strtoul(env, nullptr, 10)));
  }
  return paths;
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace veille::bench
