// Triage: what the team did with each mention (new, read, handled, ignored), its tags and its
// note, set from the web inbox and `veille triage`. A mention without a triage row is new, so
// the daemon never writes here. Every change is one short transaction (docs/web.md, "Triage").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::store {

// Limits on what a person types (a tag is one short label; a note a few paragraphs).
inline constexpr std::size_t kMaxTagBytes = 64;
inline constexpr std::size_t kMaxTagsPerMention = 32;
inline constexpr std::size_t kMaxNoteBytes = 4000;
inline constexpr std::size_t kMaxTriageBatch = 5000;  // mentions changed by one call

// One change applied to every mention of a batch; absent fields are left as they are.
struct TriageChange {
  std::optional<TriageStatus> status;
  std::vector<std::string> add_tags;
  std::vector<std::string> remove_tags;
  std::optional<std::string> note;  // replaces the note ("" clears it)
  std::string by;                   // who: the web user, or the CLI's login name
  UnixSeconds at = 0;
};

// The tag as stored (surrounding spaces trimmed), or kInvalidArgument naming the problem: empty,
// longer than kMaxTagBytes, a control character or a comma (tags are typed as "a, b").
[[nodiscard]] Result<std::string> NormalizeTag(std::string_view tag);

struct TriageOutcome {
  int changed = 0;                    // mentions updated
  std::vector<std::int64_t> missing;  // ids that name no mention (nothing done for them)
};

// Applies `change` to each mention in `mention_ids` in one BEGIN IMMEDIATE transaction (all or
// nothing). Invalid tags or notes, or more than kMaxTriageBatch ids, fail with
// kInvalidArgument before anything is written.
[[nodiscard]] Result<TriageOutcome> ApplyTriage(Store& store,
                                                const std::vector<std::int64_t>& mention_ids,
                                                const TriageChange& change);

// Every mention of these stories (for a change made to whole stories), in id order.
[[nodiscard]] Result<std::vector<std::int64_t>> MentionsOfStories(
    Store& store, const std::vector<std::int64_t>& story_ids);

// One mention's triage row (the inbox's story page): status, note, who and when.
struct TriageRecord {
  std::int64_t mention_id = 0;
  TriageStatus status = TriageStatus::kNew;
  std::string note;
  std::vector<std::string> tags;
  std::optional<UnixSeconds> updated_at;  // nullopt: never triaged
  std::string updated_by;
};
[[nodiscard]] Result<TriageRecord> GetTriage(Store& store, std::int64_t mention_id);

// Every tag in use with the number of mentions carrying it, most used first (filter menus).
[[nodiscard]] Result<std::vector<std::pair<std::string, std::int64_t>>> TriageTags(Store& store,
                                                                                   int limit);

}  // namespace veille::store
