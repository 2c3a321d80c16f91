#include "feed/identity.h"

#include <string>
#include <unordered_set>

namespace veille::feed {
namespace {

std::string DateText(const Entry& entry) {
  if (entry.published) return FormatIso8601(*entry.published);
  if (entry.updated) return FormatIso8601(*entry.updated);
  return "";
}

std::string HashKey(std::initializer_list<std::string_view> parts) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  bool first = true;
  for (std::string_view part : parts) {
    if (!first) h = Fnv1a64("\x1f", h);
    first = false;
    h = Fnv1a64(part, h);
  }
  return "hash:" + Hex64(h);
}

// More than 5% of `total` entries have a blank or repeated value.
template <typename Fn>
bool TooManyBad(const Feed& feed, Fn value_of) {
  std::size_t total = feed.entries.size();
  if (total == 0) return false;
  std::unordered_set<std::string> seen;
  std::size_t bad = 0;
  for (const Entry& e : feed.entries) {
    std::string v = value_of(e);
    if (v.empty() || !seen.insert(v).second) ++bad;
  }
  return bad * 100 > total * 5;
}

}  // namespace

std::string_view IdentityRungName(IdentityRung rung) {
  switch (rung) {
    case IdentityRung::kGuid:
      return "guid";
    case IdentityRung::kLink:
      return "link";
    case IdentityRung::kLinkDate:
      return "hash(link, date)";
    case IdentityRung::kLinkDateTitle:
      return "hash(link, date, title)";
  }
  return "guid";
}

IdentityRung ChooseRung(const Feed& feed) {
  if (!TooManyBad(feed, [](const Entry& e) { return e.id.value_or(""); })) {
    return IdentityRung::kGuid;
  }
  if (!TooManyBad(feed, [](const Entry& e) { return e.link.value_or(""); })) {
    return IdentityRung::kLink;
  }
  if (!TooManyBad(feed, [](const Entry& e) {
        std::string link = e.link.value_or("");
        std::string date = DateText(e);
        return link.empty() && date.empty() ? std::string() : link + "\x1f" + date;
      })) {
    return IdentityRung::kLinkDate;
  }
  return IdentityRung::kLinkDateTitle;
}

std::string EntryKey(const Entry& entry, IdentityRung rung) {
  if (rung == IdentityRung::kGuid && entry.id) return "id:" + *entry.id;
  if (rung <= IdentityRung::kLink && entry.link) return "link:" + *entry.link;
  std::string date = DateText(entry);
  std::string_view link = entry.link ? std::string_view(*entry.link) : std::string_view();
  if (rung <= IdentityRung::kLinkDate && (!link.empty() || !date.empty())) {
    return HashKey({link, date});
  }
  std::string_view title = entry.title ? std::string_view(*entry.title) : std::string_view();
  if (!link.empty() || !date.empty() || !title.empty()) return HashKey({link, date, title});
  // Nothing identifies the entry but its text.
  std::string_view summary = entry.summary ? std::string_view(*entry.summary) : std::string_view();
  std::string_view content = entry.content ? std::string_view(*entry.content) : std::string_view();
  return HashKey({link, date, title, summary, content});
}

void AssignEntryKeys(Feed* feed) {
  IdentityRung rung = ChooseRung(*feed);
  bool any_id = false;
  for (const Entry& e : feed->entries) any_id = any_id || e.id.has_value();
  if (rung != IdentityRung::kGuid && any_id) {
    feed->warnings.push_back(
        "more than 5% of the entries have a blank or repeated guid; "
        "entry identity uses " +
        std::string(IdentityRungName(rung)));
  }
  std::unordered_set<std::string> seen;
  std::vector<Entry> kept;
  kept.reserve(feed->entries.size());
  std::size_t duplicates = 0;
  for (Entry& e : feed->entries) {
    e.key = EntryKey(e, rung);
    if (!seen.insert(e.key).second) {
      ++duplicates;
      continue;
    }
    kept.push_back(std::move(e));
  }
  feed->entries = std::move(kept);
  if (duplicates > 0) {
    feed->warnings.push_back(std::to_string(duplicates) +
                             " entries repeated an earlier entry's identity and were merged");
  }
}

}  // namespace veille::feed
