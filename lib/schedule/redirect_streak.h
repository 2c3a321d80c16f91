// When a permanent redirect may replace a feed's stored URL: only after the same target was seen
// on `needed` consecutive polls (a one-off misconfiguration must not move the feed for good).
#pragma once

#include <optional>
#include <string>

namespace veille::schedule {

struct RedirectStreak {
  std::string target;  // the permanent target seen on the last polls
  int count = 0;       // consecutive polls that saw it
};

struct RedirectDecision {
  RedirectStreak streak;  // to store with the feed
  bool adopt = false;     // replace the stored URL by `adopted` now (keep the old one)
  std::string adopted;    // the URL to adopt when `adopt` (the streak itself is reset)
};

inline constexpr int kPermanentRedirectPolls = 3;

// `permanent_target` is what this poll's redirects say (fetch::PermanentTarget): the end of the
// leading 301/308 hops, or nullopt when the poll was not permanently redirected. A temporary
// redirect or none breaks the streak; a different target restarts it. The streak resets after
// adoption.
RedirectDecision ObserveRedirect(const RedirectStreak& previous,
                                 const std::optional<std::string>& permanent_target,
                                 int needed = kPermanentRedirectPolls);

}  // namespace veille::schedule
