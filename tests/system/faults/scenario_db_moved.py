"""The database file deleted or replaced under a running daemon (RELIABILITY.md E6).

veilled asks SQLite every 2 s whether the file it has open is still the one at its path
(SQLITE_FCNTL_HAS_MOVED: a stat(), never an open()). When it is not, every later write would go
to a file nobody reads: veilled logs one critical line and exits 1, and systemd (Restart=
on-failure) starts it again on the file now at that path. Two cases, each on a daemon that has
committed at least once and was left alone for one check period first (no false alarm):
  deleted   unlink(veille.db): the restarted daemon starts over on a new, empty database
  replaced  a copy made with SQLite's backup API renamed over veille.db (a careless restore):
            the restarted daemon keeps going on the copy
About 14 s."""

import os
import sqlite3
import time

import common
import daemon
import feedgen
import invariants

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("E6",)

PERIOD_S = 2.0  # veilled_main.cc kDatabaseCheckPeriod


def _replace(db_path):
    copy = db_path + ".restored"
    src = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    os.replace(copy, db_path)


def run(ctx, card):
    srv = ctx.server
    for case in ("deleted", "replaced"):
        seed = "moved-" + case
        feeds = [(seed, srv.url("/feed/%s?k=4&cap=400" % seed), "")]
        with daemon.Workdir("dbmoved-" + case) as work:
            work.write_config(common.config([srv.port], feeds))
            with daemon.Daemon(ctx.veilled, work) as d:
                ingested = d.wait_log("outcome=ok", 20)
                time.sleep(PERIOD_S + 0.5)  # one check on the untouched file
                quiet = d.alive() and "critical" not in d.text()
                if case == "deleted":
                    os.unlink(work.db)
                else:
                    _replace(work.db)
                t0 = time.monotonic()
                rc = d.wait(PERIOD_S * 3 + 5)
                took = time.monotonic() - t0
                log = d.text()
            criticals = [l for l in log.splitlines() if "critical" in l]
            said = [l for l in criticals if "was %s" % ("deleted" if case == "deleted" else
                                                        "replaced by another file") in l]
            card.check(ingested and quiet, "db_moved %s: the daemon commits and a check on the "
                       "untouched file says nothing" % case)
            card.check(rc == 1 and took <= PERIOD_S * 2 + 1,
                       "db_moved %s: veilled exits 1 within %.1f s of the change (rc=%s, "
                       "bound %.0f s)" % (case, took, rc, PERIOD_S * 2 + 1))
            card.check(len(criticals) == 1 and len(said) == 1,
                       "db_moved %s: one critical line that says what happened (%s)"
                       % (case, criticals[-1].split("]")[-1].strip() if criticals else "none"))
            card.check(invariants.sanitizer_reports(log) == 0,
                       "db_moved %s: no sanitizer report" % case)
            # What systemd does next: start it again. It runs on the file now at the path.
            with daemon.Daemon(ctx.veilled, work) as d2:
                again = d2.wait_log("outcome=ok", 20)
                time.sleep(PERIOD_S + 0.5)
                alive = d2.alive()
                rc2 = d2.stop(30)
            problems = invariants.core(work.db, common.RULE_CHANNELS)
            db = invariants.connect(work.db)
            stored = invariants.stored_mentions(db)
            db.close()
            # The feed grows by 4 items a poll: whatever was committed is a prefix of it.
            served = srv.feed_count("/feed/%s" % seed)
            expected = feedgen.expected_mentions(seed, served)
            card.check(again and alive and rc2 == 0 and not problems and stored <= expected,
                       "db_moved %s: restarted on the file now at the path, it polls, stays up "
                       "and stops with 0 (rc=%s) %s" % (case, rc2, problems or ""))
            ctx.tally(survived=rc == 1 and alive and rc2 == 0, kind="db_moved")
