#include "store/stats.h"

#include <algorithm>
#include <map>
#include <set>

#include "store/info.h"
#include "store/internal.h"
#include "store/stats_rows.h"

namespace veille::store {
namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Civil date from days since 1970-01-01 (inverse of DaysFromCivil).
void CivilFromDays(std::int64_t z, std::int64_t& year, unsigned& month) {
  z += 719468;
  const std::int64_t era = FloorDiv(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

// `e`, joined when the entry's date or language is needed, or always (`needed`: top sources
// and stories), through entries_id_cover (migration 18): it holds every column of the entry
// these statements read (feed, story, dates, language), so the row, its texts first, is never
// read. The planner prefers the rowid for `e.id = ?`, hence INDEXED BY.
constexpr const char* kCoveredEntry =
    " JOIN entries e INDEXED BY entries_id_cover ON e.id = m.entry_id";

std::string EntryJoin(const StatsQuery& query, bool needed = false) {
  if (query.count_by == CountBy::kEntryDate || !query.language.empty()) return kCoveredEntry;
  return needed ? kCoveredEntry : "";
}

// ?1 = since, ?2 = until, ?9 = the language (BindLanguage). Mentions detected before `since`
// are skipped through the index in both views: an entry's date does not follow its detection.
std::string PeriodCondition(const StatsQuery& query) {
  const std::string date = DateColumn(query);
  return "m.created_at >= ?1 AND " + date + " >= ?1 AND (?2 IS NULL OR " + date + " < ?2)" +
         LanguageCondition("e.language", 9, query.language);
}

void BindLanguage(Statement& stmt, const StatsQuery& query) {
  if (!query.language.empty()) stmt.Bind(9, LanguageKey(query.language));
}

void SortSeries(std::vector<Series>& series) {
  std::stable_sort(series.begin(), series.end(), [](const Series& a, const Series& b) {
    if (a.total != b.total) return a.total > b.total;
    return a.name < b.name;
  });
}

}  // namespace

std::string DateColumn(const StatsQuery& query) {
  return query.count_by == CountBy::kEntryDate
             ? "COALESCE(e.published_at, e.updated_at, m.created_at)"
             : "m.created_at";
}

UnixSeconds BucketStart(UnixSeconds t, Bucket bucket) {
  const std::int64_t day = FloorDiv(t, kDay);
  switch (bucket) {
    case Bucket::kDay:
      return day * kDay;
    case Bucket::kWeek: {
      // 1970-01-01 was a Thursday: Monday-based weekday is (day + 3) mod 7.
      const std::int64_t weekday = ((day + 3) % 7 + 7) % 7;
      return (day - weekday) * kDay;
    }
    case Bucket::kMonth: {
      std::int64_t year = 0;
      unsigned month = 0;
      CivilFromDays(day, year, month);
      return DaysFromCivil(year, month, 1) * kDay;
    }
  }
  return day * kDay;
}

UnixSeconds NextBucket(UnixSeconds start, Bucket bucket) {
  switch (bucket) {
    case Bucket::kDay:
      return start + kDay;
    case Bucket::kWeek:
      return start + 7 * kDay;
    case Bucket::kMonth:
      return BucketStart(start + 32 * kDay, Bucket::kMonth);
  }
  return start + kDay;
}

namespace {

// The grouped rows of the period (stats_rows.h) on SQLite. Grouped by the day first: no index
// gives that order, so the planner walks mentions_created_cover over the period instead of the
// whole of mentions_rule.
Result<std::vector<PeriodRow>> ReadPeriodRows(Store& store, const StatsQuery& query) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return ReadPeriodRowsPg(**conn, query);
  const std::string date = DateColumn(query);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT m.rule, m.category, " + date +
      " / 86400, COALESCE(e.story_id, -e.id), e.story_id IS NOT NULL, e.feed_id, "
      "COALESCE(e.language, ''), COUNT(*) FROM mentions m" +
      kCoveredEntry + " WHERE " + PeriodCondition(query) + " GROUP BY 3, 1, 2, 4, 5, 6, 7");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, query.since).Bind(2, query.until);
  BindLanguage(*stmt, query);
  std::vector<PeriodRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back(PeriodRow{stmt->Text(0), stmt->Text(1), stmt->Int(2), stmt->Int(3),
                            stmt->Int(4) != 0, stmt->Int(5), stmt->Text(6), stmt->Int(7)});
  }
  return out;
}

bool InCategory(const PeriodRow& row, const StatsQuery& query) {
  return query.category.empty() || row.category == query.category;
}

Volume FoldVolume(const std::vector<PeriodRow>& rows, const StatsQuery& query) {
  Volume volume;
  const UnixSeconds end = query.until.value_or(query.now);
  for (UnixSeconds b = BucketStart(query.since, query.bucket); b <= end;
       b = NextBucket(b, query.bucket)) {
    volume.buckets.push_back(b);
    if (volume.buckets.size() > 100000) break;  // a bogus --since cannot exhaust memory
  }
  if (volume.buckets.empty()) volume.buckets.push_back(BucketStart(end, query.bucket));
  std::map<std::pair<std::string, std::string>, Series> rules;
  std::map<std::string, Series> categories;
  auto bucket_index = [&](UnixSeconds t) {
    const UnixSeconds start = BucketStart(t, query.bucket);
    const auto it = std::lower_bound(volume.buckets.begin(), volume.buckets.end(), start);
    if (it == volume.buckets.end()) return volume.buckets.size() - 1;
    return static_cast<std::size_t>(it - volume.buckets.begin());
  };
  for (const PeriodRow& row : rows) {
    if (!InCategory(row, query)) continue;
    const std::size_t i = bucket_index(row.day * kDay);
    const std::int64_t n = row.mentions;
    Series& r = rules[{row.rule, row.category}];
    if (r.counts.empty()) {
      r.name = row.rule;
      r.category = row.category;
      r.counts.assign(volume.buckets.size(), 0);
    }
    r.counts[i] += n;
    r.total += n;
    Series& c = categories[row.category];
    if (c.counts.empty()) {
      c.name = row.category;
      c.category = row.category;
      c.counts.assign(volume.buckets.size(), 0);
    }
    c.counts[i] += n;
    c.total += n;
    volume.total += n;
  }
  for (auto& [key, s] : rules) volume.rules.push_back(std::move(s));
  for (auto& [key, s] : categories) volume.categories.push_back(std::move(s));
  SortSeries(volume.rules);
  SortSeries(volume.categories);
  return volume;
}

std::vector<VoiceShare> FoldShareOfVoice(const std::vector<PeriodRow>& rows,
                                         const StatsQuery& query,
                                         const std::vector<RuleEntity>& rules) {
  // Configured rules: rule -> entity, and each entity's side (config.cc checks there is one).
  std::map<std::string, const RuleEntity*> by_rule;
  std::map<std::string, std::string> side;
  for (const RuleEntity& r : rules) {
    by_rule.emplace(r.rule, &r);
    if (r.category == "brand" || r.category == "competitor") side.emplace(r.entity, r.category);
  }
  struct Tally {
    VoiceShare share;
    std::set<std::int64_t> stories;
  };
  std::map<std::string, Tally> entities;
  for (const PeriodRow& row : rows) {
    const auto configured = by_rule.find(row.rule);
    std::string entity = row.rule;
    std::string category = row.category;  // a rule since removed: as stored
    if (configured != by_rule.end()) {
      entity = configured->second->entity;
      const auto it = side.find(entity);
      category = it != side.end() ? it->second : "";
    }
    if (category != "brand" && category != "competitor") continue;
    if (!query.category.empty() && category != query.category) continue;
    Tally& t = entities[entity];
    t.share.entity = entity;
    t.share.category = category;
    if (std::find(t.share.rules.begin(), t.share.rules.end(), row.rule) == t.share.rules.end()) {
      t.share.rules.push_back(row.rule);
    }
    // An entry whose story was pruned is a story of its own (-id never collides with an id).
    t.stories.insert(row.story);
    t.share.mentions += row.mentions;
  }
  std::vector<VoiceShare> out;
  std::int64_t total = 0;
  for (auto& [name, t] : entities) {
    t.share.stories = static_cast<std::int64_t>(t.stories.size());
    std::sort(t.share.rules.begin(), t.share.rules.end());
    total += t.share.stories;
    out.push_back(std::move(t.share));
  }
  for (VoiceShare& v : out) v.share = static_cast<double>(v.stories) / static_cast<double>(total);
  std::stable_sort(out.begin(), out.end(), [](const VoiceShare& a, const VoiceShare& b) {
    if (a.category != b.category) return a.category == "brand";
    if (a.stories != b.stories) return a.stories > b.stories;
    return a.entity < b.entity;
  });
  return out;
}

Reach FoldReach(const std::vector<PeriodRow>& rows) {
  std::set<std::int64_t> stories, feeds;
  for (const PeriodRow& row : rows) {
    if (row.has_story) stories.insert(row.story);
    feeds.insert(row.feed_id);
  }
  return Reach{static_cast<std::int64_t>(stories.size()), static_cast<std::int64_t>(feeds.size())};
}

// The primary subtag, lower case ("fr" for fr-CA; migration 13 made every tag use '-').
std::string PrimaryLanguage(const std::string& tag) {
  std::string out = tag.substr(0, tag.find('-'));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<LanguageCount> FoldLanguages(const std::vector<PeriodRow>& rows,
                                         const StatsQuery& query) {
  std::map<std::string, std::pair<std::int64_t, std::set<std::int64_t>>> by_language;
  for (const PeriodRow& row : rows) {
    if (!InCategory(row, query)) continue;
    auto& [mentions, stories] = by_language[PrimaryLanguage(row.language)];
    mentions += row.mentions;
    stories.insert(row.story);
  }
  std::vector<LanguageCount> out;
  for (const auto& [language, tally] : by_language) {
    out.push_back({language, tally.first, static_cast<std::int64_t>(tally.second.size())});
  }
  // Entries of no known language last, then the most mentioned first.
  std::stable_sort(out.begin(), out.end(), [](const LanguageCount& a, const LanguageCount& b) {
    if (a.language.empty() != b.language.empty()) return b.language.empty();
    if (a.mentions != b.mentions) return a.mentions > b.mentions;
    return a.language < b.language;
  });
  return out;
}

Result<std::vector<SourceCount>> FoldSources(Store& store, const std::vector<PeriodRow>& rows,
                                             const StatsQuery& query, int limit) {
  std::map<std::int64_t, std::int64_t> by_feed;
  for (const PeriodRow& row : rows) {
    if (InCategory(row, query)) by_feed[row.feed_id] += row.mentions;
  }
  std::vector<SourceCount> out;
  if (by_feed.empty()) return out;
  auto feeds = FeedIdentities(store);
  if (!feeds) return tl::unexpected(feeds.error());
  for (const FeedIdentity& f : *feeds) {  // in id order: ties keep it
    const auto it = by_feed.find(f.id);
    if (it != by_feed.end()) out.push_back({f.name, f.url, it->second});
  }
  std::stable_sort(out.begin(), out.end(), [](const SourceCount& a, const SourceCount& b) {
    if (a.mentions != b.mentions) return a.mentions > b.mentions;
    return a.feed_name < b.feed_name;
  });
  if (limit >= 0 && out.size() > static_cast<std::size_t>(limit)) {
    out.resize(static_cast<std::size_t>(limit));
  }
  return out;
}

}  // namespace

Result<Volume> MentionVolume(Store& store, const StatsQuery& query) {
  auto rows = ReadPeriodRows(store, query);
  if (!rows) return tl::unexpected(rows.error());
  return FoldVolume(*rows, query);
}

Result<std::vector<VoiceShare>> ShareOfVoice(Store& store, const StatsQuery& query,
                                             const std::vector<RuleEntity>& rules) {
  auto rows = ReadPeriodRows(store, query);
  if (!rows) return tl::unexpected(rows.error());
  return FoldShareOfVoice(*rows, query, rules);
}

Result<Reach> MentionReach(Store& store, const StatsQuery& query) {
  auto rows = ReadPeriodRows(store, query);
  if (!rows) return tl::unexpected(rows.error());
  return FoldReach(*rows);
}

Result<std::vector<LanguageCount>> MentionLanguages(Store& store, const StatsQuery& query) {
  auto rows = ReadPeriodRows(store, query);
  if (!rows) return tl::unexpected(rows.error());
  return FoldLanguages(*rows, query);
}

Result<std::vector<SourceCount>> TopSources(Store& store, const StatsQuery& query, int limit) {
  auto rows = ReadPeriodRows(store, query);
  if (!rows) return tl::unexpected(rows.error());
  return FoldSources(store, *rows, query, limit);
}

Result<PeriodStats> ReadPeriodStats(Store& store, const StatsQuery& query,
                                    const std::vector<RuleEntity>& rules, int top_sources) {
  auto rows = ReadPeriodRows(store, query);
  if (!rows) return tl::unexpected(rows.error());
  PeriodStats out;
  out.volume = FoldVolume(*rows, query);
  out.voice = FoldShareOfVoice(*rows, query, rules);
  out.reach = FoldReach(*rows);
  out.languages = FoldLanguages(*rows, query);
  auto sources = FoldSources(store, *rows, query, top_sources);
  if (!sources) return tl::unexpected(sources.error());
  out.sources = std::move(*sources);
  return out;
}

Result<std::vector<StorySummary>> TopStories(Store& store, const StatsQuery& query, int limit) {
  auto conn = ReadyPostgres(store);
  if (!conn) return tl::unexpected(conn.error());
  if (*conn != nullptr) return TopStoriesPg(store, **conn, query, limit);
  auto stmt = DatabaseOf(store).Prepare(
      // Ranked by the feeds whose copy of the story was mentioned (one aggregate pass); the
      // sources shown are then every feed that published it, for the chosen stories only.
      "SELECT e.story_id, COUNT(*) AS n, MIN(m.created_at), MAX(m.id), "
      "COUNT(DISTINCT e.feed_id) AS s, MIN(e.published_at) "
      "FROM mentions m " +
      EntryJoin(query, true) + " WHERE " + PeriodCondition(query) +
      " AND (?3 = '' OR m.category = ?3) AND e.story_id IS NOT NULL "
      "GROUP BY e.story_id ORDER BY s DESC, n DESC, MAX(m.id) DESC LIMIT ?4");
  auto feeds = DatabaseOf(store).Prepare(
      "SELECT DISTINCT f.name FROM entries e JOIN feeds f ON f.id = e.feed_id "
      "WHERE e.story_id = ?1 ORDER BY e.id");
  auto rules = DatabaseOf(store).Prepare(
      "SELECT DISTINCT m.rule FROM entries e JOIN mentions m ON m.entry_id = e.id "
      "WHERE e.story_id = ?1 ORDER BY m.rule");
  if (!stmt) return tl::unexpected(stmt.error());
  if (!feeds) return tl::unexpected(feeds.error());
  if (!rules) return tl::unexpected(rules.error());
  stmt->Bind(1, query.since)
      .Bind(2, query.until)
      .Bind(3, query.category)
      .Bind(4, std::int64_t{limit});
  BindLanguage(*stmt, query);
  std::vector<StorySummary> out;
  std::vector<std::int64_t> latest_ids;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    StorySummary s;
    s.story_id = stmt->Int(0);
    s.mentions = stmt->Int(1);
    s.first_detected = stmt->Int(2);
    latest_ids.push_back(stmt->Int(3));
    s.sources = stmt->Int(4);
    s.first_published = stmt->OptInt(5);
    out.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto latest = store.GetMention(latest_ids[i]);
    if (!latest) return tl::unexpected(latest.error());
    out[i].latest = std::move(*latest);
    for (auto* list : {&*feeds, &*rules}) {
      list->Bind(1, out[i].story_id);
      auto& target = list == &*feeds ? out[i].feeds : out[i].rules;
      for (;;) {
        auto row = list->Step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        target.push_back(list->Text(0));
      }
      list->Reset();
    }
    out[i].sources = static_cast<std::int64_t>(out[i].feeds.size());
  }
  return out;
}

}  // namespace veille::store
