// Entry identity: the stable key used to deduplicate entries across polls of one feed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/hash.h"  // Fnv1a64: the entry keys' hash (stored: never changes)
#include "feed/feed.h"

namespace veille::feed {

// The rungs of the identity ladder, best first.
enum class IdentityRung { kGuid, kLink, kLinkDate, kLinkDateTitle };

std::string_view IdentityRungName(IdentityRung rung);

// The rung a document's entries use: the guid/id rung unless more than 5% of the entries have a
// blank or repeated id, then the link rung unless more than 5% have a blank or repeated link,
// then hash(link, date) unless more than 5% of those repeat, else hash(link, date, title).
IdentityRung ChooseRung(const Feed& feed);

// The key of one entry at `rung`: "id:<guid>", "link:<url>" or "hash:<16 hex digits>". An entry
// that lacks the rung's field falls down the ladder on its own.
std::string EntryKey(const Entry& entry, IdentityRung rung);

// Fills Entry::key for every entry, drops entries whose key repeats an earlier one (two entries
// of one document with the same key are one entry) and adds a warning when the rung is below
// guid for a feed that has guids, or when duplicates were dropped.
void AssignEntryKeys(Feed* feed);

}  // namespace veille::feed
