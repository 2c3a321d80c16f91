#!/usr/bin/python3
"""Per-host politeness across daemons (issue 18, docs/scaling.md "Per-host politeness"): daemons
sharing one throwaway PostgreSQL database keep `per_host`, `host_spacing` and a host's 429 pause
together, as one daemon does. Two local servers, each one host ("127.0.0.1:PORT"), log the start
and end of every request:
- host A answers every feed after DELAY_S; daemons 0 and 1 poll its 16 feeds at once (and later
  daemon 2 four more of its own). Never more than per_host (2) requests at once, all daemons
  together, and consecutive request starts at least host_spacing apart, less TOLERANCE_S;
- host B answers 429 with Retry-After: 120 to everything. Daemons 0 and 1 poll its 12 feeds: the
  third 429 pauses the host, so few of them are requested (at most 3 + 2: the requests running
  when the third 429 arrives, at most per_host - 1, and those starting before its commit, at most
  one in commit_interval = 200ms < host_spacing). Daemon 2, started after the pause with 6 feeds
  of its own on B, requests none of them: the pause is in the database.
Each daemon has its own config file (its user agent names it; daemon 2 has its own feeds).
On main (each daemon polite on its own) every one of these checks fails.

TOLERANCE_S: the server stamps a request's start when its handler thread runs, after the
accept and the request line are read; on a loaded two-core machine that lags the client's start
by a varying few tens of milliseconds, so two starts host_spacing apart may be seen a little
closer. A request's end is stamped before its body is written, so the server's intervals lie
inside the client's and overlaps are never overcounted.
"""

import argparse
import http.server
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg_daemons  # noqa: E402
import pg_server  # noqa: E402

A_FEEDS = 16
B_FEEDS = 12
DELAY_S = 0.6
PER_HOST = 2
SPACING_S = 0.3
TOLERANCE_S = 0.1
RETRY_AFTER_S = 120

CONFIG = """
[daemon]
database = "{url}"
user_agent = "veille-hosts/{daemon}"
lease_time = "10s"
commit_interval = "200ms"
[polling]
allow_private = ["127.0.0.1:{a}", "127.0.0.1:{b}"]
interval = "1h"
concurrency = 2
per_host = {per_host}
host_spacing = "{spacing}ms"
timeout = "10s"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""


def rss(path):
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title>'
            "<link>https://t.example%s</link><item><title>Orélia %s</title>"
            "<link>https://t.example%s/a</link><guid>%s</guid></item></channel></rss>"
            % (path, path, path, path, path)).encode()


class Server:
    """One host. Logs (path, daemon, start, end) of every request; answers after `delay`, or 429
    with Retry-After when `limited`."""

    def __init__(self, delay=0.0, limited=False):
        self.log = []
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                start = time.monotonic()
                daemon = self.headers.get("User-Agent", "").rsplit("/", 1)[-1]
                time.sleep(delay)
                body = b"slow down" if limited else rss(self.path)
                with server.lock:
                    server.log.append((self.path, daemon, start, time.monotonic()))
                self.send_response(429 if limited else 200)
                if limited:
                    self.send_header("Retry-After", str(RETRY_AFTER_S))
                self.send_header("Content-Type", "text/plain" if limited else "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def requests(self, prefix=""):
        with self.lock:
            return sorted((r for r in self.log if r[0].startswith(prefix)), key=lambda r: r[2])


def max_overlap(requests):
    """The most requests in progress at one moment (an end before a start at the same time)."""
    events = sorted([(r[2], 1) for r in requests] + [(r[3], -1) for r in requests])
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def feed_lines(port, prefix, count):
    return "".join('[[feed]]\nurl = "http://127.0.0.1:%d/%s/%d"\nname = "%s%d"\n'
                   % (port, prefix, n, prefix, n) for n in range(count))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    polite = Server(delay=DELAY_S)
    limited = Server(limited=True)
    # Interleaved, so that each daemon's first claims hold feeds of both hosts.
    shared = ""
    for n in range(max(A_FEEDS, B_FEEDS)):
        if n < A_FEEDS:
            shared += '[[feed]]\nurl = "http://127.0.0.1:%d/a/%d"\nname = "a%d"\n' % (
                polite.port, n, n)
        if n < B_FEEDS:
            shared += '[[feed]]\nurl = "http://127.0.0.1:%d/b/%d"\nname = "b%d"\n' % (
                limited.port, n, n)
    # Daemon 2's own: four on host A (it must get the host after the others), six on host B.
    own = feed_lines(polite.port, "d", 4) + feed_lines(limited.port, "c", 6)
    began = time.monotonic()
    try:
        with pg_server.PgServer() as pg, harness.Workdir() as work, \
                pg_daemons.Daemons(a.veilled, work.path) as daemons:
            def start(d, feeds):
                daemons.start(str(d), CONFIG.format(
                    url=pg.url, daemon=d, a=polite.port, b=limited.port, per_host=PER_HOST,
                    spacing=int(SPACING_S * 1000), feeds=feeds))

            start(0, shared)
            start(1, shared)

            def a_done():
                try:
                    out = pg.psql("SELECT count(*) FROM feeds WHERE url LIKE '%/a/%' "
                                  "AND last_outcome = 'ok'").strip()
                except AssertionError:  # not migrated yet
                    return False
                return int(out or 0) == A_FEEDS

            c.check(harness.wait_for(a_done, 60, step=0.2),
                    "daemons 0 and 1 polled host A's %d feeds" % A_FEEDS)
            c.check(harness.wait_for(lambda: len(limited.requests("/b/")) >= 3, 10),
                    "host B answered 429 three times")
            time.sleep(1.5)  # a pause is written at the third 429's commit
            b_requests = limited.requests("/b/")
            by = sorted(set(r[1] for r in polite.requests("/a/")))
            print("host A's feeds polled by daemons %s; host B's by %s"
                  % (by, sorted(set(r[1] for r in b_requests))))
            c.check(len(b_requests) <= 5,
                    "host B paused after its third 429: %d of its %d feeds requested (at most 5)"
                    % (len(b_requests), B_FEEDS))

            # Daemon 2 starts after the pause: its own feeds on host B wait for the pause's end.
            joined = time.monotonic()
            start(2, shared + own)
            c.check(harness.wait_for(lambda: len(polite.requests("/d/")) == 4, 20),
                    "daemon 2 polled its own feeds on host A")
            time.sleep(2.5)  # two more claims of daemon 2's
            late = [r for r in limited.requests() if r[2] >= joined]
            c.check(not late, "no request to the paused host B after daemon 2 joined (%s)"
                    % [(r[0], r[1]) for r in late][:6])
            def number(sql):
                try:
                    return int(pg.psql(sql).strip() or -1)
                except AssertionError as e:  # on main: no hosts table
                    print(e)
                    return None

            left = number("SELECT max(paused_until) - extract(epoch FROM now())::bigint "
                          "FROM hosts WHERE host = '127.0.0.1:%d'" % limited.port)
            c.check(left is not None and RETRY_AFTER_S - 30 <= left <= RETRY_AFTER_S,
                    "the database holds host B's pause (%s s left)" % left)

            on_a = polite.requests()
            most = max_overlap(on_a)
            c.check(most <= PER_HOST, "at most per_host = %d requests to host A at once, all "
                    "daemons together (saw %d)" % (PER_HOST, most))
            gaps = [(b[2] - p[2], p[1], b[1]) for p, b in zip(on_a, on_a[1:])]
            closest = min(gaps, default=(SPACING_S, "", ""))
            print("host A: %d requests, closest starts %.3fs apart (daemons %s then %s)"
                  % (len(on_a), closest[0], closest[1], closest[2]))
            c.check(closest[0] >= SPACING_S - TOLERANCE_S,
                    "consecutive requests to host A at least host_spacing apart (%.3fs >= %.3fs)"
                    % (closest[0], SPACING_S - TOLERANCE_S))
            c.check(len(on_a) == A_FEEDS + 4, "every feed of host A requested once (%d)"
                    % len(on_a))
            for d in daemons.started:
                c.check(d.stop() == 0, "daemon %s stops cleanly" % d.name)
            owners = number("SELECT count(*) FROM hosts WHERE owner IS NOT NULL")
            c.check(owners == 0, "no host lease left after the daemons stopped (%s)" % owners)
            if c.failed:
                daemons.print_tails()
            print("wall time %.1fs" % (time.monotonic() - began))
    except pg_server.Unavailable as e:
        print("FAIL throwaway PostgreSQL server: %s" % e)
        return 1
    finally:
        polite.httpd.shutdown()
        limited.httpd.shutdown()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
