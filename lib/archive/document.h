// The matcher's view of an entry, stored (store::StoredEntry) or about to be stored
// (store::EntryRecord): one function for the daemon's ingest, the search, the backtest, the
// story page's explanations and test-rule.
#pragma once

#include <string>
#include <string_view>

#include "common/entry_text.h"
#include "match/matcher.h"

namespace veille::archive {

// The text a rule's unscoped and `text:` terms search (common/entry_text.h).
template <typename Entry>
std::string MatchText(const Entry& entry) {
  return EntryText(entry.summary, entry.content);
}

// `text` is MatchText(entry) and must outlive the result, as must `entry`. A title derived from
// the text (StoredEntry::title_derived) is not a title: rules never saw it as one.
template <typename Entry>
match::Document DocumentOf(const Entry& entry, std::string_view text, std::string_view feed_name,
                           std::string_view feed_url) {
  match::Document doc;
  bool derived = false;
  if constexpr (requires { entry.title_derived; }) derived = entry.title_derived;
  doc.title = entry.title && !derived ? std::string_view(*entry.title) : std::string_view();
  doc.text = text;
  doc.author = entry.author ? std::string_view(*entry.author) : std::string_view();
  doc.link = entry.link ? std::string_view(*entry.link) : std::string_view();
  doc.feed_name = feed_name;
  doc.feed_url = feed_url;
  doc.language = entry.language ? std::string_view(*entry.language) : std::string_view();
  for (const auto& c : entry.categories) doc.categories.push_back(c);
  return doc;
}

// A stored entry with its own feed; `text` receives MatchText(entry).
template <typename Stored>
match::Document DocumentOf(const Stored& entry, std::string& text) {
  text = MatchText(entry);
  return DocumentOf(entry, text, entry.feed_name, entry.feed_url);
}

}  // namespace veille::archive
