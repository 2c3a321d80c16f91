"""Clock jumps (RELIABILITY.md 3.5, faults E9 and E10) with faketime: the daemon ingests with the
real clock, then restarts with the wall clock one day ahead, then one year behind (monotonic time
left alone: --exclude-monotonic). Polling must resume within the maximum interval + 10 % (stored
due times a year ahead are clamped), no alert may be sent twice, and nothing is lost.

Scorecard line 13."""

import os
import time

import common
import daemon
import feedgen
import invariants

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
# Not declared: E9: a restart under faketime, not a jump while running.
ROWS = ("E10",)

FEEDS = [("ck%d" % i, 5, 25) for i in range(3)]
MAX_INTERVAL_S = 20  # common.config's max_interval


def run(ctx, card):
    # libfaketime preloaded straight into veilled (not through the faketime wrapper, which would
    # stand between our signals and the daemon).
    lib = next((p for p in ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                            "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
                            "/usr/lib/faketime/libfaketime.so.1") if os.path.exists(p)), None)
    if not card.check(lib is not None, "clock: libfaketime is installed (Debian faketime)"):
        return
    srv = ctx.server
    feeds = [(seed, srv.url("/feed/%s?k=%d&cap=%d" % (seed, k, cap)), "")
             for seed, k, cap in FEEDS]
    expected = set()
    for seed, k, cap in FEEDS:
        expected |= feedgen.expected_mentions(seed, cap)
    # libfaketime is preloaded: an ASan runtime must not insist on coming first.
    env = {"ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
           .lstrip(":")}
    worst_idle = 0.0
    with daemon.Workdir("clock") as work:
        work.write_config(common.config([srv.port], feeds))
        with daemon.Daemon(ctx.veilled, work) as d:
            daemon.wait_until(lambda: all(
                any(r["status"] == 304 for r in srv.rec.for_route("/feed/%s" % s))
                for s, k, c in FEEDS), 40, 0.25)
            rc = d.stop(30)
        card.check(rc == 0, "clock: the first run ingests every feed with the real clock")
        for offset in ("+1d", "-365d"):
            t0 = time.time()
            fake = dict(env, LD_PRELOAD=lib, FAKETIME=offset, FAKETIME_DONT_FAKE_MONOTONIC="1",
                        FAKETIME_NO_CACHE="1")
            with daemon.Daemon(ctx.veilled, work, extra_env=fake) as d:
                def all_polled():
                    return all(any(r["t"] >= t0 for r in srv.rec.for_route("/feed/%s" % s))
                               for s, k, c in FEEDS)
                polled = daemon.wait_until(all_polled, MAX_INTERVAL_S * 1.1 + 3, 0.2)
                idle = time.time() - t0
                time.sleep(2)
                alive = d.alive()
                rc = d.stop(30)
            worst_idle = max(worst_idle, idle)
            card.check(polled and alive and rc == 0,
                       "clock: with the wall clock at %s every feed is polled again within %.1f s "
                       "(max interval %d s + 10 %%), clean stop (rc=%s)"
                       % (offset, idle, MAX_INTERVAL_S, rc))
        ctx.tally(survived=worst_idle <= MAX_INTERVAL_S * 1.1 + 3, kind="clock")
        sent = [message for message, _ in invariants.log_alerts(work.all_logs())]
        dups = len(sent) - len(set(sent))
        messages = len(feedgen.expected_messages(expected))
        card.check(dups == 0 and len(set(sent)) == messages,
                   "clock: alerts %d unique of %d expected, duplicates %d"
                   % (len(set(sent)), messages, dups))
        db = invariants.connect(work.db)
        bal = invariants.mention_balance(db, expected)
        problems = invariants.integrity(db) + invariants.uniqueness(db)
        db.close()
        card.check(not problems and bal["lost"] == 0 and bal["duplicated"] == 0 and
                   bal["extra"] == 0, "clock: mentions expected %(expected)d stored %(stored)d "
                   "lost %(lost)d duplicated %(duplicated)d" % bal)
        ctx.add_mentions(bal)
        card.figure("13", "clock jumps (+1 day, -1 year): duplicate alerts %d; maximum idle time "
                          "of any feed %.1f s (max interval %d s x 1.1 = %.0f s)"
                    % (dups, worst_idle, MAX_INTERVAL_S, MAX_INTERVAL_S * 1.1))
