#include "pipeline/poll_record.h"

#include <gtest/gtest.h>

namespace veille::pipeline {
namespace {

constexpr UnixSeconds kNow = 1'800'000'000;
constexpr std::int64_t kBrokenAfter = 14 * 86400;

FeedMemory Memory() {
  FeedMemory m;
  m.feed_id = 7;
  m.configured_url = "https://a.example/feed";
  return m;
}

schedule::Decision Due(UnixSeconds next, int failures = 0, bool stop = false) {
  return schedule::Decision{next, failures, stop};
}

PollFacts Parsed(bool recovered = false) {
  PollFacts p;
  p.http_status = 200;
  p.document =
      PollFacts::Document{"\"e1\"", "", "fp", "Titre", "https://a.example/", recovered, {}};
  return p;
}

TEST(RecordPoll, ACleanDocumentStoresItsValidatorsAndClearsTheFailure) {
  FeedMemory m = Memory();
  m.consecutive_failures = 3;
  m.failing_since = kNow - 3600;
  m.answering = 1234;
  const RecordedPoll r = RecordPoll(m, Parsed(), Due(kNow + 1800), kNow, kBrokenAfter);
  const store::FeedUpdate& u = r.update;
  EXPECT_EQ(u.feed_id, 7);
  EXPECT_EQ(u.answers_request, 1234);
  EXPECT_EQ(u.fetched_at, kNow);
  EXPECT_EQ(u.next_due_at, kNow + 1800);
  EXPECT_EQ(u.consecutive_failures, 0);
  EXPECT_FALSE(u.failing_since);
  EXPECT_EQ(u.state, FeedState::kOk);
  EXPECT_TRUE(u.store_validators);
  EXPECT_EQ(u.etag, "\"e1\"");
  EXPECT_FALSE(u.last_modified);  // none sent: none stored
  EXPECT_EQ(u.body_fingerprint, "fp");
  EXPECT_EQ(u.title, "Titre");
  EXPECT_EQ(u.unconditional_at, kNow);  // no validators were sent
}

// RELIABILITY.md B6: each parsed document sets the "encoding suspect" mark or clears it (""); a
// poll without a document leaves it as stored (nullopt).
TEST(RecordPoll, EachDocumentSetsOrClearsTheEncodingSuspectMark) {
  PollFacts suspect = Parsed();
  suspect.document->encoding_suspect = "bytes that are not UTF-8 were read as windows-1252";
  EXPECT_EQ(
      RecordPoll(Memory(), suspect, Due(kNow + 60), kNow, kBrokenAfter).update.encoding_suspect,
      "bytes that are not UTF-8 were read as windows-1252");
  EXPECT_EQ(
      RecordPoll(Memory(), Parsed(), Due(kNow + 60), kNow, kBrokenAfter).update.encoding_suspect,
      "");
  PollFacts failed;
  failed.outcome = Outcome::kHttp5xx;
  EXPECT_FALSE(
      RecordPoll(Memory(), failed, Due(kNow + 60, 1), kNow, kBrokenAfter).update.encoding_suspect);
}

TEST(RecordPoll, ADamagedDocumentKeepsNoValidator) {
  const RecordedPoll r = RecordPoll(Memory(), Parsed(true), Due(kNow + 60), kNow, kBrokenAfter);
  EXPECT_FALSE(r.update.store_validators);
}

TEST(RecordPoll, AConditionalRequestIsNotAnUnconditionalOne) {
  FeedMemory m = Memory();
  m.sent_validators = true;
  PollFacts p;
  p.outcome = Outcome::kNotModified;
  p.http_status = 304;
  const RecordedPoll r = RecordPoll(m, p, Due(kNow + 1800), kNow, kBrokenAfter);
  EXPECT_FALSE(r.update.unconditional_at);
  EXPECT_FALSE(r.update.store_validators);
  EXPECT_EQ(r.update.outcome, Outcome::kNotModified);
}

TEST(RecordPoll, AFailureKeepsWhenItStartedAndTurnsBrokenAfterTwoWeeks) {
  FeedMemory m = Memory();
  PollFacts p;
  p.outcome = Outcome::kConnect;
  p.error = "connection refused";
  const RecordedPoll first = RecordPoll(m, p, Due(kNow + 300, 1), kNow, kBrokenAfter);
  EXPECT_EQ(first.update.failing_since, kNow);
  EXPECT_EQ(first.update.state, FeedState::kFailing);
  EXPECT_EQ(first.update.error, "connection refused");
  EXPECT_EQ(first.update.consecutive_failures, 1);
  EXPECT_FALSE(first.update.unconditional_at);
  m.failing_since = kNow - kBrokenAfter - 1;
  const RecordedPoll later = RecordPoll(m, p, Due(kNow + 3600, 40), kNow, kBrokenAfter);
  EXPECT_EQ(later.update.failing_since, kNow - kBrokenAfter - 1);
  EXPECT_EQ(later.update.state, FeedState::kBroken);
}

TEST(RecordPoll, GoneStopsTheFeed) {
  PollFacts p;
  p.outcome = Outcome::kGone;
  p.http_status = 410;
  const RecordedPoll r = RecordPoll(Memory(), p, Due(kNow, 1, true), kNow, kBrokenAfter);
  EXPECT_EQ(r.update.state, FeedState::kGone);
}

TEST(RecordPoll, APermanentMoveIsAdoptedOnTheThirdSuccessfulPollToTheSameTarget) {
  FeedMemory m = Memory();
  PollFacts p = Parsed();
  p.permanent_target = "https://b.example/feed";
  for (int poll = 1; poll <= 2; ++poll) {
    const RecordedPoll r = RecordPoll(m, p, Due(kNow + 1800), kNow, kBrokenAfter);
    EXPECT_FALSE(r.update.moved_to) << "poll " << poll;
    EXPECT_EQ(r.update.redirect_count, poll);
    m.redirect = r.redirect;
  }
  PollFacts failed = p;
  failed.outcome = Outcome::kHttp5xx;
  failed.document.reset();
  EXPECT_FALSE(RecordPoll(m, failed, Due(kNow + 60, 1), kNow, kBrokenAfter).update.moved_to)
      << "a failed poll never moves the feed";
  const RecordedPoll third = RecordPoll(m, p, Due(kNow + 1800), kNow, kBrokenAfter);
  EXPECT_EQ(third.update.moved_to, "https://b.example/feed");
}

TEST(RecordPoll, AFeedFromTheWebIsNeverMovedToALocalFile) {
  FeedMemory m = Memory();
  PollFacts p = Parsed();
  p.permanent_target = "file:///root/private.xml";
  m.redirect = {"file:///root/private.xml", 2};
  EXPECT_FALSE(RecordPoll(m, p, Due(kNow + 1800), kNow, kBrokenAfter).update.moved_to);
  EXPECT_TRUE(MayPollInstead("https://a.example/feed", "https://b.example/feed"));
  EXPECT_FALSE(MayPollInstead("https://a.example/feed", "file:///etc/passwd"));
  EXPECT_TRUE(MayPollInstead("file:///srv/feed.xml", "file:///srv/feed.xml"));
}

}  // namespace
}  // namespace veille::pipeline
