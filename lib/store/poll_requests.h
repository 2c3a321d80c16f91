// Poll requests: `veille poll` asks the running daemon to poll feeds now, through the database
// (feeds.poll_requested_at). The CLI writes the request; the daemon reads it, polls the feed,
// and the request is cleared in the same transaction as that poll's feed state.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "store/store.h"

namespace veille::store {

struct PollRequest {
  std::int64_t feed_id = 0;
  std::int64_t requested_at_ms = 0;  // Unix milliseconds: two requests a second apart differ
};

// CLI side: marks `feed_ids` as requested at `now_ms`, in one short write transaction (the
// daemon is the only other writer; the busy timeout covers its commits). Returns how many of
// the feeds exist.
[[nodiscard]] Result<int> RequestPolls(Store& store, const std::vector<std::int64_t>& feed_ids,
                                       std::int64_t now_ms);

// Daemon side: the pending requests, oldest first.
[[nodiscard]] Result<std::vector<PollRequest>> PendingPollRequests(Store& store);

}  // namespace veille::store
