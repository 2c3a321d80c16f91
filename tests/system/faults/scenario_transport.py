"""Transport failures next to a healthy feed (RELIABILITY.md A1, A2, A24).

One daemon polls, at a 1 s interval:
  hb              a healthy growing feed on its own server (the pace the others must not disturb)
  dns             a host under .invalid (RFC 6761: never resolves): class dns
  refused         127.0.0.1 on a port nobody listens on (allowlisted): class connect
  tls-valid       HTTPS from the harness CA, trusted through the feed's ca_file: ok (the control
                  that proves the CA is trusted, so the two below fail for their own reason)
  tls-expired     a certificate from that trusted CA, expired in 2020: class tls, "expired"
  tls-wronghost   a certificate from that trusted CA for another name: class tls, names the host
  s404, s401      HTTP 404 and 401: class http_4xx, the status in the line
  s403-cf         a 403 with cf-mitigated: challenge: class http_4xx with the Cloudflare hint
  s500            HTTP 500: class http_5xx
For each failing feed: the daemon stays up; one warn line when it starts failing (later attempts
are info), readable (it names the cause); the attempts are numbered 1, 2, 3... and each comes no
earlier than the delay the previous one announced, which stays within the backoff ceiling
(min(2^(failures-1) x 1 s, max_interval), full jitter: RELIABILITY.md 2, shared contract); the
CLI shows the failure class. The healthy feed is polled at its pace throughout. About 12 s."""

import json
import os
import re
import socket
import time
from datetime import datetime

import common
import daemon
import feedgen
import invariants
import server

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
# A19 and A23: the operator notice of a broken feed comes from the feed-health watch, which
# runs once a minute; watch_test RunWatches.ABrokenFeedIsReportedToTheOperatorChannelOnce
# asserts it is sent once. Here: the backoff, the one log line, the broken state, still polled.
ROWS = ("A1", "A2", "A19", "A22", "A23", "A24")

MIN_RUN_S = 8.0
MAX_RUN_S = 25.0
ATTEMPTS = 4
FAILING = ("dns", "refused", "tls-expired", "tls-wronghost", "s404", "s401", "s403-cf", "s500")
BROKEN_AFTER_S = 4  # [polling] broken_after: a feed failing this long shows as broken
STATUS = {"s404": "/status/404", "s401": "/status/401", "s403-cf": "/status/403?cf=1",
          "s500": "/status/500"}
MAX_INTERVAL_S = 20  # common.config's max_interval
LINE = re.compile(r"^(\S+) (\w+) poll (\S+) outcome=(\w+) error=\"(.*)\" failures=(\d+) "
                  r"next_in=(-?\d+)s$")


def _closed_port():
    """A loopback port nobody listens on (bound, then closed: refused until someone takes it)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(ctx, card):
    tls_dir = os.path.join(ctx.tmp, "tls")  # shared with bad_inputs: made once per run
    certs = server.make_tls_material(tls_dir)
    healthy = server.FaultServer()
    errors = server.FaultServer()
    tls = {name: server.FaultServer(certfile=certs[name][0], keyfile=certs[name][1])
           for name in ("valid", "expired", "wronghost")}
    try:
        _run(ctx, card, healthy, errors, tls, os.path.join(tls_dir, "ca.pem"))
    finally:
        for s in [healthy, errors] + list(tls.values()):
            s.close()


def _attempts(log, feed):
    """[(time, level, outcome, error, failures, next_in)] of the failed polls of `feed`."""
    out = []
    for line in log.splitlines():
        m = LINE.match(line)
        if m and m.group(3) == feed:
            t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S%z").timestamp()
            out.append((t, m.group(2), m.group(4), m.group(5), int(m.group(6)), int(m.group(7))))
    return out


def _polled_when_broken(attempts):
    """ATTEMPTS failed polls or more, the last at least BROKEN_AFTER_S after the first."""
    return len(attempts) >= ATTEMPTS and attempts[-1][0] >= attempts[0][0] + BROKEN_AFTER_S


def _run(ctx, card, healthy, errors, tls, ca_pem):
    refused_port = _closed_port()
    ports = [healthy.port, errors.port, refused_port] + [s.port for s in tls.values()]
    feeds = [("hb", healthy.url("/feed/hbt?k=1&cap=100000"), ""),
             ("dns", "http://nx-veille-faults.invalid:%d/feed" % healthy.port, ""),
             ("refused", "http://127.0.0.1:%d/feed" % refused_port, "")]
    for name, srv in tls.items():
        feeds.append(("tls-" + name, srv.url("/feed/tt-%s?k=2&cap=6" % name, "https"),
                      'ca_file = "%s"\n' % ca_pem))
    feeds += [(name, errors.url(path), "") for name, path in STATUS.items()]
    with daemon.Workdir("transport") as work:
        work.write_config(common.config(ports, feeds, polling='broken_after = "%ds"\n'
                                        % BROKEN_AFTER_S))
        with daemon.Daemon(ctx.veilled, work) as d:
            started = d.wait_log("started", 20)
            t0 = time.time()
            alive = True
            # First polls are spread over the interval: wait until every failing feed has failed
            # ATTEMPTS times and has been polled again once broken_after had passed since its
            # first failure (backoff with full jitter: the fourth attempt may come 3 s after the
            # first and the fifth 8 s later, so a fixed wait would miss it now and then).
            while time.time() < t0 + MAX_RUN_S and alive:
                alive = d.alive()
                text = d.text()
                if time.time() >= t0 + MIN_RUN_S and all(
                        _polled_when_broken(_attempts(text, f)) for f in FAILING):
                    break
                time.sleep(0.2)
            run_s = time.time() - t0
            cli = daemon.run([ctx.veille, "--config", work.config, "feeds", "--json"], timeout=30)
            table = daemon.run([ctx.veille, "--config", work.config, "feeds"], timeout=30)
            rc = d.stop(30)
            log = d.text()
        card.check(started and alive, "transport: veilled stays up through DNS failures, "
                   "refused connections and bad certificates")
        card.check(rc == 0, "transport: SIGTERM exits 0 (rc=%s)" % rc)
        card.check(invariants.sanitizer_reports(log) == 0, "transport: no sanitizer report")
        ctx.tally(survived=alive and rc == 0, kind="transport")

        hb = sorted(r["t"] for r in healthy.rec.records if r["t"] >= t0)
        gaps = [b - a for a, b in zip(hb, hb[1:])]
        # A stall would be a gap of a connect timeout (3 s) on top of the 1 s interval.
        card.check(len(hb) >= run_s / 2 and max(gaps, default=99) <= 4.0,
                   "transport: the healthy feed keeps its 1 s pace next to the failing ones (%d "
                   "polls in %.0f s, worst gap %.1f s)" % (len(hb), run_s, max(gaps, default=0),))

        try:
            listed = {f["name"]: f for f in json.loads(cli.stdout)}
        except ValueError:
            listed = {}
        expect = {"dns": ("dns", ["nx-veille-faults.invalid"]),
                  "refused": ("connect", ["127.0.0.1", "port %d" % refused_port]),
                  "tls-expired": ("tls", ["expired"]),
                  "tls-wronghost": ("tls", ["127.0.0.1"]),
                  "s404": ("http_4xx", ["404"]), "s401": ("http_4xx", ["401"]),
                  "s403-cf": ("http_4xx", ["403", "Cloudflare"]),
                  "s500": ("http_5xx", ["500"])}
        for feed, (klass, words) in expect.items():
            attempts = _attempts(log, feed)
            warns = [a for a in attempts if a[1] == "warning"]
            numbered = [a[4] for a in attempts] == list(range(1, len(attempts) + 1))
            ceiling_ok = all(1 <= a[5] <= min(2 ** (a[4] - 1), MAX_INTERVAL_S) for a in attempts)
            # Log times are whole seconds: an attempt may appear up to 1 s early.
            early = [(round(b[0] - a[0]), a[5]) for a, b in zip(attempts, attempts[1:])
                     if b[0] - a[0] < a[5] - 1]
            text = warns[0][3] if warns else ""
            card.check(len(attempts) >= ATTEMPTS and all(a[2] == klass for a in attempts),
                       "transport %s: every attempt is class %s (%d attempts: %s)"
                       % (feed, klass, len(attempts), sorted({a[2] for a in attempts})))
            card.check(len(warns) == 1 and all(w in text for w in words),
                       "transport %s: one warn line when it starts failing, naming the cause "
                       "(%d warn lines: %s)" % (feed, len(warns), text[:120]))
            card.check(numbered and ceiling_ok and not early and
                       max((a[4] for a in attempts), default=0) >= 3,
                       "transport %s: backoff: attempts numbered 1..%d, each delay within "
                       "[1, min(2^(n-1), %d)] s (%s) and honoured (early: %s)"
                       % (feed, len(attempts), MAX_INTERVAL_S, [a[5] for a in attempts],
                          early))
            row = listed.get(feed, {})
            # Failing for longer than broken_after: "broken" in the CLI, and still polled.
            after = [a for a in attempts if attempts and a[0] >= attempts[0][0] + BROKEN_AFTER_S]
            card.check(row.get("last_outcome") == klass and row.get("state") == "broken" and
                       row.get("consecutive_failures", 0) >= 3 and feed in table.stdout and
                       len(after) >= 1,
                       "transport %s: the CLI shows it %s with class %s (%s failures), still "
                       "polled after broken_after (%d attempts)"
                       % (feed, row.get("state"), row.get("last_outcome"),
                          row.get("consecutive_failures"), len(after)))
        # The ceiling grows: with full jitter one feed's delays may all be 1 s by chance, but
        # not those of eight feeds (the delays announced at the third failure on: U[1, 4],
        # U[1, 8]...; without backoff they would all be 1 s).
        later = [a[5] for f in FAILING for a in _attempts(log, f) if a[4] >= 3]
        mean = sum(later) / len(later) if later else 0.0
        card.check(len(later) >= len(FAILING) and mean >= 1.5,
                   "transport: the backoff grows: delays announced from the third failure on "
                   "average %.1f s over %d attempts (>= 1.5 s; the interval is 1 s)"
                   % (mean, len(later)))
        tls_ok = [n for n in ("tls-expired", "tls-wronghost")
                  if tls[n[4:]].rec.records and any(r["status"] == 200
                                                    for r in tls[n[4:]].rec.records)]
        card.check(not tls_ok and
                   listed.get("tls-valid", {}).get("last_outcome") in ("ok", "not_modified") and
                   listed.get("tls-valid", {}).get("entries", 0) == 6,
                   "transport: the harness CA is trusted (tls-valid ok with its 6 entries, %s), "
                   "yet an expired or wrong-host certificate from it yields nothing (served %s)"
                   % (listed.get("tls-valid", {}).get("last_outcome"), tls_ok))
        db = invariants.connect(work.db)
        stored = {name: n for name, n in db.execute(
            "SELECT f.name, COUNT(e.id) FROM feeds f LEFT JOIN entries e ON e.feed_id = f.id "
            "GROUP BY f.name")}
        got = set(db.execute("SELECT e.guid, m.rule FROM mentions m JOIN entries e ON "
                             "e.id = m.entry_id JOIN feeds f ON f.id = e.feed_id "
                             "WHERE f.name = 'tls-valid'"))
        db.close()
        card.check(all(stored.get(f, 0) == 0 for f in expect) and
                   got == feedgen.expected_mentions("tt-valid", 6),
                   "transport: nothing stored for the failing feeds (%s); the trusted one's "
                   "mentions balance (%d)" % ({f: stored.get(f) for f in expect}, len(got)))
        problems = invariants.core(work.db, common.RULE_CHANNELS)
        card.check(not problems, "transport: invariants 1-3 %s" % (problems or ""))
