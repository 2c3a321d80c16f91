#include "store/stats.h"

#include <algorithm>
#include <map>
#include <set>

#include "store/internal.h"

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

// The time that places a mention: its entry's date (entry_date.h; the mention's created_at is
// its entry's first_seen_at, written in the same commit, and is read from the mentions index
// instead of the end of a long entry row), or its detection.
std::string DateColumn(const StatsQuery& query) {
  return query.count_by == CountBy::kEntryDate
             ? "COALESCE(e.published_at, e.updated_at, m.created_at)"
             : "m.created_at";
}

// `e`, joined when the entry's date is needed, or always (`needed`: top sources and stories).
// entries_id_feed_story covers feed and story; the dates come from the row, ahead of its texts.
std::string EntryJoin(const StatsQuery& query, bool needed = false) {
  if (query.count_by == CountBy::kEntryDate || !query.language.empty()) {
    return " JOIN entries e ON e.id = m.entry_id";
  }
  return needed ? " JOIN entries e INDEXED BY entries_id_feed_story ON e.id = m.entry_id" : "";
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

Result<Volume> MentionVolume(Store& store, const StatsQuery& query) {
  Volume volume;
  const UnixSeconds end = query.until.value_or(query.now);
  for (UnixSeconds b = BucketStart(query.since, query.bucket); b <= end;
       b = NextBucket(b, query.bucket)) {
    volume.buckets.push_back(b);
    if (volume.buckets.size() > 100000) break;  // a bogus --since cannot exhaust memory
  }
  if (volume.buckets.empty()) volume.buckets.push_back(BucketStart(end, query.bucket));

  // Counted per day in SQL (one index range scan), then folded into weeks or months here.
  const std::string date = DateColumn(query);
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT m.rule, m.category, " + date + " / 86400, COUNT(*) FROM mentions m" +
      EntryJoin(query) + " WHERE " + PeriodCondition(query) +
      " AND (?3 = '' OR m.category = ?3) GROUP BY m.rule, m.category, " + date + " / 86400");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, query.since).Bind(2, query.until).Bind(3, query.category);
  BindLanguage(*stmt, query);
  std::map<std::pair<std::string, std::string>, Series> rules;
  std::map<std::string, Series> categories;
  auto bucket_index = [&](UnixSeconds t) {
    const UnixSeconds start = BucketStart(t, query.bucket);
    const auto it = std::lower_bound(volume.buckets.begin(), volume.buckets.end(), start);
    if (it == volume.buckets.end()) return volume.buckets.size() - 1;
    return static_cast<std::size_t>(it - volume.buckets.begin());
  };
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const std::string rule = stmt->Text(0);
    const std::string category = stmt->Text(1);
    const std::size_t i = bucket_index(stmt->Int(2) * kDay);
    const std::int64_t n = stmt->Int(3);
    Series& r = rules[{rule, category}];
    if (r.counts.empty()) {
      r.name = rule;
      r.category = category;
      r.counts.assign(volume.buckets.size(), 0);
    }
    r.counts[i] += n;
    r.total += n;
    Series& c = categories[category];
    if (c.counts.empty()) {
      c.name = category;
      c.category = category;
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

Result<std::vector<VoiceShare>> ShareOfVoice(Store& store, const StatsQuery& query,
                                             const std::vector<RuleEntity>& rules) {
  // Configured rules: rule -> entity, and each entity's side (config.cc checks there is one).
  std::map<std::string, const RuleEntity*> by_rule;
  std::map<std::string, std::string> side;
  for (const RuleEntity& r : rules) {
    by_rule.emplace(r.rule, &r);
    if (r.category == "brand" || r.category == "competitor") side.emplace(r.entity, r.category);
  }
  // An entry whose story was pruned is a story of its own (-id never collides with a story id).
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT m.rule, m.category, COALESCE(e.story_id, -e.id) AS story, COUNT(*) FROM mentions m" +
      EntryJoin(query, true) + " WHERE " + PeriodCondition(query) +
      " GROUP BY m.rule, m.category, story");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, query.since).Bind(2, query.until);
  BindLanguage(*stmt, query);
  struct Tally {
    VoiceShare share;
    std::set<std::int64_t> stories;
  };
  std::map<std::string, Tally> entities;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    const std::string rule = stmt->Text(0);
    const auto configured = by_rule.find(rule);
    std::string entity = rule;
    std::string category = stmt->Text(1);  // a rule since removed: as stored
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
    if (std::find(t.share.rules.begin(), t.share.rules.end(), rule) == t.share.rules.end()) {
      t.share.rules.push_back(rule);
    }
    t.stories.insert(stmt->Int(2));
    t.share.mentions += stmt->Int(3);
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

Result<Reach> MentionReach(Store& store, const StatsQuery& query) {
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT COUNT(DISTINCT e.story_id), COUNT(DISTINCT e.feed_id) FROM mentions m" +
      EntryJoin(query, true) + " WHERE " + PeriodCondition(query));
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, query.since).Bind(2, query.until);
  BindLanguage(*stmt, query);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  Reach out;
  if (*row) {
    out.stories = stmt->Int(0);
    out.sources = stmt->Int(1);
  }
  return out;
}

Result<std::vector<LanguageCount>> MentionLanguages(Store& store, const StatsQuery& query) {
  // The primary subtag of the stored tag (migration 13 made every tag use '-').
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT lower(CASE WHEN instr(e.language, '-') > 0 "
      "THEN substr(e.language, 1, instr(e.language, '-') - 1) "
      "ELSE COALESCE(e.language, '') END) AS lang, COUNT(*) AS n, "
      "COUNT(DISTINCT COALESCE(e.story_id, -e.id)) FROM mentions m" +
      EntryJoin(query, true) + " WHERE " + PeriodCondition(query) +
      " AND (?3 = '' OR m.category = ?3) GROUP BY lang ORDER BY lang = '', n DESC, lang");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, query.since).Bind(2, query.until).Bind(3, query.category);
  BindLanguage(*stmt, query);
  std::vector<LanguageCount> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back({stmt->Text(0), stmt->Int(1), stmt->Int(2)});
  }
  return out;
}

Result<std::vector<SourceCount>> TopSources(Store& store, const StatsQuery& query, int limit) {
  auto stmt = DatabaseOf(store).Prepare(
      "SELECT f.name, f.url, COUNT(*) AS n FROM mentions m " + EntryJoin(query, true) +
      " JOIN feeds f ON f.id = e.feed_id WHERE " + PeriodCondition(query) +
      " AND (?3 = '' OR m.category = ?3) "
      "GROUP BY f.id ORDER BY n DESC, f.name LIMIT ?4");
  if (!stmt) return tl::unexpected(stmt.error());
  stmt->Bind(1, query.since)
      .Bind(2, query.until)
      .Bind(3, query.category)
      .Bind(4, std::int64_t{limit});
  BindLanguage(*stmt, query);
  std::vector<SourceCount> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    out.push_back({stmt->Text(0), stmt->Text(1), stmt->Int(2)});
  }
  return out;
}

Result<std::vector<StorySummary>> TopStories(Store& store, const StatsQuery& query, int limit) {
  auto stmt = DatabaseOf(store).Prepare(
      // Ranked by the feeds whose copy of the story was mentioned (one aggregate pass); the
      // sources shown are then every feed that published it, for the chosen stories only.
      "SELECT e.story_id, COUNT(*) AS n, MIN(m.created_at), MAX(m.id), "
      "COUNT(DISTINCT e.feed_id) AS s "
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
