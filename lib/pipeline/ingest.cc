#include "pipeline/ingest.h"

#include <unordered_set>
#include <utility>

#include "archive/document.h"
#include "common/entry_text.h"
#include "store/canonical.h"
#include "text/language.h"

namespace veille::pipeline {

std::string_view Utf8Prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  // Step back over continuation bytes so the cut falls on a sequence boundary.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

std::string TruncateUtf8(std::string text, std::size_t max_bytes) {
  text.resize(Utf8Prefix(text, max_bytes).size());
  return text;
}

namespace {

std::optional<std::string> Bounded(std::optional<std::string> text, std::size_t max) {
  if (text) *text = TruncateUtf8(std::move(*text), max);
  return text;
}

std::string_view BoundedView(const std::optional<std::string>& text, std::size_t max) {
  return text ? Utf8Prefix(*text, max) : std::string_view();
}

}  // namespace

std::string CheckedFeedLanguage(const feed::Feed& feed) {
  if (!feed.language) return "";
  // Each entry's title and the start of its text, until the sample is full.
  constexpr std::size_t kPerEntry = 256;
  std::string sample;
  for (const feed::Entry& e : feed.entries) {
    if (sample.size() >= text::kMaxCheckBytes) break;
    if (e.language && e.language != feed.language) continue;  // declares its own
    if (e.title) sample.append(TruncateUtf8(e.title->substr(0, kPerEntry + 1), kPerEntry)) += '\n';
    const std::optional<std::string>& text =
        e.summary && !e.summary->empty() ? e.summary : e.content;
    if (text) sample.append(TruncateUtf8(text->substr(0, kPerEntry + 1), kPerEntry)) += '\n';
  }
  if (text::Contradicts(*feed.language, sample)) return "";
  return *feed.language;
}

store::EntryRecord EntryRecordFrom(const feed::Entry& e, const feed::Feed& feed) {
  return EntryRecordFrom(e, feed, CheckedFeedLanguage(feed));
}

namespace {

// EntryRecordFrom, copying the entry's fields (`e` a const feed::Entry&) or moving them out of it
// (an rvalue: its key and language stay).
template <typename EntryRef>
store::EntryRecord RecordFrom(EntryRef&& e, const feed::Feed& feed,
                              std::string_view feed_language) {
  store::EntryRecord r;
  r.key = e.key;
  r.guid = std::forward<EntryRef>(e).id;
  r.link = std::forward<EntryRef>(e).link;
  if (r.link) r.canonical_link = store::CanonicalLink(*r.link);  // the cross-feed story key
  r.title = Bounded(std::forward<EntryRef>(e).title, kMaxTitleBytes);
  r.author = Bounded(std::forward<EntryRef>(e).author, kMaxTitleBytes);
  r.published_at = e.published;
  r.updated_at = e.updated;
  r.summary = Bounded(std::forward<EntryRef>(e).summary, kMaxTextBytes);
  r.content = Bounded(std::forward<EntryRef>(e).content, kMaxTextBytes);
  r.categories = std::forward<EntryRef>(e).categories;
  // The language (text/language.h): as declared when plausible (the feed's when its entries'
  // text did not contradict it), else detected in the title and the start of the text.
  constexpr std::size_t kMax = text::kMaxDetectionBytes;
  std::string sample = r.summary ? TruncateUtf8(r.summary->substr(0, kMax + 1), kMax) : "";
  if (r.content && sample.size() + 1 < kMax) {
    if (!sample.empty()) sample += '\n';
    sample += TruncateUtf8(r.content->substr(0, kMax + 1), kMax - sample.size());
  }
  const std::string_view declared =
      e.language && e.language != feed.language ? std::string_view(*e.language) : feed_language;
  if (auto language = text::EntryLanguageOf(declared, r.title.value_or(""), sample)) {
    r.language = std::move(language->code);
    r.language_source = std::string(text::LanguageSourceName(language->source));
  }
  return r;
}

}  // namespace

store::EntryRecord EntryRecordFrom(const feed::Entry& e, const feed::Feed& feed,
                                   std::string_view feed_language) {
  return RecordFrom(e, feed, feed_language);
}

std::int64_t StoredContentHash(const feed::Entry& e) {
  // The bounds of EntryRecordFrom, on views: what the record would store, hashed in place.
  return store::EntryContentHash(BoundedView(e.title, kMaxTitleBytes),
                                 BoundedView(e.summary, kMaxTextBytes),
                                 BoundedView(e.content, kMaxTextBytes));
}

namespace {

// NewEntryRecords; with kTake, each new or edited entry's fields are moved into its record.
template <bool kTake, typename FeedRef>
std::vector<store::EntryRecord> Records(FeedRef& feed, const store::StoredHashes& stored,
                                        const config::FeedEntry& feed_config,
                                        const match::Matcher& matcher, const RuleRouting& routing) {
  using Change = store::EntryRecord::Change;
  std::vector<store::EntryRecord> out;
  std::unordered_set<std::string_view> taken;
  const auto& rules = matcher.rules();
  std::optional<std::string> feed_language;  // checked once, when a new entry needs it
  for (auto& e : feed.entries) {
    if (!taken.insert(e.key).second) continue;
    const std::int64_t hash = StoredContentHash(e);
    Change change = Change::kNew;
    if (auto it = stored.find(e.key); it != stored.end()) {
      if (it->second == hash) continue;  // stored as it is: the common case
      if (!it->second || !store::IsCurrentContentHash(*it->second)) {
        store::EntryRecord rehash;  // stored before hashes (or another version of them)
        rehash.key = e.key;
        rehash.content_hash = hash;
        rehash.change = Change::kRehash;
        out.push_back(std::move(rehash));
        continue;
      }
      change = Change::kEdited;
    }
    // Before any entry's text is taken: CheckedFeedLanguage reads them all.
    if (!feed_language) feed_language = CheckedFeedLanguage(feed);
    store::EntryRecord r;
    if constexpr (kTake) {
      r = RecordFrom(std::move(e), feed, *feed_language);
    } else {
      r = RecordFrom(e, feed, *feed_language);
    }
    r.content_hash = hash;
    r.change = change;
    // Match on what is stored: the bounded title, summary and content.
    const std::string text = archive::MatchText(r);
    const match::Document doc = archive::DocumentOf(r, text, feed_config.name, feed_config.url);
    for (match::Mention& m : matcher.Match(doc)) {
      store::MentionRecord rec;
      rec.rule = rules[m.rule_index].name;
      rec.category = rules[m.rule_index].category;
      rec.terms = std::move(m.terms);
      rec.snippet = std::move(m.snippet);
      for (const auto& h : m.highlights) rec.highlights.emplace_back(h.begin, h.end);
      if (m.rule_index < routing.channels.size()) rec.channels = routing.channels[m.rule_index];
      r.mentions.push_back(std::move(rec));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<store::EntryRecord> NewEntryRecords(const feed::Feed& feed,
                                                const store::StoredHashes& stored,
                                                const config::FeedEntry& feed_config,
                                                const match::Matcher& matcher,
                                                const RuleRouting& routing) {
  return Records<false>(feed, stored, feed_config, matcher, routing);
}

std::vector<store::EntryRecord> TakeNewEntryRecords(feed::Feed& feed,
                                                    const store::StoredHashes& stored,
                                                    const config::FeedEntry& feed_config,
                                                    const match::Matcher& matcher,
                                                    const RuleRouting& routing) {
  return Records<true>(feed, stored, feed_config, matcher, routing);
}

}  // namespace veille::pipeline
