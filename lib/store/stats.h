// Counting the archive: mention volume per rule and category over time, share of voice, top
// sources and top stories (veille stats, veille report).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::store {

enum class Bucket { kDay, kWeek, kMonth };  // weeks start on Monday; all in UTC

// The start of the bucket holding `t`.
UnixSeconds BucketStart(UnixSeconds t, Bucket bucket);
// The start of the next bucket after the one starting at `start`.
UnixSeconds NextBucket(UnixSeconds start, Bucket bucket);

// What places a mention in the period and on a bar (veille stats --by-date).
enum class CountBy {
  kEntryDate,  // the entry's date (entry_date.h: published, else updated, else first seen)
  kDetected,   // when veille detected the mention
};

struct StatsQuery {
  UnixSeconds since = 0;             // mentions dated (see count_by) at or after
  std::optional<UnixSeconds> until;  // and before (default: no end; later dates count in the
                                     // last bucket)
  UnixSeconds now = 0;               // the last bucket is the one holding `until` or `now`
  Bucket bucket = Bucket::kDay;
  std::string category;  // "" = every category
  std::string language;  // "" = every language; else entries in it ("fr": fr, fr-FR...)
  // kEntryDate: a backfill of nine days of articles, detected today, lands on nine days. Only
  // mentions detected since `since` are read (an entry is dated before it is detected).
  CountBy count_by = CountBy::kEntryDate;
};

// Mentions of one rule (or one category) per bucket.
struct Series {
  std::string name;      // the rule, or the category
  std::string category;  // the rule's category (the category itself for category series)
  std::int64_t total = 0;
  std::vector<std::int64_t> counts;  // one per Volume::buckets
};

struct Volume {
  std::vector<UnixSeconds> buckets;  // bucket starts, oldest first
  std::vector<Series> rules;         // most mentioned first
  std::vector<Series> categories;    // most mentioned first
  std::int64_t total = 0;
};

[[nodiscard]] Result<Volume> MentionVolume(Store& store, const StatsQuery& query);

// Share of voice: how the stories of the period divide between the entities watched (the brand
// and its competitors), each entity counting the distinct stories any of its rules matched
// (docs/configuration.md, "Share of voice").

// A configured rule: which entity it speaks for, and its category.
struct RuleEntity {
  std::string rule;
  std::string entity;
  std::string category;
};

// One entity's share.
struct VoiceShare {
  std::string entity;
  std::string category;            // brand | competitor
  std::vector<std::string> rules;  // the rules with a mention counted, sorted
  std::int64_t stories = 0;        // distinct stories any of those rules matched
  std::int64_t mentions = 0;
  double share = 0;  // stories / the sum of every entity's stories (0..1)
};

// The entities of the share of voice in the period (query.since, until, count_by; query.category
// keeps only that side). An entity takes part when one of its rules has category brand or
// competitor; then every rule of the entity counts (a `crise` rule of category "risk" under
// entity Alpéa adds its stories to Alpéa's). Rules with mentions but no longer in `rules` are
// their own entity, in the category stored with their mentions. Brand entities first, then
// competitors, each with the most stories first. A story that mentions two entities counts for
// both. Empty when no brand or competitor has a story.
[[nodiscard]] Result<std::vector<VoiceShare>> ShareOfVoice(Store& store, const StatsQuery& query,
                                                           const std::vector<RuleEntity>& rules);

// Distinct stories and feeds with a mention in the period (the report's figures).
struct Reach {
  std::int64_t stories = 0;
  std::int64_t sources = 0;
};
[[nodiscard]] Result<Reach> MentionReach(Store& store, const StatsQuery& query);

// Mentions per language of their entries (the primary subtag, lower case: "fr" for fr-CA), for
// the report and `veille stats`.
struct LanguageCount {
  std::string language;  // "fr", "en"...; "" for entries of no known language
  std::int64_t mentions = 0;
  std::int64_t stories = 0;  // distinct stories (an entry without one is its own)
};

// The period's mentions by language (query.since, until, count_by, category, language), the
// most mentioned first; entries of no known language last.
[[nodiscard]] Result<std::vector<LanguageCount>> MentionLanguages(Store& store,
                                                                  const StatsQuery& query);

struct SourceCount {
  std::string feed_name;
  std::string feed_url;
  std::int64_t mentions = 0;
};

[[nodiscard]] Result<std::vector<SourceCount>> TopSources(Store& store, const StatsQuery& query,
                                                          int limit);

// Everything the report's charts show (the dashboard, `veille report`) from one pass over the
// period's mentions: the five calls above give the same, each with a pass of its own.
// `top_sources`: TopSources's limit.
struct PeriodStats {
  Volume volume;
  std::vector<VoiceShare> voice;
  std::vector<SourceCount> sources;
  std::vector<LanguageCount> languages;
  Reach reach;
};
[[nodiscard]] Result<PeriodStats> ReadPeriodStats(Store& store, const StatsQuery& query,
                                                  const std::vector<RuleEntity>& rules,
                                                  int top_sources);

// One story with mentions in the period.
struct StorySummary {
  std::int64_t story_id = 0;
  std::int64_t mentions = 0;
  std::int64_t sources = 0;        // distinct feeds with an entry of the story
  UnixSeconds first_detected = 0;  // the first mention's detection time
  // The earliest publication date among its mentioned entries; nullopt when none is dated.
  std::optional<UnixSeconds> first_published;
  std::vector<std::string> feeds;  // every feed that published the story
  std::vector<std::string> rules;  // every rule that matched it
  MentionRow latest;               // the newest mention: title, link, snippet, highlights
};

// Stories mentioned from the most feeds, then with the most mentions.
[[nodiscard]] Result<std::vector<StorySummary>> TopStories(Store& store, const StatsQuery& query,
                                                           int limit);

}  // namespace veille::store
