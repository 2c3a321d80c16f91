// The paging and ranking both backends' searches share (store/search_rows.h), without a database:
// pages read by the backend's callback, entries visited in rank order, pruned entries skipped.
#include "store/search_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace veille::store {
namespace {

StoredEntry Entry(std::int64_t id) {
  StoredEntry e;
  e.id = id;
  return e;
}

std::vector<std::int64_t> IdsOf(const std::vector<Ranked>& ranked) {
  std::vector<std::int64_t> out;
  for (const Ranked& r : ranked) out.push_back(r.id);
  return out;
}

TEST(SearchRowsTest, SortRankedPutsTheBestRankOrTheNewestDateFirstAndNewestIdOnTies) {
  std::vector<Ranked> ranks = {{-1.5, 3}, {-4.0, 1}, {-1.5, 7}, {0.0, 9}};
  SortRanked(ranks, /*relevance=*/true);  // lowest first: bm25, minus ts_rank
  EXPECT_EQ(IdsOf(ranks), (std::vector<std::int64_t>{1, 7, 3, 9}));

  std::vector<Ranked> dates = {{100, 3}, {300, 1}, {100, 7}, {50, 9}};
  SortRanked(dates, /*relevance=*/false);  // newest first
  EXPECT_EQ(IdsOf(dates), (std::vector<std::int64_t>{1, 7, 3, 9}));
}

TEST(SearchRowsTest, VisitRankedReadsGrowingPagesInRankOrderAndSkipsPrunedEntries) {
  std::vector<Ranked> ranked;
  for (std::int64_t id = 1; id <= 150; ++id) ranked.push_back({0, id * 2});
  std::vector<std::size_t> pages;
  const auto read_rows = [&](const std::vector<std::int64_t>& ids) {
    pages.push_back(ids.size());
    std::vector<StoredEntry> rows;  // any order; multiples of 10 were pruned meanwhile
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
      if (*it % 10 != 0) rows.push_back(Entry(*it));
    }
    return Result<std::vector<StoredEntry>>(std::move(rows));
  };
  std::vector<std::int64_t> visited;
  auto done = VisitRanked(ranked, read_rows, [&](const StoredEntry& e) {
    visited.push_back(e.id);
    return true;
  });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(pages, (std::vector<std::size_t>{64, 86}));  // 64, then up to 128
  std::vector<std::int64_t> expected;
  for (std::int64_t id = 1; id <= 150; ++id) {
    if ((id * 2) % 10 != 0) expected.push_back(id * 2);
  }
  EXPECT_EQ(visited, expected);
}

TEST(SearchRowsTest, VisitRankedStopsWithTheVisitorAndReportsAReadError) {
  std::vector<Ranked> ranked;
  for (std::int64_t id = 1; id <= 100; ++id) ranked.push_back({0, id});
  int reads = 0;
  const auto read_rows = [&](const std::vector<std::int64_t>& ids) {
    ++reads;
    std::vector<StoredEntry> rows;
    for (const std::int64_t id : ids) rows.push_back(Entry(id));
    return Result<std::vector<StoredEntry>>(std::move(rows));
  };
  int seen = 0;
  auto stopped = VisitRanked(ranked, read_rows, [&](const StoredEntry&) { return ++seen < 10; });
  ASSERT_TRUE(stopped);
  EXPECT_EQ(seen, 10);
  EXPECT_EQ(reads, 1);

  auto failed = VisitRanked(
      ranked,
      [](const std::vector<std::int64_t>&) -> Result<std::vector<StoredEntry>> {
        return Fail(ErrorCode::kStorage, "disk on fire");
      },
      [](const StoredEntry&) { return true; });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "disk on fire");
}

TEST(SearchRowsTest, VisitByDetectionPagesBelowTheLastIdUntilAShortPage) {
  // Entries 1..200, read newest first below `below`.
  std::vector<std::pair<std::int64_t, std::int64_t>> asked;
  const auto read_page = [&](std::int64_t below, std::int64_t page_size) {
    asked.emplace_back(below, page_size);
    std::vector<StoredEntry> page;
    for (std::int64_t id = std::min<std::int64_t>(below - 1, 200);
         id >= 1 && static_cast<std::int64_t>(page.size()) < page_size; --id) {
      page.push_back(Entry(id));
    }
    return Result<std::vector<StoredEntry>>(std::move(page));
  };
  std::vector<std::int64_t> visited;
  auto done = VisitByDetection(read_page, [&](const StoredEntry& e) {
    visited.push_back(e.id);
    return true;
  });
  ASSERT_TRUE(done) << done.error().message;
  const std::vector<std::pair<std::int64_t, std::int64_t>> expected_pages = {
      {INT64_MAX, 64}, {137, 128}, {9, 256}};
  EXPECT_EQ(asked, expected_pages);
  ASSERT_EQ(visited.size(), 200u);
  EXPECT_EQ(visited.front(), 200);
  EXPECT_EQ(visited.back(), 1);
}

}  // namespace
}  // namespace veille::store
