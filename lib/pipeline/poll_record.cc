#include "pipeline/poll_record.h"

#include "common/url.h"
#include "schedule/health.h"

namespace veille::pipeline {

bool MayPollInstead(const std::string& configured, const std::string& moved_to) {
  const std::optional<Url> target = Url::Parse(moved_to);
  if (target && target->IsWeb()) return true;
  const std::optional<Url> origin = Url::Parse(configured);
  return !(origin && origin->IsWeb()) && configured == moved_to;
}

RecordedPoll RecordPoll(const FeedMemory& memory, const PollFacts& poll,
                        const schedule::Decision& decision, UnixSeconds now,
                        std::int64_t broken_after_s) {
  RecordedPoll out;
  store::FeedUpdate& u = out.update;
  u.feed_id = memory.feed_id;
  u.answers_request = memory.answering;
  u.fetched_at = now;
  u.outcome = poll.outcome;
  u.http_status = poll.http_status;
  u.error = poll.error;
  u.consecutive_failures = decision.consecutive_failures;
  u.next_due_at = decision.next_due;
  const bool success = IsSuccess(poll.outcome);
  u.failing_since = success ? std::nullopt : std::optional(memory.failing_since.value_or(now));
  u.state = decision.stop ? FeedState::kGone
                          : schedule::Health(poll.outcome, u.failing_since, now, broken_after_s);
  if (!memory.sent_validators && success) u.unconditional_at = now;
  // A permanent move is adopted after the same 301/308 target on 3 polls in a row.
  const schedule::RedirectDecision moved =
      schedule::ObserveRedirect(memory.redirect, poll.permanent_target);
  out.redirect = moved.streak;
  u.redirect_target = moved.streak.target;
  u.redirect_count = moved.streak.count;
  if (moved.adopt && success && MayPollInstead(memory.configured_url, moved.adopted)) {
    u.moved_to = moved.adopted;
  }
  if (poll.document) {
    const PollFacts::Document& d = *poll.document;
    u.store_validators = !d.recovered;  // RELIABILITY.md decision 3
    u.etag = d.etag.empty() ? std::nullopt : std::optional(d.etag);
    u.last_modified = d.last_modified.empty() ? std::nullopt : std::optional(d.last_modified);
    u.body_fingerprint = d.fingerprint;
    u.title = d.title;
    u.site_link = d.link;
    // Each parsed document sets the mark or clears it: it says what the latest one was.
    u.encoding_suspect = d.encoding_suspect.value_or("");
  }
  return out;
}

}  // namespace veille::pipeline
