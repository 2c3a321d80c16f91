"""A frozen main loop (RELIABILITY.md E12). The harness plays systemd: it owns the NOTIFY_SOCKET,
sets WATCHDOG_USEC to 2 s, and checks that veilled pings WATCHDOG=1 from its loop. Then the loop
is frozen with the test-only hook (VEILLE_TEST_FREEZE_FILE: while that file exists the loop hangs
for good, as a deadlock would): the pings must stop, so that systemd's watchdog (WatchdogSec=)
would kill it, and the process must not come back to life on its own. The harness then does what
systemd does (kill, restart): the restarted daemon is READY, pings again and polls, and the
database passes its invariants. About 10 s."""

import os
import socket
import time

import common
import daemon
import invariants

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("E12",)

WATCHDOG_S = 2.0  # veilled pings at half of it, from a loop that turns at least once a second
FROZEN_S = 4.0  # two watchdog periods without a ping
HEALTHY_S = 5.0  # pings counted in this window after READY=1 (one a second: at least 3, with margin)


class Manager:
    """systemd's end of sd_notify: a bound datagram socket; records (time, fields)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.path = path
        self.got = []

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                return
            fields = dict(l.split("=", 1) for l in data.decode("utf-8", "replace").split("\n")
                          if "=" in l)
            self.got.append((time.monotonic(), fields))

    def pings(self, since=0.0, until=float("inf")):
        return [t for t, f in self.got if "WATCHDOG" in f and since <= t <= until]

    def ready(self, since=0.0):
        return any("READY" in f for t, f in self.got if t >= since)

    def ready_at(self, since=0.0):
        return next((t for t, f in self.got if "READY" in f and t >= since), None)

    def drain_after_ready(self, since, seconds, bound=30.0):
        """Waits (up to `bound`) for READY=1 sent after `since`, then drains `seconds` more, so
        that a slow start (ASan beside other scenarios) does not eat the window the pings are
        counted in. Returns the time READY arrived, or None."""
        deadline = since + bound
        while self.ready_at(since) is None and time.monotonic() < deadline:
            self.drain(min(0.2, max(0.0, deadline - time.monotonic())))
        at = self.ready_at(since)
        if at is not None:
            self.drain(at + seconds - time.monotonic())
        return at

    def close(self):
        self.sock.close()


def run(ctx, card):
    srv = ctx.server
    with daemon.Workdir("watchdog") as work:
        freeze = os.path.join(work.path, "freeze")
        manager = Manager(os.path.join(work.path, "notify"))
        try:
            _run(ctx, card, srv, work, freeze, manager)
        finally:
            manager.close()


def _run(ctx, card, srv, work, freeze, manager):
    env = {"NOTIFY_SOCKET": manager.path, "WATCHDOG_USEC": str(int(WATCHDOG_S * 1e6)),
           "VEILLE_TEST_FREEZE_FILE": freeze}
    work.write_config(common.config([srv.port], [("wd", srv.url("/feed/wd?k=2&cap=400"), "")]))
    with daemon.Daemon(ctx.veilled, work, extra_env=env) as d:
        t0 = time.monotonic()
        t_ready = manager.drain_after_ready(t0, HEALTHY_S)
        ready = t_ready is not None
        healthy = manager.pings(t_ready, t_ready + HEALTHY_S) if ready else []
        with open(freeze, "w"):
            pass
        froze = d.wait_log("the loop hangs from now on", 5)
        t_frozen = time.monotonic()
        polls_before = len(srv.rec.for_route("/feed/wd"))
        manager.drain(FROZEN_S)
        late = manager.pings(t_frozen + 0.1)
        polls_frozen = len(srv.rec.for_route("/feed/wd")) - polls_before
        still_there = d.alive()
        d.kill9()  # what systemd does when WatchdogSec passes without a ping (then Restart=)
        os.unlink(freeze)
        log = d.text()
    gaps = [b - a for a, b in zip(healthy, healthy[1:])]
    card.check(ready and len(healthy) >= 3 and max(gaps, default=99) < WATCHDOG_S,
               "watchdog: READY=1 (after %s s), then WATCHDOG=1 from the healthy loop (%d pings in "
               "%.1f s, worst gap %.2f s < WATCHDOG_USEC %.0f s)"
               % ("%.1f" % (t_ready - t0) if ready else "never", len(healthy), HEALTHY_S,
                  max(gaps, default=0), WATCHDOG_S))
    card.check(froze and not late and still_there and polls_frozen <= 1,
               "watchdog: the frozen loop sends no ping for %.0f watchdog periods (%d pings), so "
               "systemd would restart it; it does not recover by itself (alive %s, %d polls while "
               "frozen)" % (FROZEN_S / WATCHDOG_S, len(late), still_there, polls_frozen))
    card.check(invariants.sanitizer_reports(log) == 0, "watchdog: no sanitizer report")
    t1 = time.monotonic()
    with daemon.Daemon(ctx.veilled, work, extra_env=env) as d2:
        t1_ready = manager.drain_after_ready(t1, HEALTHY_S)
        polled = d2.wait_log("outcome=ok", 10)
        rc = d2.stop(30)
    problems = invariants.core(work.db, common.RULE_CHANNELS)
    card.check(t1_ready is not None and len(manager.pings(t1_ready)) >= 3 and polled and rc == 0
               and not problems,
               "watchdog: restarted (as Restart=on-failure would), it is READY (%s), pings (%d) "
               "and polls (%s) again, stops with 0 (rc=%s), invariants 1-3 %s"
               % (manager.ready(t1), len(manager.pings(t1)), polled, rc, problems or "ok"))
    ctx.tally(survived=rc == 0, kind="watchdog")
