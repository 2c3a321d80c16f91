// A feed's health as the store keeps it and `veille feeds` prints it (schedule::Health decides
// it from the polls).
#pragma once

#include <optional>
#include <string_view>

namespace veille {

enum class FeedState {
  kOk,       // the last poll succeeded
  kFailing,  // failing, for less than broken_after
  kBroken,   // failing for broken_after or longer (still polled, with backoff)
  kGone,     // 410: no longer polled
};

// "ok", "failing", "broken", "gone" (the names `veille feeds` prints and the store keeps).
std::string_view FeedStateName(FeedState state);
std::optional<FeedState> ParseFeedState(std::string_view name);

}  // namespace veille
