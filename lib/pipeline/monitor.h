// The monitor: the poll cycle that ties config, schedule, fetch, parse, match, store and alerts.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "alert/dispatcher.h"
#include "common/result.h"
#include "config/config.h"
#include "fetch/fetcher.h"
#include "match/matcher.h"
#include "pipeline/ingest.h"
#include "pipeline/parse_pool.h"
#include "pipeline/reload.h"
#include "schedule/due_queue.h"
#include "schedule/host_limits.h"
#include "schedule/policy.h"
#include "schedule/redirect_streak.h"
#include "store/store.h"

namespace veille::pipeline {

struct CycleSummary {
  int feeds_polled = 0;
  int feeds_ok = 0;      // ok or not_modified, committed
  int feeds_failed = 0;  // any other outcome
  int new_entries = 0;
  int new_mentions = 0;
  int alerts_delivered = 0;
  int alerts_pending = 0;  // still pending after the delivery step
  // Alerts recorded as suppressed because a feed's first poll does not alert (backfill_alerts
  // = false), and the feeds whose first poll did that.
  int alerts_not_sent = 0;
  int first_poll_feeds = 0;
  // RunOnce only (not added up by the daemon's cycle line): where its time went, in
  // milliseconds of the monotonic clock. Polling runs from its start (the first request) to the
  // return of the last commit; then the full-text index upkeep the commits left, then delivery.
  std::int64_t polling_ms = 0;
  std::int64_t index_ms = 0;
  std::int64_t delivery_ms = 0;
};

// "cycle done: 6 feeds polled, 6 ok, 0 failed, 120 new entries, 29 new mentions".
std::string CycleLine(const CycleSummary& summary);
// "29 alerts not sent: first poll of 6 feeds; set backfill_alerts = true to send them", or ""
// when every alert was sent.
std::string NotSentLine(const CycleSummary& summary);

// Where time comes from. The wall clock (Unix seconds) dates polls and places due times; the
// monotonic one (milliseconds from any origin) times everything the monitor bounds or repeats:
// the group commit's age bound, claims and lease renewals, the watches, maintenance, the --once
// delivery deadline, and the clock-jump check that compares the two.
using WallClock = std::function<UnixSeconds()>;
using SteadyClock = std::function<std::int64_t()>;
UnixSeconds SystemNow();
std::int64_t SystemSteadyMs();  // std::chrono::steady_clock, in milliseconds

// Both clocks, the system's by default; tests replace either. A replaced monotonic clock must
// never go back, and must move for the monitor's waits to end (RunOnce waits on it for retries
// within the delivery deadline).
struct Clocks {
  WallClock wall = SystemNow;
  SteadyClock steady = SystemSteadyMs;
};

// Builds the fetcher from its settings (at start and when a reload changes them); tests may
// replace it.
using FetcherFactory =
    std::function<Result<std::unique_ptr<fetch::Fetcher>>(const fetch::FetchOptions&)>;
FetcherFactory DefaultFetcherFactory();

// What a monitor is built from besides its configuration: the system's by default, replaced
// by tests for what they control.
struct MonitorParts {
  Clocks clocks;
  FetcherFactory make_fetcher = DefaultFetcherFactory();
  // The store of `config.daemon.database`, already opened with store::Access::kMigrate (a test
  // that prepares the database passes the store it prepared it with), or null: Create opens
  // it. The parse workers open their own read connections to the same database either way.
  std::unique_ptr<store::Store> store;
};

class Monitor {
 public:
  // Opens the store (unless `parts` holds one), compiles the rules and registers the feeds of
  // `config`.
  [[nodiscard]] static Result<std::unique_ptr<Monitor>> Create(const config::Config& config,
                                                               MonitorParts parts);
  // The same with the system's monotonic clock, its own store, and `clock` and `make_fetcher`.
  [[nodiscard]] static Result<std::unique_ptr<Monitor>> Create(
      const config::Config& config, WallClock clock = SystemNow,
      FetcherFactory make_fetcher = DefaultFetcherFactory());
  ~Monitor();

  // Applies a new, already parsed configuration: rules are compiled (and a changed fetcher
  // built) first, and on any error the current configuration stays in force. Schedule state and
  // pending alerts survive. Every key applies (pipeline/reload.h) but the database and lock
  // file, which the returned plan lists as needing a restart.
  [[nodiscard]] Result<ReloadPlan> Reload(const config::Config& config);

  // Polls every configured feed once, then delivers the alerts that are due, waiting for
  // retries that fall due within the once-delivery deadline (default 60 s), then returns.
  [[nodiscard]] Result<CycleSummary> RunOnce(const std::atomic<bool>& stop);

  // How long RunOnce may keep delivering (and waiting for retries) after polling.
  void SetOnceDeliveryDeadline(std::int64_t seconds) { once_delivery_deadline_s_ = seconds; }

  // Polls on schedule until `stop` becomes true; `on_tick` runs after every loop iteration
  // (the daemon checks for reload requests and pings the watchdog there).
  [[nodiscard]] Result<void> Run(const std::atomic<bool>& stop,
                                 const std::function<void()>& on_tick);

  [[nodiscard]] const config::Config& config() const { return config_; }

  // Writes the heartbeat row read by `veille status` (failures are logged, never fatal).
  void Heartbeat(const store::DaemonStatus& status);
  // Feeds configured, feeds whose last poll failed (for status lines).
  [[nodiscard]] std::pair<int, int> FeedHealth() const;
  // True when the database file was deleted or replaced under the daemon (RELIABILITY.md E6).
  [[nodiscard]] Result<bool> DatabaseFileMoved() const { return store_->DatabaseReplaced(); }
  // Nothing fetched or parsed is in flight: the loop may do maintenance (full-text merging).
  [[nodiscard]] bool Idle() const;

 private:
  struct Slot {
    config::FeedEntry feed;
    std::int64_t id = 0;
    bool in_flight = false;
    bool gone = false;
    int consecutive_failures = 0;
    UnixSeconds next_due = 0;
    // The wall-clock time next_due was counted from (0: at start, from the stored schedule). A
    // clock jump moves only the due times counted before it (ShiftSchedule).
    UnixSeconds counted_at = 0;
    bool fetching = false;  // in the fetcher (not yet handed to the parse pool)
    std::int64_t started_ms = 0;
    bool rate_limited = false;  // the last poll was refused with 429/503 (Retry-After holds)
    // `veille poll` requests (feeds.poll_requested_at, Unix ms): the latest one acted on, the one
    // the poll in flight answers (cleared with its feed state), and whether one came in while a
    // poll was under way (it gets a poll of its own).
    std::optional<std::int64_t> request_seen;
    std::optional<std::int64_t> answering;
    bool poll_again = false;
    std::string fetch_url;  // the configured URL, or where it permanently moved
    std::string host;       // "host:port" of fetch_url, for per-host rate limits
    // Validators are not sent once a day, so a server whose validators lie is caught up with.
    std::optional<UnixSeconds> last_unconditional;
    bool sent_validators = false;  // the request in flight carried validators
    std::optional<UnixSeconds> failing_since;
    schedule::RedirectStreak redirect;
    // The committed validators and fingerprint, and the first successful poll: read at start
    // and after each commit, so that a poll reads nothing from the database.
    std::string etag;
    std::string last_modified;
    std::string fingerprint;
    std::optional<UnixSeconds> first_polled_at;
    bool encoding_suspect = false;  // the stored mark (RELIABILITY.md B6), to log its changes
    // On a shared database: this daemon leased the feed (store::Store::LeaseDueFeeds) and has
    // not committed its poll yet.
    bool leased = false;
  };

  // A finished poll whose write waits for its batch's commit (group commit, docs/storage.md).
  struct PendingWrite {
    store::DocumentCommit commit;  // the feed's new state, with the document's entries if any
    schedule::Decision decision;
    schedule::RedirectStreak redirect;  // the permanent-redirect streak after this poll
    Outcome outcome = Outcome::kOk;
    std::string error;
    std::optional<std::int64_t> retry_after_s;
    bool recovered = false;  // a damaged document of which the complete entries were kept
    std::size_t entry_count = 0;
    std::vector<std::string> warnings;  // the parser's, logged once committed
    std::int64_t ms = 0;                // from submission to the end of the parse
    UnixSeconds staged_at = 0;          // the wall clock the decision was counted with
  };

  // Wakes the fetcher's poll from the parse workers; the loop may replace the fetcher.
  class Waker {
   public:
    void Set(fetch::Fetcher* fetcher);
    void Wake();

   private:
    std::mutex mu_;
    fetch::Fetcher* fetcher_ = nullptr;
  };

  Monitor(config::Config config, std::unique_ptr<store::Store> store,
          std::unique_ptr<fetch::Fetcher> fetcher, std::shared_ptr<const match::Matcher> matcher,
          Clocks clocks, FetcherFactory make_fetcher);

  // The monotonic clock (Clocks::steady), in milliseconds: every bound and period of the loops.
  [[nodiscard]] std::int64_t SteadyMs() const { return steady_(); }

  // Replaces the fetcher (new settings); transfers in flight start again on the new one.
  void SwapFetcher(std::unique_ptr<fetch::Fetcher> fetcher);
  // Schedules the feeds `veille poll` asked for (read when another process wrote).
  void TakePollRequests();

  // Rebuilds the slots from the config and the stored feed state. At start-up (`spread`), feeds
  // that became due while the daemon was down are spread over a window.
  [[nodiscard]] Result<void> ApplyFeeds(bool spread);
  void ApplyChannels();
  // The longest a healthy feed waits between two polls under the current config.
  [[nodiscard]] std::int64_t LongestWait(const config::FeedEntry& feed) const;
  void Submit(Slot& slot, bool conditional);
  // True while the fetcher and the parse pool hold fewer documents than the loop lets in (so
  // bodies waiting for a parser never pile up in memory).
  [[nodiscard]] bool HasRoom() const;
  // A finished transfer: a body goes to the parse pool, anything else joins the open batch.
  void OnFetched(fetch::FetchResult result);
  // Waits up to `max_wait` for transfers and parsed documents, adds what finished to the open
  // batch, and commits the batch when it is full, old enough, or nothing is in flight. Returns
  // the counts of the polls it committed.
  CycleSummary Collect(std::chrono::milliseconds max_wait);
  // Prepares the write of one finished poll (schedule decision, feed state and, for a parsed
  // document, its new entries) and adds it to the open batch.
  void Stage(fetch::FetchResult result, ParsedDocument* parsed);
  // Milliseconds until the open batch must be committed (0: now; max when none is open).
  [[nodiscard]] std::int64_t BatchTimeLeftMs() const;
  // Commits the open batch in one transaction (store::CommitBatch), then applies each poll.
  CycleSummary Flush();
  // After the commit: the poll's effects on the feed's memory, its log line and its next due
  // time; the counts it added. Finish also keeps the first cycle's summary line.
  CycleSummary Finish(PendingWrite& write, const Result<store::CommitStats>& written);
  CycleSummary Apply(PendingWrite& write, const Result<store::CommitStats>& written);
  // Sets the slot's next due time; queues it locally unless the database holds the schedule
  // (a shared database: only leased feeds are queued here, the others are claimed when due).
  // `counted_at` is the wall-clock time `next_due` was counted from (default: now).
  void Schedule(Slot& slot, UnixSeconds next_due, std::optional<UnixSeconds> counted_at = {});
  // The committed state of a feed, as stored, into its slot (at start, after a reload, and
  // when a lease brings back a feed another daemon polled last).
  void LoadFeedState(Slot& slot, const store::FeedRow& row) const;

  // Several daemons on one database (monitor_lease.cc, docs/scaling.md).
  // How many more documents the loop lets in (HasRoom's bound minus what is in flight).
  [[nodiscard]] std::size_t Room() const;
  // Leases up to Room() of `candidates` that are due at `now` and queues them at once (the
  // feeds another daemon polled last come back with their stored state). Returns how many.
  std::size_t ClaimDue(UnixSeconds now, const std::vector<std::int64_t>& candidates);
  // Renews the leases of the polls under way (every lease_time / 3).
  void RenewLeases();
  // Gives back the leases of the polls not done (at stop).
  void ReleaseAllLeases();
  // The configuration's fingerprint in the database (config_fingerprint.cc, docs/scaling.md):
  // stored at start and at each reload, with one warning when other daemons run another
  // configuration; refreshed with each heartbeat, removed when the monitor ends.
  void PublishConfig();
  void TouchConfig();
  void WithdrawConfig();
  // Gives back the leases of the polls whose outcome could not be stored (unstored_): polled
  // again by any daemon in kStorageRetrySeconds, or after a few seconds for `veille poll`.
  void ReleaseUnstored();
  // Whether this daemon holds the maintenance lock (checked every few seconds; changes logged).
  [[nodiscard]] bool Maintainer();
  // Per-host politeness across daemons (monitor_hosts.cc; docs/scaling.md). The host side of a
  // claim of `candidates` (hosts new to the database are added first).
  [[nodiscard]] store::HostClaim HostClaimFor(const std::vector<std::int64_t>& candidates);
  // The hosts of the feeds this daemon holds leases on.
  [[nodiscard]] std::vector<std::string> BusyHosts() const;
  // After a rate-limited poll on `host`: when the host is now paused, its requests not started
  // yet are dropped and rescheduled for the end of the pause, and on a shared database the
  // pause is written for every daemon.
  void OnRateLimited(const std::string& host, UnixSeconds now);
  // Moves by `seconds` every due time counted with the clock before a jump from `before` (the
  // wall clock at the loop's previous turn) to `after` (now); a due time counted after the jump
  // (a poll staged and committed between the two turns) is already right and stays.
  void ShiftSchedule(std::int64_t seconds, UnixSeconds before, UnixSeconds after);
  // One delivery step. With no budget (the run loop) it never waits on a mail server or a
  // webhook: it records the sends that ended since the last step and starts the due ones on the
  // delivery thread. With `pass_budget_ms` (--once) it is a whole pass that waits for its sends,
  // new attempts starting only within the budget, each with the time left.
  void Deliver(CycleSummary& summary, std::int64_t pass_budget_ms = 0);
  // At stop: sends in flight get a short grace to end and be recorded; the others stay pending
  // and go again (same key) at the next start.
  void StopDelivery();

  config::Config config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<fetch::Fetcher> fetcher_;
  FetcherFactory make_fetcher_;
  std::shared_ptr<Waker> waker_ = std::make_shared<Waker>();
  std::shared_ptr<const match::Matcher> matcher_;
  std::shared_ptr<const RuleRouting> routing_;
  std::unique_ptr<ParsePool> parser_;
  alert::Dispatcher dispatcher_;
  WallClock clock_;
  SteadyClock steady_;
  std::mt19937_64 rng_;
  std::map<std::int64_t, Slot> slots_;  // by feed id
  schedule::DueQueue due_;              // feed ids by next due time
  schedule::HostRateLimits host_limits_;
  std::int64_t once_delivery_deadline_s_ = 60;
  std::int64_t last_watch_ms_ = 0;  // spike and feed-health checks run once a minute
  // Feeds whose first poll since start (or since the reload that added them) is still to come,
  // and what the finished ones did: logged as one "cycle done" line when the set empties.
  std::set<std::int64_t> cycle_pending_;
  CycleSummary cycle_;
  std::vector<PendingWrite> batch_;   // finished polls waiting for their commit
  std::int64_t batch_opened_ms_ = 0;  // when the first of them joined (steady clock)
  // A database several daemons share (store::Store::Shared): feeds are leased, not queued.
  bool shared_ = false;
  std::int64_t next_claim_ms_ = 0;  // steady clock
  // Claims failed in a row (a lock on feeds, the server away), and since when (steady clock):
  // logged when the first fails and when one works again, not at every attempt.
  int claims_failed_ = 0;
  std::int64_t claims_failing_since_ms_ = 0;
  std::int64_t next_renew_ms_ = 0;
  bool maintainer_ = false;
  bool published_config_ = false;  // this daemon's row is in daemon_configs
  std::int64_t next_maintainer_check_ms_ = 0;
  std::vector<std::int64_t> unstored_;              // ReleaseUnstored
  std::set<std::string> known_hosts_;               // hosts added to the shared database
  std::int64_t hosts_added_ms_ = 0;                 // when known_hosts_ was started (steady)
  std::map<std::string, UnixSeconds> host_paused_;  // pauses already acted on, by host
};

}  // namespace veille::pipeline
