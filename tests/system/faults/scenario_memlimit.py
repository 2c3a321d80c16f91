"""A memory limit (RELIABILITY.md E13). veilled.service sets MemoryMax=256M; the harness cannot
make a cgroup, so it starts veilled under `prlimit --data=256MiB` (RLIMIT_DATA: every private
writable mapping, heap and mmap'd buffers alike, counts; stricter than MemoryMax, which counts
only the pages in use) and polls every heavy route at once (gzip and deflate bombs, 100 MiB,
endless, 10,000 items, a 1 MiB title) with the default 16 MiB body cap, next to a healthy feed.
The caps must keep it under the limit: no allocation failure, every heavy feed failed cleanly
(too_large) or parsed, the healthy feed polled throughout, exit 0 on SIGTERM, and the database
passes invariants 1-3 (what E1 asks of a killed daemon). About 10 s. (Seen failing: under 40 MiB
veilled dies of std::bad_alloc; the alive and classification checks fail.)

Sanitizer builds reserve terabytes of shadow memory and cannot start under RLIMIT_DATA: there the
scenario says so and declares no row."""

import os
import re
import time

import common
import daemon
import invariants
import server

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check; emptied
# below when the build cannot run under the limit).
ROWS = ("E13",)

RUN_S = 8.0
HEAVY = {"bomb-gzip": ("/bomb/gzip", "too_large"), "bomb-deflate": ("/bomb/deflate", "too_large"),
         "big": ("/big/100", "too_large"), "endless": ("/endless", "too_large"),
         "xml-10k": ("/xml/10k", "ok"), "xml-huge-title": ("/xml/huge-title", "ok")}
UNIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "systemd",
                    "veilled.service")


def _memory_max():
    """MemoryMax= of the shipped unit in bytes (256 MiB if it cannot be read)."""
    try:
        with open(UNIT, encoding="utf-8") as f:
            m = re.search(r"^MemoryMax=(\d+)([KMG]?)", f.read(), re.M)
        if m:
            return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2)]
    except OSError:
        pass
    return 256 << 20


def run(ctx, card):
    global ROWS
    limit = _memory_max()
    wrapper = ["prlimit", "--data=%d" % limit, "--"]
    probe = daemon.run(wrapper + [ctx.veilled, "--version"], timeout=30)
    if probe.returncode != 0:
        print("memlimit: veilled does not start under RLIMIT_DATA (a sanitizer build); "
              "E13 not checked in this run")
        ROWS = ()
        return
    srv = server.FaultServer(stall_limit=30)
    try:
        _run(ctx, card, srv, limit, wrapper)
    finally:
        srv.close()


def _run(ctx, card, srv, limit, wrapper):
    feeds = [("mhb", srv.url("/feed/mhb?k=1&cap=100000"), "")] + \
        [(name, srv.url(path), "") for name, (path, _) in HEAVY.items()]
    with daemon.Workdir("memlimit") as work:
        work.write_config(common.config([srv.port], feeds, polling='max_body = "16MiB"\n'))
        with daemon.Daemon(ctx.veilled, work, wrapper=wrapper) as d:
            started = d.wait_log("started", 20)
            try:
                with open("/proc/%d/limits" % d.pid) as f:
                    in_force = [l for l in f if l.startswith("Max data size")]
            except OSError:
                in_force = []
            peak_data = 0
            alive = True
            t0 = time.time()
            while time.time() < t0 + RUN_S:
                if not d.alive():
                    alive = False
                    break
                try:
                    with open("/proc/%d/status" % d.pid) as f:
                        st = dict(l.split(":", 1) for l in f if ":" in l)
                    peak_data = max(peak_data, int(st["VmData"].split()[0]))
                except (OSError, KeyError, ValueError):
                    pass
                time.sleep(0.05)
            rc = d.stop(30)
            log = d.text()
        enforced = bool(in_force) and in_force[0].split()[3] == str(limit)
        card.check(started and enforced, "memlimit: veilled runs under RLIMIT_DATA = %d MiB, the "
                   "unit's MemoryMax (%s)" % (limit >> 20, in_force[0].strip() if in_force
                                               else "no limits line"))
        oom = [l for l in log.splitlines() if re.search(
            r"bad_alloc|out of memory|Cannot allocate|terminate called", l)]
        card.check(alive and rc == 0 and not oom,
                   "memlimit: every heavy route at once and it stays under the limit: alive, exit "
                   "0 (rc=%s), no allocation failure %s; peak VmData %.0f MiB of %d"
                   % (rc, oom[:1], peak_data / 1024.0, limit >> 20))
        card.check(invariants.sanitizer_reports(log) == 0, "memlimit: no sanitizer report")
        ctx.tally(survived=alive and rc == 0 and not oom, kind="memlimit")
        db = invariants.connect(work.db)
        outcome = dict(db.execute("SELECT name, last_outcome FROM feeds"))
        db.close()
        wrong = {n: outcome.get(n) for n, (_, want) in HEAVY.items()
                 if outcome.get(n) not in (want, "not_modified" if want == "ok" else want)}
        card.check(not wrong, "memlimit: each heavy feed failed cleanly (too_large) or parsed "
                   "(%s)" % (wrong or "all as expected"))
        hb = [r["t"] for r in srv.rec.for_route("/feed/mhb") if r["t"] >= t0]
        late = [t for t in hb if t >= t0 + RUN_S - 3]
        card.check(len(hb) >= RUN_S / 3 and late, "memlimit: the healthy feed is polled "
                   "throughout (%d polls in %.0f s, %d in the last 3 s)"
                   % (len(hb), RUN_S, len(late)))
        # E1's behaviour if it had died: the database is intact for the next start.
        problems = invariants.core(work.db, common.RULE_CHANNELS)
        card.check(not problems, "memlimit: invariants 1-3 %s" % (problems or ""))
        card.figure("3a", "memory limit: RLIMIT_DATA %d MiB, peak VmData %.0f MiB with every "
                          "heavy route at once, %s" % (limit >> 20, peak_data / 1024.0,
                                                       "survived" if alive and rc == 0 else
                                                       "DIED"))
