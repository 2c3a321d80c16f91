"""The memory phase of scenario_bad_inputs (RELIABILITY.md A8, A9, A10, and the bound of C1/B11
documents): the heavy routes polled one transfer at a time (concurrency = 1) with the default
16 MiB body cap, next to a healthy feed. Each route's peak is measured on its own: the route is
added by SIGHUP to a healthy-only config and removed again once its poll is logged, the kernel's
peak RSS (VmHWM) is reset (/proc/PID/clear_refs, 5) before, and read when its poll is logged
(fetch, parse and commit; the healthy feed's polls are tiny). Nothing depends on when commits
happen or how they are batched. Bounds: the body cap + 20 % for the streams and bombs (the row's pass
criterion), 4 x the cap for the documents that are parsed (10,000 items, a 1 MiB title)."""

import os
import re
import time

import common
import daemon

BODY_CAP = 16 * 1024 * 1024
POLLING = 'concurrency = 1\nmax_body = "16MiB"\n'
# route -> (row, bound in bytes over the RSS at the start of its poll)
ROUTES = {
    "endless": ("A8", BODY_CAP * 6 // 5),
    "big": ("A9", BODY_CAP * 6 // 5),
    "bomb-gzip": ("A10", BODY_CAP * 6 // 5),
    "bomb-gzip-nolength": ("A10", BODY_CAP * 6 // 5),
    "bomb-deflate": ("A10", BODY_CAP * 6 // 5),
    "xml-10k": ("C1", BODY_CAP * 4),
    "xml-huge-title": ("B11", BODY_CAP * 4),
}
CAPPED = ("endless", "big", "bomb-gzip", "bomb-gzip-nolength", "bomb-deflate")


def _status(pid):
    with open("/proc/%d/status" % pid) as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def _reset_peak(pid):
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")  # resets VmHWM to the current RSS


def _open(where, route):
    """Requests of `route` its server is still answering (no end recorded yet)."""
    srv, path = where[route]
    return [r for r in srv.rec.for_route(path.split("?")[0]) if "t_end" not in r]


def run(ctx, card, ports, hb, where):
    """Returns (the largest growth in bytes, its route) for scorecard figure 3."""
    with daemon.Workdir("memory") as work:
        work.write_config(common.config(ports, [hb], polling=POLLING))
        # Under ASan, freed memory sits in the quarantine and would count as growth.
        env = {"ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") +
                                ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0")
               .lstrip(":")}
        peaks = {}  # route -> (growth KiB, its poll line)
        with daemon.Daemon(ctx.veilled, work, extra_env=env) as d:
            card.check(d.wait_log("outcome=ok", 20), "memory: the healthy feed is polled first")
            reloads = 0
            for route in ROUTES:
                # One heavy feed at a time (SIGHUP), between two healthy-only configs, so that
                # whatever the daemon batches or overlaps, the window holds this route alone.
                daemon.wait_until(lambda: not any(_open(where, r) for r in ROUTES), 10, 0.05)
                time.sleep(0.3)
                _reset_peak(d.pid)
                start_rss = _status(d.pid)[0]
                work.write_config(common.config(
                    ports, [hb, (route, where[route][0].url(where[route][1]), "")],
                    polling=POLLING))
                d.signal(1)  # SIGHUP
                reloads += 1
                needle = " poll %s outcome=" % route
                if d.wait_log(needle, 15):
                    peaks[route] = (_status(d.pid)[1] - start_rss,
                                    next(l for l in d.text().splitlines() if needle in l))
                work.write_config(common.config(ports, [hb], polling=POLLING))
                d.signal(1)
                reloads += 1
                daemon.wait_until(lambda: d.text().count("reload: configuration applied")
                                  >= reloads, 10, 0.05)
            alive = d.alive()
            rc = d.stop(30)
    card.check(alive and rc == 0, "memory: veilled survives the heavy routes (rc=%s)" % rc)
    card.check(set(peaks) == set(ROUTES), "memory: every heavy route was polled (missing %s)"
               % sorted(set(ROUTES) - set(peaks)))
    for route, (row, bound) in ROUTES.items():
        growth, line = peaks.get(route, (None, ""))
        said = route not in CAPPED or "feed exceeds %d bytes" % BODY_CAP in line
        card.check(growth is not None and growth * 1024 <= bound and said,
                   "memory %s (%s): peak RSS growth %s MiB <= %.1f MiB%s"
                   % (route, row, "%.1f" % (growth / 1024.0) if growth is not None else "?",
                      bound / 1048576.0, ", \"feed exceeds %d bytes\"" % BODY_CAP
                      if route in CAPPED else ""))
    worst = max(peaks.items(), key=lambda kv: kv[1][0], default=("none", (0, "")))
    return max(0, worst[1][0]) * 1024, worst[0]
