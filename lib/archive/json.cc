#include "archive/json.h"

#include "common/redact.h"

namespace veille::archive {
namespace {

nlohmann::json Opt(const std::optional<std::string>& v) {
  if (v) return *v;
  return nullptr;
}

nlohmann::json OptTime(const std::optional<UnixSeconds>& v) {
  if (v) return FormatIso8601(*v);
  return nullptr;
}

nlohmann::json QueryJson(const match::QueryExplanation& q) {
  nlohmann::json terms = nlohmann::json::array();
  for (const match::TermExplanation& t : q.terms) {
    nlohmann::json hits = nlohmann::json::array();
    for (const match::TermHit& h : t.hits) {
      hits.push_back({{"field", h.field}, {"begin", h.begin}, {"end", h.end}, {"text", h.text}});
    }
    terms.push_back({{"term", t.term},
                     {"negated", t.negated},
                     {"found", t.found},
                     {"hit_count", t.hit_count},
                     {"hits", hits}});
  }
  nlohmann::json near = nlohmann::json::array();
  for (const match::NearExplanation& n : q.near) {
    near.push_back({{"left", n.left},
                    {"right", n.right},
                    {"limit", n.limit},
                    {"ordered", n.ordered},
                    {"left_found", n.left_found},
                    {"right_found", n.right_found},
                    {"closest", n.closest ? nlohmann::json(*n.closest) : nullptr},
                    {"holds", n.holds}});
  }
  return {{"matched", q.matched}, {"terms", terms}, {"near", near}};
}

}  // namespace

store::EntryDate EntryDateOf(const store::StoredEntry& e) {
  return store::DateOf(e.published_at, e.updated_at, e.first_seen_at);
}

nlohmann::json MentionJson(const store::MentionRow& m, const RuleEntities& entities) {
  const std::optional<std::string> entity = config::EntityOf(entities, m.rule);
  const store::EntryDate date = store::DateOf(m.published_at, m.updated_at, m.created_at);
  nlohmann::json highlights = nlohmann::json::array();
  for (const auto& [b, e] : m.highlights) highlights.push_back({b, e});
  return {
      {"id", m.id},
      {"detected", FormatIso8601(m.created_at)},
      {"rule", m.rule},
      {"category", m.category},
      {"entity", Opt(entity)},
      {"feed", m.feed_name},
      {"feed_url", RedactUrl(m.feed_url)},
      {"title", Opt(m.title)},
      {"title_derived", m.title_derived},
      {"link", Opt(m.link)},
      {"canonical_link", Opt(m.canonical_link)},
      {"author", Opt(m.author)},
      {"published", OptTime(store::FeedDate(m.published_at, m.updated_at))},
      {"updated", OptTime(m.updated_at)},
      {"date", FormatIso8601(date.at)},
      {"date_source", store::DateSourceName(date.source)},
      {"story", m.story_id},
      {"terms", m.terms},
      {"snippet", m.snippet},
      {"highlights", highlights},
      {"status", store::TriageStatusName(m.status)},
      {"tags", m.tags},
      {"note", m.note},
      {"language", Opt(m.language)},
      {"language_source", Opt(m.language_source)},
  };
}

nlohmann::json HitJson(const SearchHit& hit) {
  const auto& e = hit.entry;
  const store::EntryDate date = EntryDateOf(e);
  nlohmann::json highlights = nlohmann::json::array();
  for (const auto& h : hit.mention.highlights) highlights.push_back({h.begin, h.end});
  return {
      {"entry", e.id},
      {"story", e.story_id},
      {"first_seen", FormatIso8601(e.first_seen_at)},
      {"published", OptTime(store::FeedDate(e.published_at, e.updated_at))},
      {"updated", OptTime(e.updated_at)},
      {"date", FormatIso8601(date.at)},
      {"date_source", store::DateSourceName(date.source)},
      {"feed", e.feed_name},
      {"feed_url", RedactUrl(e.feed_url)},
      {"title", Opt(e.title)},
      {"title_derived", e.title_derived},
      {"link", Opt(e.link)},
      {"canonical_link", Opt(e.canonical_link)},
      {"author", Opt(e.author)},
      {"language", Opt(e.language)},
      {"language_source", Opt(e.language_source)},
      {"terms", hit.mention.terms},
      {"snippet", hit.mention.snippet},
      {"highlights", highlights},
  };
}

nlohmann::json ExplanationJson(const match::Explanation& e) {
  return {{"matched", e.matched},
          {"excluded", e.excluded()},
          {"query", QueryJson(e.query)},
          {"exclude", e.exclude ? QueryJson(*e.exclude) : nlohmann::json(nullptr)}};
}

}  // namespace veille::archive
