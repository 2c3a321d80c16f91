// Golden tests: every tests/feed/golden/NAME.{xml,rss,atom,rdf,jsonfeed} is parsed and compared
// with NAME.json beside it (the parse contract plus "recovered"). A NAME.base file, when present,
// holds the document URL. VEILLE_UPDATE_GOLDEN=1 rewrites the expected files (review the diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "feed/parse.h"

namespace veille::feed {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

nlohmann::ordered_json Opt(const std::optional<std::string>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json OptTime(const std::optional<UnixSeconds>& v) {
  return v ? nlohmann::ordered_json(FormatIso8601(*v)) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json ToJson(const Result<Feed>& result) {
  if (!result) return {{"error", result.error().message}};
  const Feed& feed = *result;
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const Entry& e : feed.entries) {
    entries.push_back({{"id", Opt(e.id)},
                       {"title", Opt(e.title)},
                       {"link", Opt(e.link)},
                       {"published", OptTime(e.published)},
                       {"updated", OptTime(e.updated)},
                       {"author", Opt(e.author)},
                       {"summary", Opt(e.summary)},
                       {"content", Opt(e.content)},
                       {"categories", e.categories},
                       {"key", e.key}});
  }
  return {{"format", std::string(FormatName(feed.format))},
          {"title", Opt(feed.title)},
          {"link", Opt(feed.link)},
          {"recovered", feed.recovered},
          {"entries", entries}};
}

std::vector<fs::path> Fixtures() {
  std::vector<fs::path> out;
  fs::path dir = fs::path(VEILLE_SOURCE_DIR) / "tests" / "feed" / "golden";
  for (const auto& item : fs::directory_iterator(dir)) {
    std::string ext = item.path().extension().string();
    if (ext == ".xml" || ext == ".rss" || ext == ".atom" || ext == ".rdf" || ext == ".jsonfeed")
      out.push_back(item.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GoldenTest, EveryFixtureParsesToItsExpectedJson) {
  auto fixtures = Fixtures();
  ASSERT_GE(fixtures.size(), 10u);
  bool update = std::getenv("VEILLE_UPDATE_GOLDEN") != nullptr;
  for (const fs::path& feed_path : fixtures) {
    ParseOptions options;
    fs::path base_path = feed_path;
    base_path.replace_extension(".base");
    if (fs::exists(base_path)) {
      options.base_url = ReadFile(base_path);
      while (!options.base_url.empty() && (options.base_url.back() == '\n'))
        options.base_url.pop_back();
    }
    nlohmann::ordered_json got = ToJson(ParseFeed(ReadFile(feed_path), options));
    fs::path expected_path = feed_path;
    expected_path.replace_extension(".json");
    if (update) {
      std::ofstream(expected_path) << got.dump(2, ' ', false) << "\n";
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;
    nlohmann::ordered_json expected = nlohmann::ordered_json::parse(ReadFile(expected_path));
    EXPECT_EQ(got, expected) << feed_path.filename() << "\n got: " << got.dump(2, ' ', false);
  }
}

}  // namespace
}  // namespace veille::feed
