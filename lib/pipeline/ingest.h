// Turning one fetch result into one DocumentCommit: parse, identify new entries, match them.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "feed/feed.h"
#include "fetch/fetcher.h"
#include "match/matcher.h"
#include "store/entry_versions.h"
#include "store/store.h"

namespace veille::pipeline {

// Limits on what is stored and alerted per entry (RELIABILITY.md B11).
inline constexpr std::size_t kMaxTitleBytes = 1024;
inline constexpr std::size_t kMaxTextBytes = 64 * 1024;

// The rules' channels, resolved once per config: rule index -> channel names.
struct RuleRouting {
  std::vector<std::vector<std::string>> channels;
};

// The language `feed` declares for its entries, unless a sample of their titles and texts (about
// 2 KiB, text::kMaxCheckBytes) plainly says another one (text::Contradicts); "" when none. One
// CLD2 call per document.
std::string CheckedFeedLanguage(const feed::Feed& feed);

// The stored form of a parsed entry (text fields bounded, canonical link set, its language:
// text/language.h), without mentions. `feed_language` is CheckedFeedLanguage(feed): an entry
// that only repeats its feed's language takes that verdict; one declaring its own keeps it.
store::EntryRecord EntryRecordFrom(const feed::Entry& entry, const feed::Feed& feed,
                                   std::string_view feed_language);
// The same, checking the feed's language for this entry alone (veille test-rule).
store::EntryRecord EntryRecordFrom(const feed::Entry& entry, const feed::Feed& feed);

// The matcher's view of a record (its text and document) is archive::MatchText and
// archive::DocumentOf (archive/document.h), shared with the search and the inbox.

// The content hash of the entry as it would be stored (bounded title, summary and content:
// store/entry_versions.h), computed on the entry's own text without copying it.
std::int64_t StoredContentHash(const feed::Entry& entry);

// The records to commit for the entries of `feed`, given the keys the feed already stores with
// their content hashes (`stored`: store::StoredEntryHashes). An entry whose key is not stored
// is new (kNew, matched). One stored with the same hash is left out: the common case of every
// poll costs a hash of its text and a comparison. One stored with another hash was edited by the
// publisher (kEdited, matched again: the commit keeps the mentions it had and adds those of
// rules it now matches, RELIABILITY.md C4). One stored without a hash of this version gets it
// quietly (kRehash: key and hash only). Entries repeated inside the document are taken once.
std::vector<store::EntryRecord> NewEntryRecords(const feed::Feed& feed,
                                                const store::StoredHashes& stored,
                                                const config::FeedEntry& feed_config,
                                                const match::Matcher& matcher,
                                                const RuleRouting& routing);

// NewEntryRecords, moving the text of the entries it returns out of `feed` instead of copying it
// (ParseAndMatch, which drops the entries afterwards): those entries keep their key, dates and
// language, their other fields are left moved-from. The same records.
std::vector<store::EntryRecord> TakeNewEntryRecords(feed::Feed& feed,
                                                    const store::StoredHashes& stored,
                                                    const config::FeedEntry& feed_config,
                                                    const match::Matcher& matcher,
                                                    const RuleRouting& routing);

// The first `max_bytes` bytes of `text` or fewer, without splitting a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view text, std::size_t max_bytes);

// Cuts `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string text, std::size_t max_bytes);

}  // namespace veille::pipeline
