#!/usr/bin/python3
"""Alert delivery shared by two daemons on one PostgreSQL database (issue 18, docs/scaling.md,
"Alert delivery"): two veilled with the same feeds, rules and webhook channel (their configs
differ only in user_agent, by which the receiver tells them apart) and a local receiver that
records every request.
- Phase 1: every alert reaches the receiver exactly once, whichever daemon sent it.
- Phase 2: new articles (veille poll --all); the receiver holds the first new alert without
  answering. While its sender lives (longer than lease_time: it renews its claim) nobody sends
  that alert again; then the sender is killed with -9, and the other daemon sends it, with the
  same webhook-id, within lease_time (plus a pump). Every other alert arrives, duplicates only
  under the same webhook-id (sends of the killed daemon it could not record), and no article
  under two ids.
"""

import argparse
import http.server
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg_daemons  # noqa: E402
import pg_server  # noqa: E402

FEEDS = 30
LEASE_S = 3

CONFIG = """
[daemon]
database = "{url}"
user_agent = "veille-delivery/{daemon}"
lease_time = "{lease}s"
[polling]
allow_private = ["127.0.0.1:{port}", "127.0.0.1:{hook_port}"]
interval = "1h"
concurrency = 4
per_host = 4
host_spacing = "0"
timeout = "10s"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia'''
channels = ["hook"]
[[channel]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:{hook_port}/hook"
timeout = "60s"
"""


class Feeds:
    """/f/N: feed N, one article about Orélia per phase so far."""

    def __init__(self):
        self.phase = 1
        feeds = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                n = int(self.path.rsplit("/", 1)[1])
                items = "".join(
                    "<item><title>Orélia ouvre à Lyon %d-%d</title>"
                    "<link>https://t.example/%d/%d</link><guid>%d-%d</guid>"
                    "<description>Texte</description></item>" % (n, p, n, p, n, p)
                    for p in range(1, feeds.phase + 1))
                body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                        "<title>F%d</title><link>https://t.example/%d</link>%s</channel></rss>"
                        % (n, n, items)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


class Receiver:
    """Records every webhook: (webhook-id, daemon, article link, time). Answers 204, except the
    first request after hold_next() is set: held unanswered until release()."""

    def __init__(self):
        self.log = []
        self.lock = threading.Lock()
        self.hold_armed = False
        self.held = None  # (webhook-id, daemon) of the held request
        self.release_event = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hook_id = self.headers.get("webhook-id", "")
                daemon = self.headers.get("User-Agent", "").split()[0].rsplit("/", 1)[-1]
                try:
                    link = json.loads(body)["entry"]["link"]
                except (ValueError, KeyError, TypeError):
                    link = None
                hold = False
                with receiver.lock:
                    receiver.log.append((hook_id, daemon, link, time.monotonic()))
                    if receiver.hold_armed and receiver.held is None:
                        receiver.held = (hook_id, daemon)
                        hold = True
                if hold:
                    receiver.release_event.wait(90)
                    self.close_connection = True
                    return  # never answered: its sender is gone by then
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def requests(self):
        with self.lock:
            return list(self.log)

    def hold_next(self):
        with self.lock:
            self.hold_armed = True

    def held_request(self):
        with self.lock:
            return self.held


def delivered(pg):
    try:
        return int(pg.psql("SELECT count(*) FROM outbox WHERE status = 'delivered'").strip() or 0)
    except AssertionError:
        return 0  # the first daemon has not created the schema yet


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    feeds = Feeds()
    receiver = Receiver()
    feed_list = "".join('[[feed]]\nurl = "http://127.0.0.1:%d/f/%d"\nname = "F%d"\n'
                        'backfill_alerts = true\n' % (feeds.port, n, n) for n in range(FEEDS))
    try:
        with pg_server.PgServer() as pg, harness.Workdir() as work, \
                pg_daemons.Daemons(a.veilled, work.path) as daemons:
            for d in range(2):
                daemons.start(str(d), CONFIG.format(url=pg.url, daemon=d, lease=LEASE_S,
                                                    port=feeds.port, hook_port=receiver.port,
                                                    feeds=feed_list))
            began = time.monotonic()

            # Phase 1: every alert exactly once.
            c.check(harness.wait_for(lambda: delivered(pg) == FEEDS, 60, step=0.5),
                    "phase 1: every alert delivered (%d of %d)" % (delivered(pg), FEEDS))
            time.sleep(2)  # a second send, if there were one, would come within a pump or two
            first = receiver.requests()
            ids = {}
            for hook_id, daemon, link, _ in first:
                ids.setdefault(hook_id, []).append((daemon, link))
            c.check(len(first) == FEEDS and len(ids) == FEEDS,
                    "phase 1: %d requests, %d webhook-ids for %d alerts"
                    % (len(first), len(ids), FEEDS))
            links = {link for _, _, link, _ in first}
            c.check(len(links) == FEEDS, "phase 1: every article alerted once (%d)" % len(links))
            senders = {}
            for _, daemon, _, _ in first:
                senders[daemon] = senders.get(daemon, 0) + 1
            print("phase 1 (%.1fs): alerts sent per daemon %s"
                  % (time.monotonic() - began, sorted(senders.items())))

            # Phase 2: a new article per feed; the first new alert is held by the receiver.
            receiver.hold_next()
            feeds.phase = 2
            r = harness.run([a.veille, "--config", daemons[0].config, "poll", "--all"],
                            check=False)
            c.check(r.returncode == 0, "veille poll --all: %s" % (r.stdout + r.stderr).strip())
            c.check(harness.wait_for(lambda: receiver.held_request() is not None, 30, step=0.2),
                    "phase 2: a send is held by the receiver")
            held = receiver.held_request()
            if held is None:
                return c.finish()
            held_id, holder = held
            survivor = "1" if holder == "0" else "0"
            # Longer than lease_time: the sender renews its claim while its send runs.
            time.sleep(LEASE_S + 2)
            again = [r for r in receiver.requests() if r[0] == held_id]
            c.check(len(again) == 1,
                    "while its sender lives nobody else sends the held alert (%d sends)"
                    % len(again))
            daemons[int(holder)].kill()
            killed_at = time.monotonic()
            print("daemon %s killed with its send held" % holder)

            def retaken():
                return [r for r in receiver.requests() if r[0] == held_id and r[3] > killed_at]

            c.check(harness.wait_for(lambda: retaken(), LEASE_S + 10, step=0.2),
                    "the other daemon sends the held alert")
            resent = retaken()
            if resent:
                c.check(resent[0][1] == survivor,
                        "sent again by daemon %s (by %s)" % (survivor, resent[0][1]))
                c.check(resent[0][3] - killed_at <= LEASE_S + 3,
                        "within lease_time of the kill (%.1fs)" % (resent[0][3] - killed_at))
            c.check(harness.wait_for(lambda: delivered(pg) == 2 * FEEDS, 40, step=0.5),
                    "phase 2: every alert delivered (%d of %d)" % (delivered(pg), 2 * FEEDS))
            time.sleep(2)
            second = receiver.requests()[len(first):]
            by_id = {}
            by_link = {}
            for hook_id, daemon, link, at in second:
                by_id.setdefault(hook_id, []).append((daemon, at))
                by_link.setdefault(link, set()).add(hook_id)
            c.check(len(by_id) == FEEDS, "phase 2: %d webhook-ids for %d alerts"
                    % (len(by_id), FEEDS))
            c.check(all(len(v) == 1 for v in by_link.values()) and len(by_link) == FEEDS,
                    "phase 2: no article under two webhook-ids")
            # A webhook-id sent twice: once by the killed daemon before the kill (unrecorded).
            bad = [(k, v) for k, v in by_id.items() if len(v) > 1 and not (
                len(v) == 2 and sum(1 for d, t in v if d == holder and t < killed_at) == 1)]
            c.check(not bad, "duplicates only of the killed daemon's unrecorded sends %s"
                    % bad[:3])
            print("phase 2: %d requests, %d repeated under their id"
                  % (len(second), len(second) - len(by_id)))
            leases = pg.psql("SELECT count(*) FROM outbox WHERE lease_owner IS NOT NULL").strip()
            c.check(leases == "0", "no claim left after the outcomes (%s)" % leases)
            c.check(daemons[int(survivor)].stop() == 0, "daemon %s stops cleanly" % survivor)
            if c.failed:
                daemons.print_tails(20)
            print("wall time %.1fs" % (time.monotonic() - began))
    except pg_server.Unavailable as e:
        print("FAIL throwaway PostgreSQL server: %s" % e)
        return 1
    finally:
        receiver.release_event.set()
        feeds.httpd.shutdown()
        receiver.httpd.shutdown()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
