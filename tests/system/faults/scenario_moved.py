"""A permanent redirect (RELIABILITY.md A15): the feed's URL answers 301 to another one, at every
poll. veilled follows it from the first poll, adopts the new URL after 3 identical permanent
redirects (and only then: one "moved permanently" line, the old URL kept as previous_url, the
configured URL untouched), then polls the new URL directly; restarted, it keeps polling the new
URL and adopts nothing again. About 10 s."""

import time

import common
import daemon
import invariants
import server

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("A15",)

STREAK = 3  # identical permanent redirects before the URL is adopted (docs/polling.md)


def _row(db_path):
    db = invariants.connect(db_path)
    try:
        return db.execute("SELECT url, fetch_url, previous_url FROM feeds WHERE name = 'perm'"
                          ).fetchone()
    finally:
        db.close()


def run(ctx, card):
    srv = server.FaultServer()  # its own counters: steady polls the same routes
    try:
        _run(ctx, card, srv)
    finally:
        srv.close()


def _run(ctx, card, srv):
    with daemon.Workdir("moved") as work:
        work.write_config(common.config([srv.port], [("perm", srv.url("/redirect/perm"), "")]))
        with daemon.Daemon(ctx.veilled, work) as d:
            adopted = d.wait_log("moved permanently", 20)
            t_adopted = time.time()
            time.sleep(2.5)  # a poll of the old URL after the adoption would come by now
            # The new URL polled directly (a CPU-starved daemon may take longer than the above).
            daemon.wait_until(lambda: any(r["t"] > t_adopted
                                          for r in srv.rec.for_route("/feed/perm-target")), 20)
            rc = d.stop(30)
            log = d.text()
        lines = [l for l in log.splitlines() if "moved permanently" in l]
        hops = sorted(r["t"] for r in srv.rec.for_route("/redirect/perm"))
        direct = [r for r in srv.rec.for_route("/feed/perm-target") if r["t"] > t_adopted]
        url, fetch_url, previous = _row(work.db) or (None, None, None)
        card.check(adopted and rc == 0 and len(lines) == 1 and len(hops) == STREAK,
                   "moved: the URL is adopted once, after %d identical 301s (%d requests to the "
                   "old URL, %d lines), clean stop (rc=%s)" % (STREAK, len(hops), len(lines), rc))
        card.check(url and url.endswith("/redirect/perm") and fetch_url and
                   fetch_url.endswith("/feed/perm-target?k=2&cap=2") and previous and
                   previous.endswith("/redirect/perm") and len(direct) >= 1,
                   "moved: the new URL is polled directly (%d polls), the old one kept as "
                   "previous_url, the configured one untouched (%s, %s, %s)"
                   % (len(direct), url, fetch_url, previous))
        t_restart = time.time()
        with daemon.Daemon(ctx.veilled, work) as d2:
            polled = d2.wait_log("poll perm outcome=", 15)
            time.sleep(1.5)
            rc2 = d2.stop(30)
            log2 = d2.text()
        again = [r for r in srv.rec.for_route("/redirect/perm") if r["t"] >= t_restart]
        direct2 = [r for r in srv.rec.for_route("/feed/perm-target") if r["t"] >= t_restart]
        card.check(polled and rc2 == 0 and not again and direct2 and
                   "moved permanently" not in log2 and _row(work.db)[1] == fetch_url,
                   "moved: after a restart the new URL is still the one polled (%d polls, %d to the "
                   "old URL), nothing adopted again; rc=%s" % (len(direct2), len(again), rc2))
        problems = invariants.core(work.db, common.RULE_CHANNELS)
        card.check(not problems, "moved: invariants 1-3 %s" % (problems or ""))
        ctx.tally(survived=rc == 0 and rc2 == 0, kind="moved")
