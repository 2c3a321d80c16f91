"""A 10,000-entry feed's first poll (RELIABILITY.md C1), with the default backfill_alerts = false:
the document is fetched, parsed and committed whole (10,000 entries, 1,000 mentions) within 2 s
of veilled's CPU time (user + system, every thread, from its start to the poll's line, so its
start-up, about 20 ms, counts too: the work itself, which a loaded machine does not inflate the
way it inflates wall time; asserted on builds without sanitizers, reported on the others, with
the wall time), and its existing
items alert nobody: no message on the log, email or webhook channel, the rows recorded as not
suppressed, and one log line says so (the "digest" of RELIABILITY.md is that line: one).
The next poll brings one new item: exactly that one alerts (the first poll was the baseline).
About 8 s."""

import os
import re
import subprocess
import time

import common
import daemon
import invariants
import scenario_delivery as delivery

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("C1",)

LIMIT_MS = 2000
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")


def _cpu_ms(pid):
    """User + system CPU time of the process (all its threads) so far, in ms; None once gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * TICK_MS  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return None


def _sanitized(binary):
    """True when `binary` links a sanitizer runtime (the asan preset): timings are not bounded."""
    try:
        out = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "libasan" in out or "libubsan" in out or "libtsan" in out


def run(ctx, card):
    srv = ctx.server
    with daemon.Workdir("volume") as work:
        smtp = delivery.Sink("smtp_sink.py", os.path.join(work.path, "smtp.jsonl"))
        hook = delivery.Sink("webhook_sink.py", os.path.join(work.path, "hook.jsonl"),
                             "--secret", delivery.SECRET)
        try:
            _run(ctx, card, srv, work, smtp, hook)
        finally:
            smtp.close()
            hook.close()


def _run(ctx, card, srv, work, smtp, hook):
    with open(os.path.join(work.path, "hook.secret"), "w") as f:
        f.write(delivery.SECRET + "\n")
    names = ["journal", "mail", "hook"]
    work.write_config(common.config(
        [srv.port, hook.port], [("tenk", srv.url("/text/tenk"), "backfill_alerts = false\n")],
        channels=delivery._channels(smtp.port, [("hook", hook.port)]),
        rules=delivery._rules(names)))
    with daemon.Daemon(ctx.veilled, work) as d:
        # CPU time since exec, sampled when the first poll's line appears: the daemon starts that
        # poll before it logs "started", so no later baseline is safe, and its start-up costs
        # about 20 ms. After the line it waits ~1 s for the next poll, so a sample taken within
        # that second holds the first poll's work and nothing after it.
        first = False
        cpu_first = wall_first = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and d.alive():
            if "poll tenk outcome=ok" in d.text():
                first = True
                cpu_first, wall_first = _cpu_ms(d.pid), time.monotonic()
                break
            time.sleep(0.02)
        second_polled = len(srv.rec.for_route("/text/tenk")) >= 2
        second = daemon.wait_until(lambda: len(re.findall(r"poll tenk outcome=ok new_entries=1 ",
                                                          d.text())) >= 1, 15, 0.1)

        def drained():
            return invariants.count(work.db, "SELECT COUNT(*) FROM outbox WHERE status = "
                                             "'pending'") == 0
        quiet = daemon.wait_until(drained, 15, 0.25)
        time.sleep(1.0)
        rc = d.stop(30)
        log = d.text()
    line = next((l for l in log.splitlines() if "poll tenk outcome=ok" in l), "")
    m = re.search(r"new_entries=(\d+) new_mentions=(\d+) ms=(\d+) alerts_not_sent=(\d+)", line)
    entries, mentions, ms, not_sent = (int(g) for g in m.groups()) if m else (0, 0, 0, 0)
    sanitized = _sanitized(ctx.veilled)
    card.check(first and second and quiet and rc == 0,
               "volume: a 10,000-entry feed polled twice, outbox drained, exit 0 (rc=%s)" % rc)
    card.check(entries == 10000 and mentions == 1000 and not_sent == 1000 * len(names),
               "volume: the first poll commits 10,000 entries and 1,000 mentions, their %d "
               "outbox rows not sent (backfill_alerts = false): %s"
               % (1000 * len(names), line.split(" poll ", 1)[-1][:160]))
    cpu_ms = cpu_first if cpu_first is not None else -1
    wall_ms = (wall_first - d.started) * 1000 if wall_first is not None else -1
    card.check(sanitized or 0 <= cpu_ms <= LIMIT_MS,
               "volume: fetch, parse and commit of the 10,000 entries in %.0f ms of veilled's CPU "
               "time (<= %d ms%s; wall %.0f ms, the poll's ms=%d%s)"
               % (cpu_ms, LIMIT_MS, "; not asserted on a sanitizer build" if sanitized else "",
                  wall_ms, ms, "; the second poll had started: the figure holds some of it"
                  if second_polled else ""))
    alerts = {"log": [m for m, _ in invariants.log_alerts(log)],
              "mail": smtp.records(), "hook": hook.records()}
    card.check(all(len(v) == 1 for v in alerts.values()) and
               all("item 10000" in str(v[0]) for v in alerts.values()),
               "volume: nothing alerted from the baseline, then exactly the new item on each "
               "channel (%s)" % {k: len(v) for k, v in alerts.items()})
    said = [l for l in log.splitlines() if "alerts not sent: first poll" in l]
    db = invariants.connect(work.db)
    rows = dict(db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY 1"))
    db.close()
    card.check(len(said) == 1 and rows.get("suppressed") == 1000 * len(names) and
               rows.get("delivered") == len(names),
               "volume: one line says the baseline was not alerted (%d: %s); outbox %s"
               % (len(said), said[0].split(" info ", 1)[-1] if said else "", rows))
    problems = invariants.core(work.db, {r: names for r in ("kw_zorblax", "kw_quintaro",
                                                            "kw_velmora")})
    card.check(not problems, "volume: invariants 1-3 %s" % (problems or ""))
    ctx.tally(survived=rc == 0, kind="volume")
