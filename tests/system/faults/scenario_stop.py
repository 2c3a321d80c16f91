"""SIGTERM in the middle of a transfer (RELIABILITY.md E11).

The feed `mid` answers its first poll normally (5 items, ETag "mid-5"); its second answer (10
items) sends half the body and then waits. SIGTERM lands while that transfer is under way (the
server sees the connection open, half a body sent), next to a healthy growing feed. veilled must
abort the transfer, exit 0 well within the unit's TimeoutStopSec (30 s; asserted: 5 s), and leave
nothing half-written: `mid` still has its 5 entries and its old validators. Started again (the
server now answers whole), it fetches `mid` at once with the old ETag and stores all 10. About
8 s."""

import time

import common
import daemon
import feedgen
import invariants

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("E11",)

STOP_BOUND_S = 5.0
MID = "/halfway/mid"


def _state(db_path, name):
    db = invariants.connect(db_path)
    try:
        etag = db.execute("SELECT etag FROM feeds WHERE name = ?", (name,)).fetchone()
        n = db.execute("SELECT COUNT(*) FROM entries e JOIN feeds f ON f.id = e.feed_id "
                       "WHERE f.name = ?", (name,)).fetchone()[0]
        got = set(db.execute("SELECT e.guid, m.rule FROM mentions m JOIN entries e ON "
                             "e.id = m.entry_id JOIN feeds f ON f.id = e.feed_id "
                             "WHERE f.name = ?", (name,)))
        return (etag[0] if etag else None), n, got
    finally:
        db.close()


def run(ctx, card):
    srv = ctx.server
    srv.set_ctl(MID, hold=30)
    feeds = [("mid", srv.url(MID + "?k=5&cap=10&from=10"), ""),
             ("sthb", srv.url("/feed/sthb?k=2&cap=400"), "")]
    with daemon.Workdir("stop") as work:
        work.write_config(common.config([srv.port], feeds))
        with daemon.Daemon(ctx.veilled, work) as d:
            first = d.wait_log("poll mid outcome=ok", 20)

            def under_way():
                return [r for r in srv.rec.for_route(MID)
                        if r.get("end") == "halfway" and "t_end" not in r]
            inflight = daemon.wait_until(under_way, 10, 0.05)
            t_sig = time.monotonic()
            d.signal(15)
            rc = d.wait(30)
            took = time.monotonic() - t_sig
            if rc is None:
                d.stop(1)
            log = d.text()
        card.check(first and bool(inflight), "stop: SIGTERM lands while the second transfer of "
                   "mid is under way (half the body sent)")
        card.check(rc == 0 and took <= STOP_BOUND_S,
                   "stop: exit 0 in %.1f s (rc=%s; asserted <= %.0f s, TimeoutStopSec=30s)"
                   % (took, rc, STOP_BOUND_S))
        card.check("stopping on SIGTERM" in log and "veilled stopped" in log,
                   "stop: the log says it stops on SIGTERM and has stopped")
        # The server notices the close at its next look at the socket (every 0.1 s).
        daemon.wait_until(lambda: all("t_end" in r for r in inflight or []), 3, 0.05)
        ended = [r.get("end") for r in inflight] if inflight else []
        card.check(inflight and all(e == "client-closed" for e in ended),
                   "stop: the transfer is aborted by the daemon, not left to the server (%s)"
                   % ended)
        card.check(invariants.sanitizer_reports(log) == 0, "stop: no sanitizer report")
        problems = invariants.core(work.db, common.RULE_CHANNELS)
        etag, n, got = _state(work.db, "mid")
        card.check(not problems and etag == '"mid-5"' and n == 5 and
                   got == feedgen.expected_mentions("mid", 5),
                   "stop: nothing half-written: integrity and invariants 1-3 %s, mid keeps its 5 "
                   "entries and the ETag of its last whole fetch (%s, %d entries)"
                   % (problems or "ok", etag, n))

        srv.set_ctl(MID, hold=0)
        t_restart = time.time()
        with daemon.Daemon(ctx.veilled, work) as d2:
            again = d2.wait_log("poll mid outcome=ok", 15)
            rc2 = d2.stop(30)
            log2 = d2.text()
        after = sorted((r for r in srv.rec.for_route(MID) if r["t"] >= t_restart),
                       key=lambda r: r["t"])
        sent = after[0]["headers"].get("If-None-Match") if after else None
        delay = after[0]["t"] - t_restart if after else None
        etag, n, got = _state(work.db, "mid")
        card.check(again and rc2 == 0 and sent == '"mid-5"' and delay is not None and delay < 5,
                   "stop: at the next start mid is fetched again at once (%s s) with the old "
                   "validators (If-None-Match %s); rc=%s"
                   % ("%.1f" % delay if delay is not None else "never", sent, rc2))
        card.check(etag == '"mid-10"' and n == 10 and
                   got == feedgen.expected_mentions("mid", 10),
                   "stop: the refetch stores the whole document (%s, %d entries, %d mentions)"
                   % (etag, n, len(got)))
        card.check(invariants.sanitizer_reports(log2) == 0 and
                   not invariants.core(work.db, common.RULE_CHANNELS),
                   "stop: invariants 1-3 after the restart")
        ctx.tally(survived=rc == 0 and rc2 == 0, kind="stop")
