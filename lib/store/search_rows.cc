#include "store/search_rows.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace veille::store {

Result<void> VisitByDetection(const std::function<Result<std::vector<StoredEntry>>(
                                  std::int64_t below, std::int64_t page_size)>& read_page,
                              const EntryVisitor& visit) {
  std::int64_t page_size = 64;
  std::int64_t below = INT64_MAX;
  for (;;) {
    auto page = read_page(below, page_size);
    if (!page) return tl::unexpected(page.error());
    for (const StoredEntry& e : *page) {
      if (!visit(e)) return {};
    }
    if (static_cast<std::int64_t>(page->size()) < page_size) return {};
    below = page->back().id;
    page_size = std::min<std::int64_t>(page_size * 2, 512);
  }
}

void SortRanked(std::vector<Ranked>& ranked, bool relevance) {
  std::sort(ranked.begin(), ranked.end(), [relevance](const Ranked& a, const Ranked& b) {
    if (a.key != b.key) return relevance ? a.key < b.key : a.key > b.key;
    return a.id > b.id;
  });
}

Result<void> VisitRanked(
    const std::vector<Ranked>& ranked,
    const std::function<Result<std::vector<StoredEntry>>(const std::vector<std::int64_t>& ids)>&
        read_rows,
    const EntryVisitor& visit) {
  std::size_t page_size = 64;
  for (std::size_t at = 0; at < ranked.size();) {
    const std::size_t end = std::min(ranked.size(), at + page_size);
    std::vector<std::int64_t> ids;
    ids.reserve(end - at);
    for (std::size_t i = at; i < end; ++i) ids.push_back(ranked[i].id);
    auto rows = read_rows(ids);
    if (!rows) return tl::unexpected(rows.error());
    std::unordered_map<std::int64_t, StoredEntry> by_id;
    for (StoredEntry& e : *rows) by_id.emplace(e.id, std::move(e));
    for (const std::int64_t id : ids) {
      const auto found = by_id.find(id);
      if (found == by_id.end()) continue;  // pruned since the candidates were read
      if (!visit(found->second)) return {};
    }
    at = end;
    page_size = std::min<std::size_t>(page_size * 2, 512);
  }
  return {};
}

}  // namespace veille::store
