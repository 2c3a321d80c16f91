"""Ambiguous webhook deliveries (RELIABILITY.md D10, D11), with the Standard Webhooks sink of
tests/alert. Two endpoints in one daemon run, each ambiguous once:
  hang   the first request is read whole, then the answer comes 8 s later, after the daemon's 5 s
         timeout (D10: the receiver may have processed it)
  reset  the first request is read whole, then the connection is closed before the status line
         (D11)
Every later request gets a 200. The end-to-end rule: every alert arrives, and the only duplicate
webhook-id at the sink is the one whose first attempt timed out or was reset, sent again (same id,
fresh timestamp, valid signature) after the timeout, on the retry schedule. About 10 s.

Scorecard lines 5, 5a, 5b, 9a (alerts and signatures, added to the delivery scenario's)."""

import os
import time

import common
import daemon
import feedgen
import invariants
import scenario_delivery as delivery

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("D10", "D11")

HANG_S = 8.0  # the sink's late answer; the channel's timeout is 5 s (scenario_delivery._channels)
TIMEOUT_S = 5.0
RETRY_S = 5.0  # the first step of the retry schedule (+-20 %)


def run(ctx, card):
    if not os.path.exists(os.path.join(delivery.ALERT_TESTS, "webhook_sink.py")):
        card.check(False, "hook_ambiguous: tests/alert sinks exist")
        return
    srv = ctx.server
    with daemon.Workdir("hookamb") as work:
        sinks = {
            "hang": delivery.Sink("webhook_sink.py", os.path.join(work.path, "hang.jsonl"),
                                  "--secret", delivery.SECRET, "--mode", "hang-once:%g" % HANG_S),
            "reset": delivery.Sink("webhook_sink.py", os.path.join(work.path, "reset.jsonl"),
                                   "--secret", delivery.SECRET, "--mode", "reset-once"),
        }
        try:
            _run(ctx, card, srv, work, sinks)
        finally:
            for s in sinks.values():
                s.close()


def _run(ctx, card, srv, work, sinks):
    with open(os.path.join(work.path, "hook.secret"), "w") as f:
        f.write(delivery.SECRET + "\n")
    mentions = feedgen.expected_mentions("ha", 6)
    rows = len(mentions)
    n = len(feedgen.expected_messages(mentions))
    names = list(sinks)
    work.write_config(common.config(
        [srv.port] + [s.port for s in sinks.values()], [("ha", srv.url("/feed/ha?k=6&cap=6"), "")],
        channels=delivery._channels(0, [(k, s.port) for k, s in sinks.items()]),
        rules=delivery._rules(names)))
    with daemon.Daemon(ctx.veilled, work) as d:
        def done():
            try:
                return invariants.count(work.db, "SELECT COUNT(*) FROM outbox WHERE status = "
                                                 "'delivered'") >= rows * len(sinks)
            except Exception:  # noqa: BLE001 - the database may not exist yet
                return False
        reached = daemon.wait_until(done, 45, 0.25)
        time.sleep(1.5)  # a stray third copy would come now, not later than a retry step
        alive = d.alive()
        rc = d.stop(30)
        log = d.text()
    card.check(reached and alive and rc == 0,
               "hook_ambiguous: every alert delivered to both endpoints, the daemon stays up and "
               "stops with exit 0 (rc=%s)" % rc)
    card.check(invariants.sanitizer_reports(log) == 0, "hook_ambiguous: no sanitizer report")
    ctx.tally(survived=alive and rc == 0, kind="hook_ambiguous")
    db = invariants.connect(work.db)
    status = {(ch, st): c for ch, st, c in db.execute(
        "SELECT channel, status, COUNT(*) FROM outbox GROUP BY 1, 2")}
    problems = invariants.integrity(db) + invariants.uniqueness(db) + \
        invariants.outbox_rows(db, {r: names for r in feedgen.KEYWORDS.values()}) + \
        invariants.quiescent_outbox(db)
    db.close()
    card.check(not problems, "hook_ambiguous: invariants 1-4 %s" % (problems or ""))
    bad_sigs = 0
    for name, sink in sinks.items():
        recs = sorted(sink.records(), key=lambda r: r["time"])
        ambiguous = [r for r in recs if r.get("ambiguous")]
        ids = [r["id"] for r in recs]
        unique = set(ids)
        dups = {i for i in unique if ids.count(i) > 1}
        amb_ids = {r["id"] for r in ambiguous}
        copies = [r for r in recs if ambiguous and r["id"] == ambiguous[0]["id"]]
        delay = copies[1]["time"] - copies[0]["time"] if len(copies) > 1 else None
        card.check(len(unique) == n and status.get((name, "delivered"), 0) == rows,
                   "hook_ambiguous %s: alerts expected %d, unique webhook-ids %d, delivered rows "
                   "%d of %d" % (name, n, len(unique), status.get((name, "delivered"), 0), rows))
        card.check(len(ambiguous) == 1 and dups == amb_ids and len(copies) == 2,
                   "hook_ambiguous %s: the only duplicate is the id whose first attempt was "
                   "ambiguous, sent exactly twice (%d requests, %d ambiguous, duplicated ids %d, "
                   "copies of the ambiguous one %d)"
                   % (name, len(recs), len(ambiguous), len(dups), len(copies)))
        # The first step of the schedule (5 s +-20 %; due times are whole seconds, +1 s) counts
        # from the attempt's start; a hung attempt is never doubled while it is still open: its
        # retry comes after the timeout, at most one schedule step after that.
        low = TIMEOUT_S if name == "hang" else RETRY_S * 0.8 - 1.0
        high = (TIMEOUT_S if name == "hang" else 0.0) + RETRY_S * 1.2 + 2.0
        card.check(delay is not None and low <= delay <= high and
                   copies[1]["timestamp"] != copies[0]["timestamp"] and
                   copies[1]["signature_valid"],
                   "hook_ambiguous %s: the same webhook-id again %s s after the first attempt "
                   "(expected %.0f-%.0f s), with a fresh timestamp and a valid signature"
                   % (name, "%.1f" % delay if delay is not None else "never", low, high))
        bad_sigs += sum(1 for r in recs if not r["signature_valid"])
        ctx.add_alerts("hook-" + name, n, len(unique), len(ids) - len(unique),
                       len(dups - amb_ids))
    card.check(bad_sigs == 0, "hook_ambiguous: every signature verifies")
    ctx.bad_signatures = getattr(ctx, "bad_signatures", 0) + bad_sigs
