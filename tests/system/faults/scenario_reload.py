"""Config reload (RELIABILITY.md 3.5, faults E7 and E8): SIGHUP with a syntax error, an unknown
key, a bad query, a half-written file, an unreadable file, then a valid file that drops one feed
and adds another. Polling never stops, only the valid file applies, and the unit's ExecReload
check (`veille check-config`) exits non-zero on every broken file.

Scorecard line 12."""

import os
import time

import common
import daemon

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("E7", "E8")

WAIT_S = 20  # the bound of each wait for what a check counts (ASan on a loaded machine)


def _polls_since(srv, prefix, t):
    return sum(1 for r in srv.rec.for_route(prefix) if r["t"] >= t)


def run(ctx, card):
    srv = ctx.server
    a = ("keep", srv.url("/feed/rl-keep?k=1&cap=100000"), "")
    b = ("dropped", srv.url("/feed/rl-dropped?k=1&cap=100000"), "")
    c = ("added", srv.url("/feed/rl-added?k=1&cap=100000"), "")
    valid_old = common.config([srv.port], [a, b])
    valid_new = common.config([srv.port], [a, c])
    broken = {
        "syntax error": valid_new.replace('[polling]', '[polling\n', 1),
        "unknown key": valid_new.replace('[polling]', '[polling]\nintervall = "1s"', 1),
        "bad query": valid_new.replace("query = '''zorblax'''", "query = '''zorblax AND ('''"),
        "half-written": valid_new[:len(valid_new) * 2 // 3],
        "dangling channel": valid_new.replace('channels = ["journal"]', 'channels = ["jurnal"]',
                                              1),
    }
    kept = rejected_exit = 0
    with daemon.Workdir("reload") as work:
        work.write_config(valid_old)
        with daemon.Daemon(ctx.veilled, work) as d:
            card.check(d.wait_log("outcome=ok", 20), "reload: the daemon polls")
            for what, text in list(broken.items()) + [("unreadable", None)]:
                if text is None:
                    work.write_config(valid_new)
                    os.chmod(work.config, 0)
                    if os.access(work.config, os.R_OK):  # running as root: cannot test this
                        os.chmod(work.config, 0o644)
                        continue
                else:
                    work.write_config(text)
                check = daemon.run([ctx.veille, "check-config", work.config], timeout=20)
                rejected_exit += 1 if check.returncode != 0 else 0
                n_rejected = d.text().count("reload rejected")
                t = time.time()
                d.signal(1)
                got = daemon.wait_until(lambda: d.text().count("reload rejected") > n_rejected,
                                        WAIT_S)
                time.sleep(max(0.0, t + 2.2 - time.time()))  # an added feed would be polled by now
                # Both feeds of the old config polled since the SIGHUP (a CPU-starved daemon may
                # take longer than the window above).
                daemon.wait_until(lambda: _polls_since(srv, "/feed/rl-keep", t) >= 1 and
                                  _polls_since(srv, "/feed/rl-dropped", t) >= 1, WAIT_S, 0.1)
                polling = (_polls_since(srv, "/feed/rl-keep", t) >= 1 and
                           _polls_since(srv, "/feed/rl-dropped", t) >= 1 and
                           _polls_since(srv, "/feed/rl-added", 0) == 0)
                ok = got and polling and d.alive()
                kept += 1 if ok else 0
                card.check(ok, "reload: %s is rejected, the old config keeps polling (check-config "
                               "exit %d)" % (what, check.returncode))
                if text is None:
                    os.chmod(work.config, 0o644)
            n_broken = len(broken) + (1 if os.geteuid() != 0 else 0)
            card.check(rejected_exit == n_broken,
                       "reload: ExecReload's check-config exits non-zero on %d/%d broken files"
                       % (rejected_exit, n_broken))
            work.write_config(valid_new)
            check = daemon.run([ctx.veille, "check-config", work.config], timeout=20)
            card.check(check.returncode == 0, "reload: check-config accepts the valid file")
            d.signal(1)
            applied = d.wait_log("reload: configuration applied", WAIT_S)
            t = time.time()
            time.sleep(3)  # the removed feed, were it still polled, would show by now
            # The added feed polled, and the kept one twice since the reload: the daemon turned
            # often enough for the removed one to show, had it still been polled.
            daemon.wait_until(lambda: _polls_since(srv, "/feed/rl-added", 0) >= 1 and
                              _polls_since(srv, "/feed/rl-keep", t + 0.5) >= 2, WAIT_S, 0.1)
            card.check(applied and _polls_since(srv, "/feed/rl-added", 0) >= 1,
                       "reload: the valid file applies and the new feed is polled")
            card.check(_polls_since(srv, "/feed/rl-dropped", t + 0.5) == 0,
                       "reload: the removed feed is no longer polled")
            card.check(_polls_since(srv, "/feed/rl-keep", t) >= 1, "reload: the kept feed is "
                       "still polled")
            alive = d.alive()
            rc = d.stop(30)
        card.check(alive and rc == 0, "reload: the daemon survives every reload (rc=%s)" % rc)
        ctx.tally(survived=alive and rc == 0, kind="reload")
        problems = invariants_core(work)
        card.check(not problems, "reload: invariants 1-3 %s" % (problems or ""))
        card.figure("12", "config reload: broken reloads %d; old config kept %d/%d; reload exit "
                          "code non-zero %d/%d" % (n_broken, kept, n_broken, rejected_exit,
                                                   n_broken))


def invariants_core(work):
    import invariants
    return invariants.core(work.db, common.RULE_CHANNELS)
