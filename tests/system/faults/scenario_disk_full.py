"""Storage faults (RELIABILITY.md 3.5, fault E3): the daemon ingests while its writes fail.

Syscall level, under strace (`-e inject=`), stepping the failure point like SQLite's own I/O-error
tests, each point once transient and once persistent:
  - pwrite64 -> ENOSPC (a full disk: SQLITE_FULL),
  - fdatasync -> EIO (a failing sync).
When veilled reads VEILLE_TEST_MAX_PAGE_COUNT (the portable hook of RELIABILITY.md 3.5 a), a
run with the page count capped just above the current size is added.

After every injection: the daemon is still up and stops with exit 0, integrity_check is ok and
invariants 1-3 hold. Then a clean run to quiescence must have lost nothing.

Scorecard line 10."""

import os
import shutil
import signal
import time

import common
import daemon
import feedgen
import invariants

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("E3",)

FEEDS = [("df%d" % i, 3, 90) for i in range(3)]
RUN_S = 4.0


def _hook_available(veilled):
    with open(veilled, "rb") as f:
        return b"VEILLE_TEST_MAX_PAGE_COUNT" in f.read()


def run(ctx, card):
    srv = ctx.server
    feeds = [(seed, srv.url("/feed/%s?k=%d&cap=%d" % (seed, k, cap)), "")
             for seed, k, cap in FEEDS]
    expected = set()
    for seed, k, cap in FEEDS:
        expected |= feedgen.expected_mentions(seed, cap)
    strace = shutil.which("strace")
    plans = []
    if strace:
        for point in (ctx.rng.randint(3, 40), ctx.rng.randint(40, 160)):
            for persistent in (False, True):
                when = "%d%s" % (point, "+" if persistent else "")
                plans.append(("pwrite64 ENOSPC at %s" % when,
                              ["inject=pwrite64:error=ENOSPC:when=" + when], {}))
                plans.append(("fdatasync EIO at %s" % when,
                              ["inject=fdatasync:error=EIO:when=" + when], {}))
    hook = _hook_available(ctx.veilled)
    card.check(strace or hook, "disk_full: a way to inject storage faults (strace %s, "
               "VEILLE_TEST_MAX_PAGE_COUNT hook %s)" % (bool(strace), hook))
    injections = survived = clean = startup_exits = 0
    storage_logged = 0
    with daemon.Workdir("diskfull") as work:
        work.write_config(common.config([srv.port], feeds))
        # A first clean poll creates the database, so the faults land in ingestion.
        with daemon.Daemon(ctx.veilled, work) as d:
            d.wait_log("outcome=ok", 20)
            d.stop(30)
        if hook:
            pages = invariants.count(work.db, "PRAGMA page_count")
            plans.append(("max_page_count %d" % (pages + 2), None,
                          {"VEILLE_TEST_MAX_PAGE_COUNT": str(pages + 2)}))
        for what, inject, env in plans:
            wrapper = ()
            if inject:
                wrapper = (strace, "-f", "-qq", "-o", "/dev/null", "-e",
                           "trace=" + inject[0].split("=")[1].split(":")[0], "-e", inject[0])
            d = daemon.Daemon(ctx.veilled, work, extra_env=env, wrapper=wrapper)
            injections += 1
            time.sleep(RUN_S)
            # ...and until it polled twice or ended: the faults land in ingestion, which a slow
            # start (ASan on a loaded machine) could leave for after RUN_S ('surfaced as
            # outcome=storage' counts them).
            daemon.wait_until(lambda: not d.alive() or d.text().count(" outcome=") >= 2, 20, 0.1)
            target = d.target_pid() if d.alive() else None
            alive = d.alive() and target is not None
            if target:
                try:
                    os.kill(target, signal.SIGTERM)
                except ProcessLookupError:
                    alive = False
            rc = d.wait(30)
            if rc is None:
                d.__exit__(None, None, None)
            text = d.text()
            storage_logged += text.count("outcome=storage")
            problems = invariants.core(work.db, common.RULE_CHANNELS)
            # A storage error while the daemon starts (opening, migrating, syncing the feed
            # list) ends it with exit 1 and a critical line; systemd restarts it (restart by
            # design, RELIABILITY.md 3.7 line 1). Anywhere else it must stay up.
            startup_exit = (not alive and rc == 1 and " critical " in text and
                            "outcome=" not in text)
            startup_exits += 1 if startup_exit else 0
            ok = ((alive and rc == 0) or startup_exit) and not problems
            survived += 1 if (alive and rc == 0) or startup_exit else 0
            clean += 0 if problems else 1
            card.check(ok, "disk_full: %s: %s, exit %s, integrity and invariants %s"
                       % (what, "failed at startup (restart by design)" if startup_exit else
                          "daemon up", rc, problems or "ok"))
        card.check(storage_logged > 0, "disk_full: the injected faults surfaced as "
                   "outcome=storage (%d polls)" % storage_logged)
        # Space is back: a clean run catches up with nothing lost.
        with daemon.Daemon(ctx.veilled, work) as d:
            def quiet():
                return all(any(r["status"] == 304 for r in srv.rec.for_route("/feed/%s" % s)
                               if r["t"] > d_started)
                           for s, k, c in FEEDS) and invariants.count(
                    work.db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 0
            d_started = time.time()
            reached = daemon.wait_until(quiet, 90, 0.25)
            rc = d.stop(30)
        card.check(reached and rc == 0, "disk_full: after the faults a clean run reaches "
                   "quiescence (rc=%s)" % rc)
        ctx.tally(survived=survived == injections and reached, kind="disk_full")
        db = invariants.connect(work.db)
        bal = invariants.mention_balance(db, expected)
        problems = invariants.integrity(db) + invariants.quiescent_outbox(db)
        db.close()
        card.check(not problems and bal["lost"] == 0 and bal["extra"] == 0 and
                   bal["duplicated"] == 0,
                   "disk_full: after recovery mentions expected %(expected)d stored %(stored)d "
                   "lost %(lost)d duplicated %(duplicated)d" % bal)
        ctx.add_mentions(bal)
        card.figure("10", "storage faults: injections %d (ENOSPC/EIO via strace%s), survived "
                          "%d/%d (up, then exit 0 on SIGTERM; or exit 1 at startup, restarted by "
                          "design: %d), corruption %d, lost after recovery %d"
                    % (injections, ", max_page_count hook" if hook else "; max_page_count hook "
                       "not in this veilled", survived, injections, startup_exits,
                       injections - clean, bal["lost"]))
