"""The memory phase of scenario_bad_inputs (RELIABILITY.md A8, A9, A10, and the bound of C1/B11
documents): the heavy routes polled one transfer at a time (concurrency = 1) with the default
16 MiB body cap, next to a healthy feed. Each route's peak is measured on its own: the kernel's
peak RSS (VmHWM) is reset (/proc/PID/clear_refs, 5) whenever a poll ends, so the peak read when
the next heavy poll ends is that poll's (fetch, parse and commit; the healthy feed's polls in
between are tiny). Bounds: the body cap + 20 % for the streams and bombs (the row's pass
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


def run(ctx, card, ports, hb, where):
    """Returns (the largest growth in bytes, its route) for scorecard figure 3."""
    feeds = [hb] + [(n, where[n][0].url(where[n][1]), "") for n in ROUTES]
    with daemon.Workdir("memory") as work:
        work.write_config(common.config(ports, [hb], polling=POLLING))
        # Under ASan, freed memory sits in the quarantine and would count as growth.
        env = {"ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") +
                                ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0")
               .lstrip(":")}
        with daemon.Daemon(ctx.veilled, work, extra_env=env) as d:
            card.check(d.wait_log("outcome=ok", 20), "memory: the healthy feed is polled first")
            time.sleep(1.0)
            work.write_config(common.config(ports, feeds, polling=POLLING))
            peaks = {}  # route -> (growth KiB, the poll line)
            seen = 0
            _reset_peak(d.pid)
            start_rss = _status(d.pid)[0]
            d.signal(1)  # SIGHUP
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and d.alive() and len(peaks) < len(ROUTES):
                lines = [l for l in d.text().splitlines() if " poll " in l]
                if len(lines) > seen:
                    rss, hwm = _status(d.pid)
                    for line in lines[seen:]:
                        m = re.search(r" poll (\S+) outcome=", line)
                        if m and m.group(1) in ROUTES and m.group(1) not in peaks:
                            peaks[m.group(1)] = (hwm - start_rss, line)
                    seen = len(lines)
                    _reset_peak(d.pid)
                    start_rss = _status(d.pid)[0]
                time.sleep(0.02)
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
