"""The wall clock jumps one day forward while veilled runs (RELIABILITY.md E9). libfaketime is
preloaded with its offset read from a file at every call (FAKETIME_TIMESTAMP_FILE,
FAKETIME_NO_CACHE; monotonic time left alone), so the harness moves the daemon's wall clock by
rewriting that file. Three growing feeds (a new item at every poll, 1 s interval) alert through
the log and a webhook, next to four feeds polled every 15 s. The jump comes once the 15 s feeds
have had their first poll. After it: the polls keep their rate, the 15 s feeds are not polled
again before their interval has passed (the day the clock jumped would have made them all "due"
at once: the burst), no feed is left waiting, the daemon says once that the clock jumped, and
the webhook requests sent after the jump carry the new time in webhook-timestamp (Standard
Webhooks: the receiver checks it against its own clock, so a sender must use its current time).
Each phase waits for what its checks count, measured from the jump. About 12 s.
(scenario_clock restarts the daemon under a shifted clock; this is the jump while it runs.)"""

import os
import re
import time

import common
import daemon
import feedgen
import invariants
import scenario_delivery as delivery

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("E9",)

# Every phase waits for what its checks count (a slow start under ASan beside three other lanes,
# a CPU-starved daemon), up to this bound, and measures from the event the checks are relative to.
MAX_WAIT_S = 30.0
BEFORE_S = 2.0  # at least this long before the jump (polls/s before it), from the first poll
AFTER_S = 7.0  # at least this long after it: the window of the no-burst rate
# A 15 s feed is due 14 to 15 s after its poll (up to 10 % early; whole seconds: at least 13 s
# later); polled again sooner after the jump is the burst. The jump comes at most JUMP_WITHIN_S
# after the poll of two of them at least, so that a burst (at the daemon's next loop turn) would
# fall inside the gap.
SLOW_GAP_S = 12.0
JUMP_WITHIN_S = 9.0
STALL_S = 10.0  # a 1 s feed waiting longer across the jump stalled (the bug: the whole day)
DAY = 86400
FEEDS = [("cj%d" % i, 1, 1000) for i in range(3)]
# Feeds polled every 15 s: the jump makes their wall-clock due times a day old; had the schedule
# not moved with the clock they would all be polled again at once (the burst of E9).
SLOW = ["cs%d" % i for i in range(4)]
LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1")


def _set_offset(path, spec):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(spec + "\n")
    os.replace(tmp, path)  # never a half-written spec for the daemon to read


def run(ctx, card):
    lib = next((p for p in LIBS if os.path.exists(p)), None)
    if not card.check(lib is not None, "clock_jump: libfaketime is installed (Debian faketime)"):
        return
    with daemon.Workdir("clockjump") as work:
        hook = delivery.Sink("webhook_sink.py", os.path.join(work.path, "hook.jsonl"),
                             "--secret", delivery.SECRET)
        try:
            _run(ctx, card, lib, work, hook)
        finally:
            hook.close()


def _times(srv, feed):
    return sorted(r["t"] for r in srv.rec.for_route("/feed/" + feed))


def _rate(srv, t0, t1):
    n = sum(1 for s, k, c in FEEDS for t in _times(srv, s) if t0 <= t < t1)
    return n / (t1 - t0)


def _hook_times(hook):
    try:
        return [r["time"] for r in hook.records()]
    except ValueError:  # a line being written
        return []


def _run(ctx, card, lib, work, hook):
    srv = ctx.server
    with open(os.path.join(work.path, "hook.secret"), "w") as f:
        f.write(delivery.SECRET + "\n")
    offset_file = os.path.join(work.path, "faketime")
    _set_offset(offset_file, "+0")
    env = {"LD_PRELOAD": lib, "FAKETIME_TIMESTAMP_FILE": offset_file, "FAKETIME_NO_CACHE": "1",
           "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           # libfaketime is preloaded: an ASan runtime must not insist on coming first.
           "ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
           .lstrip(":")}
    feeds = [(s, srv.url("/feed/%s?k=%d&cap=%d" % (s, k, c)), "") for s, k, c in FEEDS] + \
        [(s, srv.url("/feed/%s?k=2&cap=2" % s), 'priority = "normal"\ninterval = "15s"\n')
         for s in SLOW]
    names = ["journal", "hook"]
    work.write_config(common.config([srv.port, hook.port], feeds,
                                    channels=delivery._channels(0, [("hook", hook.port)]),
                                    rules=delivery._rules(names)))
    with daemon.Daemon(ctx.veilled, work, extra_env=env) as d:
        started = d.wait_log("outcome=ok", MAX_WAIT_S)
        t_a = time.time()

        def primed():
            # Every 15 s feed polled (their first polls are spread, about one a second) and a
            # webhook sent with the real clock.
            return (time.time() >= t_a + BEFORE_S and all(_times(srv, s) for s in SLOW) and
                    bool(_hook_times(hook)))

        daemon.wait_until(primed, MAX_WAIT_S)
        t_jump = time.time()
        _set_offset(offset_file, "+1d")

        def settled():
            # What the checks below count, after the jump: each 1 s feed polled twice, a webhook
            # sent with the new clock, the line about the jump; and the burst window.
            return (time.time() >= t_jump + AFTER_S and
                    all(len([t for t in _times(srv, s) if t >= t_jump + 1]) >= 2
                        for s, k, c in FEEDS) and
                    any(t > t_jump + 1.5 for t in _hook_times(hook)) and
                    "the wall clock jumped by" in d.text())

        daemon.wait_until(settled, AFTER_S + MAX_WAIT_S, 0.2)
        t_end = time.time()
        alive = d.alive()
        rc = d.stop(30)
        log = d.text()
    before = _rate(srv, t_a, t_jump)
    after = _rate(srv, t_jump, t_jump + AFTER_S)
    # (libfaketime reads its file at every clock call: the daemon runs slower than usual.)
    late = {s: [t for t in _times(srv, s) if t >= t_jump + 1] for s, k, c in FEEDS}
    # The wait of each 1 s feed across the jump: its last poll before it to its first after it.
    stall = {s: round(min(late[s], default=t_end) -
                      max([t for t in _times(srv, s) if t < t_jump + 1], default=t_a), 1)
             for s, k, c in FEEDS}
    # Each 15 s feed: how long after its last poll the jump came, and the gaps to the polls after.
    slow = {}
    for s in SLOW:
        times = _times(srv, s)
        pre = [t for t in times if t < t_jump]
        gaps = [round(b - a, 1) for a, b in zip(times, times[1:]) if b >= t_jump]
        slow[s] = (round(t_jump - pre[-1], 1) if pre else None, gaps)
    said = [l for l in log.splitlines() if "the wall clock jumped by" in l]
    card.check(started and alive and rc == 0, "clock_jump: veilled runs through a +1 day jump and "
               "stops with exit 0 (rc=%s)" % rc)
    card.check(invariants.sanitizer_reports(log) == 0, "clock_jump: no sanitizer report")
    ctx.tally(survived=alive and rc == 0, kind="clock_jump")
    # 3 feeds at 1 s (up to 10 % earlier): at most about 3.3 polls a second in the AFTER_S after
    # the jump; each polled again after it without a wait longer than STALL_S. The 15 s feeds
    # are not polled again sooner than their interval (SLOW_GAP_S) after their last poll before
    # the jump, which came at most JUMP_WITHIN_S after it for two of them at least (the burst
    # shows on those; a feed polled longer before the jump may be due again soon after it).
    card.check(before > 0 and after <= len(FEEDS) * 1.1 + 0.5 and
               all(len(v) >= 2 for v in late.values()) and
               all(v <= STALL_S for v in stall.values()) and
               all(j is not None and all(g >= SLOW_GAP_S for g in gaps)
                   for j, gaps in slow.values()) and
               sum(1 for j, gaps in slow.values() if j is not None and j <= JUMP_WITHIN_S) >= 2,
               "clock_jump: no burst and no stall: %.1f polls/s before the jump, %.1f in the "
               "%.0f s after; every 1 s feed polled again after it (%s polls within %.0f s, "
               "waits across it %s s <= %.0f s); the 15 s feeds not polled again sooner than "
               "%.0f s ((their poll to the jump, the gaps after it) in s: %s)"
               % (before, after, AFTER_S, {s: len(v) for s, v in late.items()}, t_end - t_jump,
                  stall, STALL_S, SLOW_GAP_S, slow))
    jumped = [int(m) for m in re.findall(r"jumped by (-?\d+)s", said[0])] if said else []
    card.check(len(said) == 1 and jumped and abs(jumped[0] - DAY) <= 2,
               "clock_jump: one line says the wall clock jumped (%d: %s)"
               % (len(said), " | ".join(l.split(" ", 2)[-1] for l in said) or "none"))
    recs = hook.records()
    pre = [r for r in recs if r["time"] < t_jump]
    post = [r for r in recs if r["time"] > t_jump + 1.5]
    skew_pre = [int(r["timestamp"]) - r["time"] for r in pre]
    skew_post = [int(r["timestamp"]) - r["time"] for r in post]
    card.check(pre and post and all(abs(s) <= 5 for s in skew_pre) and
               all(abs(s - DAY) <= 5 for s in skew_post),
               "clock_jump: webhook-timestamp follows the wall clock: %d requests before the jump "
               "at +%s s, %d after at +%s s (the receiver's clock is the real one)"
               % (len(pre), sorted({round(s) for s in skew_pre})[:3], len(post),
                  sorted({round(s) for s in skew_post})[:3]))
    ids = [r["id"] for r in recs if r.get("status") == 200]
    problems = invariants.core(work.db, {r: names for r in feedgen.KEYWORDS.values()})
    card.check(len(ids) == len(set(ids)) and not problems,
               "clock_jump: no alert delivered twice (%d requests), invariants 1-3 %s"
               % (len(ids), problems or "ok"))
