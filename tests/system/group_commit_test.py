#!/usr/bin/python3
"""Group commit (issue 17, RELIABILITY.md decision 1): finished polls share one transaction, and
nothing of them is stored, logged or alerted before it commits.

Twenty feeds serve three articles each (two mention the rule); one more feed hangs for 20 s so
that the poller is never idle while it waits. `veilled --once` polls every feed at once (the
daemon spreads a first start's polls one a second), so the batches below are its. Checked
against a clean `veilled --once` run:
- the age bound: with commit_interval = 1s the twenty documents are stored while the slow feed
  still hangs; with commit_interval = 60s nothing is, and no poll line is logged;
- kill -9 with that batch open: nothing of it is stored, not even a validator, and the next start
  stores exactly what the clean run stored, fetching every feed again in full;
- SIGTERM with a batch open commits it before the daemon exits;
- an idle daemon does not hold a batch: with commit_interval = 60s, the daemon's first polls
  (one a second) are stored within seconds.
"""

import argparse
import http.server
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

FEEDS = 20
SLOW_S = 20


def rss(n):
    items = "".join(
        "<item><title>%s</title><link>https://t.example/%d/%d</link><guid>g%d-%d</guid>"
        "<description>%s</description></item>"
        % ("Orélia à Lyon, épisode %d.%d" % (n, i) if i < 2 else "Rien %d.%d" % (n, i), n, i, n, i,
           "Texte %d %d" % (n, i)) for i in range(3))
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>F%d</title>'
            "<link>https://t.example/%d</link>%s</channel></rss>" % (n, n, items)).encode()


class Server:
    """/f/N serves feed N with an ETag (304 on a match); /slow answers after SLOW_S seconds."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        self.closing = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server.lock:
                    server.requests.append((self.path, self.headers.get("If-None-Match")))
                if self.path == "/slow":
                    server.closing.wait(SLOW_S)
                    body = rss(999)
                else:
                    body = rss(int(self.path.rsplit("/", 1)[1]))
                etag = '"%d"' % len(body)
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
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

    def fast_requests(self):
        with self.lock:
            return [r for r in self.requests if r[0].startswith("/f/")]

    def close(self):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def config(port, interval, slow):
    text = ('[daemon]\ndatabase = "veille.db"\nlog_level = "debug"\ncommit_interval = "%s"\n'
            'commit_batch = 1000\n'
            '[polling]\nallow_private = ["127.0.0.1:%d"]\ninterval = "1h"\ntimeout = "60s"\n'
            'host_spacing = "0"\nconcurrency = 32\nper_host = 32\n' % (interval, port))
    for n in range(FEEDS):
        text += '[[feed]]\nurl = "http://127.0.0.1:%d/f/%d"\nname = "F%d"\n' % (port, n, n)
    if slow:
        text += '[[feed]]\nurl = "http://127.0.0.1:%d/slow"\nname = "Lent"\n' % port
    text += "[[rule]]\nname = \"marque\"\nquery = '''Orélia'''\n"
    return text


def stored(work):
    """(entries, mentions, feeds with an ETag) as sets, read from the database."""
    path = os.path.join(work.path, "veille.db")
    if not os.path.exists(path):
        return set(), set(), set()
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        entries = set(db.execute(
            "SELECT f.name, e.entry_key FROM entries e JOIN feeds f ON f.id = e.feed_id"))
        mentions = set(db.execute(
            "SELECT e.entry_key, m.rule FROM mentions m JOIN entries e ON e.id = m.entry_id"))
        etags = set(r[0] for r in db.execute("SELECT name FROM feeds WHERE etag IS NOT NULL"))
    except sqlite3.OperationalError:  # no schema yet
        return set(), set(), set()
    finally:
        db.close()
    return entries, mentions, etags


def start(veilled, work, *extra):
    log = open(os.path.join(work.path, "veilled.log"), "a")
    return subprocess.Popen([veilled, "--config", work.config, *extra], stdout=log,
                            stderr=subprocess.STDOUT, cwd=work.path)


def staged(work):
    """How many polls the daemon has put in its open batch (its debug line `staged: FEED`)."""
    return log_text(work).count(" debug staged: ") if os.path.exists(
        os.path.join(work.path, "veilled.log")) else 0


def log_text(work):
    with open(os.path.join(work.path, "veilled.log"), encoding="utf-8", errors="replace") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    a = ap.parse_args()
    a.veilled = os.path.abspath(a.veilled)
    c = harness.Checks()
    srv = Server()
    try:
        # The reference: one clean --once run without the slow feed.
        with harness.Workdir() as clean:
            clean.write_config(config(srv.port, "1s", False))
            harness.run([a.veilled, "--config", clean.config, "--once"], timeout=60)
            ref_entries, ref_mentions, ref_etags = stored(clean)
        c.check(len(ref_entries) == 3 * FEEDS and len(ref_mentions) == 2 * FEEDS,
                "clean run stores %d entries and %d mentions" % (len(ref_entries),
                                                                 len(ref_mentions)))

        # The age bound closes a batch while a transfer still hangs.
        with harness.Workdir() as work:
            work.write_config(config(srv.port, "1s", True))
            before = len(srv.fast_requests())
            d = start(a.veilled, work, "--once")
            t0 = time.time()
            ok = harness.wait_for(lambda: stored(work)[0] == ref_entries, 10, 0.2)
            c.check(ok and time.time() - t0 < SLOW_S - 5,
                    "commit_interval = 1s: the documents are stored while a feed hangs (%.1f s)"
                    % (time.time() - t0))
            c.check(len(srv.fast_requests()) - before == FEEDS, "each feed fetched once")
            d.kill()
            d.wait(30)

        # kill -9 with the batch open, then a restart.
        with harness.Workdir() as work:
            work.write_config(config(srv.port, "60s", True))
            before = len(srv.fast_requests())
            d = start(a.veilled, work, "--once")
            fetched = harness.wait_for(lambda: len(srv.fast_requests()) - before >= FEEDS, 15)
            # Parsed and waiting for the commit (the slow feed keeps it busy).
            fetched = harness.wait_for(lambda: staged(work) >= FEEDS, 30) and fetched
            entries, mentions, etags = stored(work)
            c.check(fetched and not entries and not etags,
                    "commit_interval = 60s: all %d feeds fetched, nothing stored yet (%d entries, "
                    "%d validators)" % (FEEDS, len(entries), len(etags)))
            c.check("outcome=ok" not in log_text(work),
                    "no poll line is logged before its commit")
            d.kill()
            d.wait(10)
            entries, mentions, etags = stored(work)
            c.check(not entries and not mentions and not etags,
                    "kill -9 with the batch open: nothing of it is stored, not even a validator")
            work.write_config(config(srv.port, "1s", False))
            before = len(srv.fast_requests())
            harness.run([a.veilled, "--config", work.config, "--once"], timeout=60)
            entries, mentions, etags = stored(work)
            c.check(entries == ref_entries and mentions == ref_mentions and etags == ref_etags,
                    "the restart stores exactly what the clean run stored (%d entries, %d mentions)"
                    % (len(entries), len(mentions)))
            again = srv.fast_requests()[before:]
            c.check(len(again) == FEEDS and all(inm is None for _, inm in again),
                    "every feed of the lost batch is fetched again in full (no validator sent)")

        # SIGTERM commits the open batch.
        with harness.Workdir() as work:
            work.write_config(config(srv.port, "60s", True))
            before = len(srv.fast_requests())
            d = start(a.veilled, work, "--once")
            harness.wait_for(lambda: len(srv.fast_requests()) - before >= FEEDS, 15)
            c.check(harness.wait_for(lambda: staged(work) >= FEEDS, 30),
                    "every fetched feed parsed and staged (%d of %d)" % (staged(work), FEEDS))
            c.check(not stored(work)[0], "batch open before SIGTERM")
            t0 = time.time()
            d.send_signal(signal.SIGTERM)
            rc = d.wait(30)
            entries, mentions, _ = stored(work)
            c.check(rc is not None and time.time() - t0 < 10,
                    "SIGTERM: exit in %.1f s (rc %s)" % (time.time() - t0, rc))
            c.check(entries == ref_entries and mentions == ref_mentions,
                    "SIGTERM commits the open batch before exiting (%d entries)" % len(entries))

        # An idle daemon does not hold a batch for its age bound.
        with harness.Workdir() as work:
            work.write_config(config(srv.port, "60s", False))
            d = start(a.veilled, work)
            t0 = time.time()
            ok = harness.wait_for(lambda: len(stored(work)[0]) >= 3, 15, 0.2)
            c.check(ok and time.time() - t0 < 15,
                    "daemon, commit_interval = 60s: its first poll is stored %.1f s after start"
                    % (time.time() - t0))
            d.send_signal(signal.SIGTERM)
            d.wait(30)
    finally:
        srv.close()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
