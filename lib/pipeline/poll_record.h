// The feed state one finished poll leaves: pure (no clock, no store, no network), so that every
// rule of it is unit-tested without a server. The monitor stages the result with the document
// and commits both together (docs/storage.md, "Group commit").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/outcome.h"
#include "common/time.h"
#include "schedule/policy.h"
#include "schedule/redirect_streak.h"
#include "store/store.h"

namespace veille::pipeline {

// What the monitor remembers of a feed between two polls (its committed state).
struct FeedMemory {
  std::int64_t feed_id = 0;
  std::string configured_url;
  int consecutive_failures = 0;
  std::optional<UnixSeconds> failing_since;
  schedule::RedirectStreak redirect;
  bool sent_validators = false;  // the request of this poll carried validators
  // The latest `veille poll` request (Unix ms) seen when this poll started: answered by it.
  std::optional<std::int64_t> answering;
};

// What the poll brought back.
struct PollFacts {
  Outcome outcome = Outcome::kOk;  // kParse when the body was not a feed
  std::string error;
  std::optional<std::int64_t> http_status;
  std::optional<std::string> permanent_target;  // fetch::PermanentTarget of its redirects
  struct Document {
    std::string etag;           // "" when the server sent none
    std::string last_modified;  // "" when the server sent none
    std::string fingerprint;
    std::optional<std::string> title;
    std::optional<std::string> link;
    bool recovered = false;  // a damaged document: its complete entries only, no validators
    // Why its bytes were not read as declared (feed::Feed::encoding_suspect), or nullopt.
    std::optional<std::string> encoding_suspect;
  };
  std::optional<Document> document;  // a parsed feed
};

struct RecordedPoll {
  store::FeedUpdate update;
  schedule::RedirectStreak redirect;  // the permanent-redirect streak after this poll
};

// The state to commit for a poll that ended as `poll` says, scheduled by `decision`
// (schedule::NextPoll) at `now`. A feed failing for `broken_after_s` is "broken".
RecordedPoll RecordPoll(const FeedMemory& memory, const PollFacts& poll,
                        const schedule::Decision& decision, UnixSeconds now,
                        std::int64_t broken_after_s);

// A URL a feed may be moved to, or keep from an earlier move stored in the database: an http(s)
// URL for a feed configured as http(s). A feed that began on the web never becomes a local file
// (security review, finding 1: a 301 to file:///root/private.xml was adopted).
bool MayPollInstead(const std::string& configured, const std::string& moved_to);

}  // namespace veille::pipeline
