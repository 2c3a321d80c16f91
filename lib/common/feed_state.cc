#include "common/feed_state.h"

namespace veille {

std::string_view FeedStateName(FeedState state) {
  switch (state) {
    case FeedState::kOk:
      return "ok";
    case FeedState::kFailing:
      return "failing";
    case FeedState::kBroken:
      return "broken";
    case FeedState::kGone:
      return "gone";
  }
  return "failing";
}

std::optional<FeedState> ParseFeedState(std::string_view name) {
  for (auto s : {FeedState::kOk, FeedState::kFailing, FeedState::kBroken, FeedState::kGone}) {
    if (FeedStateName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace veille
