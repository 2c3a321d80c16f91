// The whole document: feed-level fields (title, link, language, ttl) and every entry, found by an
// iterative walk from the feed element so that RSS 1.0 items (siblings of <channel>), items
// outside <channel> and feeds wrapped in other markup are all seen.
#include <algorithm>
#include <string>

#include "feed/extract.h"
#include "feed/links.h"
#include "feed/repair.h"
#include "feed/text.h"
#include "feed/xml_tree.h"

namespace veille::feed {
namespace {

std::string LowerName(pugi::xml_node node, const ExtractContext& context) {
  std::string name = CanonicalName(node, context.index);
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

// Entries and feed fields deeper than this below the feed element are not looked for; it bounds
// the namespace lookups, which walk up the ancestors.
constexpr int kMaxHeaderDepth = 32;

bool IsEntryElement(std::string_view name) {
  return name == "item" || name == "entry" || name == "atom:entry";
}

// An entry the repair had to close at the end of a truncated document.
bool IsTruncated(pugi::xml_node item) {
  for (pugi::xml_node n = item.last_child(); n; n = n.last_child()) {
    if (std::string_view(n.name()) == kTruncatedMarker) return true;
    if (n.type() != pugi::node_element) break;
  }
  return false;
}

std::optional<std::int64_t> PositiveInt(std::string_view text) {
  auto collapsed = CollapseText(text);
  if (!collapsed || collapsed->size() > 9) return std::nullopt;
  std::int64_t v = 0;
  for (char c : *collapsed) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? std::optional<std::int64_t>(v) : std::nullopt;
}

struct HeaderState {
  int title_depth = -1;
  std::optional<std::int64_t> ttl_minutes;
  std::optional<std::int64_t> period_seconds;
  std::optional<std::int64_t> frequency;
};

// Returns true when the element's subtree was consumed.
bool HandleHeaderElement(pugi::xml_node el, const std::string& name, int depth,
                         const ExtractContext& context, HeaderState* state, Feed* feed) {
  if (name == "title" || name == "atom:title" || name == "dc:title") {
    if (state->title_depth == -1 || depth < state->title_depth) {
      if (auto value = TextConstruct(el, "text/plain", context)) {
        feed->title = std::move(value);
        state->title_depth = depth;
      }
    }
    return true;
  }
  if (name == "link" || name == "atom:link") {
    LinkValue link = ReadLink(el, context);
    if (link.counts) feed->link = std::move(link.url);
    return true;
  }
  if (name == "language" || name == "dc:language") {
    if (auto value = CollapseText(DirectText(el))) feed->language = std::move(value);
    return true;
  }
  if (name == "ttl") {
    state->ttl_minutes = PositiveInt(DirectText(el));
    return true;
  }
  if (name == "sy:updateperiod") {
    auto period = CollapseText(DirectText(el));
    if (period) {
      std::string p = *period;
      for (char& c : p) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      if (p == "hourly") state->period_seconds = 3600;
      if (p == "daily") state->period_seconds = 86400;
      if (p == "weekly") state->period_seconds = 7 * 86400;
      if (p == "monthly") state->period_seconds = 30 * 86400;
      if (p == "yearly") state->period_seconds = 365 * 86400;
    }
    return true;
  }
  if (name == "sy:updatefrequency") {
    state->frequency = PositiveInt(DirectText(el));
    return true;
  }
  // Titles and links of these belong to something else than the feed; like the reference, a
  // title after an image or text input may replace the one before.
  if (name == "image" || name == "textinput" || name == "atom:source" || name == "source") {
    state->title_depth = -1;
  }
  return name == "image" || name == "textinput" || name == "atom:source" || name == "source" ||
         name == "atom:author" || name == "author" || name == "itunes:owner" ||
         name == "itunes:image" || name == "media:content" || name == "media:group";
}

}  // namespace

void ExtractDocument(pugi::xml_node feed_element, const ExtractContext& context,
                     std::size_t max_entries, Feed* feed) {
  HeaderState state;
  if (IsEntryElement(LowerName(feed_element, context))) {
    // A document that is a single Atom entry.
    feed->entries.push_back(ExtractEntry(feed_element, context));
    return;
  }
  if (pugi::xml_attribute lang = feed_element.attribute("xml:lang")) {
    feed->language = CollapseText(lang.value());
  }
  std::size_t dropped_truncated = 0;
  std::size_t dropped_limit = 0;
  int depth = 0;
  pugi::xml_node n = feed_element;
  while (n) {
    bool descend = n == feed_element;
    if (n.type() == pugi::node_element && n != feed_element) {
      std::string name = LowerName(n, context);
      if (IsEntryElement(name)) {
        if (IsTruncated(n)) {
          ++dropped_truncated;
        } else if (feed->entries.size() >= max_entries) {
          ++dropped_limit;
        } else {
          feed->entries.push_back(ExtractEntry(n, context));
        }
      } else {
        descend = !HandleHeaderElement(n, name, depth, context, &state, feed);
      }
    }
    if (descend && n.first_child() && depth < kMaxHeaderDepth) {
      n = n.first_child();
      ++depth;
      continue;
    }
    while (n != feed_element && !n.next_sibling()) {
      n = n.parent();
      --depth;
    }
    if (n == feed_element) break;
    n = n.next_sibling();
  }
  for (Entry& e : feed->entries) {
    if (!e.language) e.language = feed->language;
  }
  std::optional<std::int64_t> hint;
  if (state.ttl_minutes) hint = *state.ttl_minutes * 60;
  if (state.period_seconds) {
    std::int64_t sy =
        *state.period_seconds / std::max<std::int64_t>(1, state.frequency.value_or(1));
    hint = std::max(hint.value_or(0), sy);
  }
  feed->ttl_seconds = hint;
  if (dropped_truncated > 0) {
    feed->warnings.push_back("document truncated: " + std::to_string(dropped_truncated) +
                             " incomplete entry dropped");
  }
  if (dropped_limit > 0) {
    feed->warnings.push_back(std::to_string(dropped_limit) + " entries beyond the limit of " +
                             std::to_string(max_entries) + " dropped");
  }
}

}  // namespace veille::feed
