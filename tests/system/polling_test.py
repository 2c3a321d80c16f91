#!/usr/bin/python3
"""Polling as the user asked (issue 15): a feed is polled at least as often as its configured
interval whatever its backlog, publisher hints lengthen it only when opted in, the first poll's
unsent alerts are said (cycle line, veille outbox), and `veille feeds` shows the daemon's real
schedule after a reload and after a restart."""

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HEAD = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
interval = "{interval}"
min_interval = "1s"
max_interval = "24h"
timeout = "5s"
host_spacing = "0"
[[rule]]
name = "marque"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""

FEED = """
[[feed]]
url = "{url}"
name = "{name}"
{extra}
"""


def rss(items, ttl=None):
    body = "".join(
        "<item><title>%s</title><link>https://t.example/%s</link><guid>%s</guid></item>"
        % (title, key, key) for key, title in items)
    ttl_tag = "<ttl>%d</ttl>" % ttl if ttl else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
            "<link>https://t.example/</link>%s%s</channel></rss>" % (ttl_tag, body))



def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def feeds(veille, config):
    out = harness.run([veille, "--config", config, "feeds", "--json"]).stdout
    return {f["name"]: f for f in json.loads(out)}



class Daemon:
    def __init__(self, veilled, work):
        self.log_path = os.path.join(work.path, "veilled.log")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([veilled, "--config", work.config], stdout=self.log,
                                     stderr=self.log)

    def text(self):
        with open(self.log_path, encoding="utf-8") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def backlog(prefix, n):
    return [("%s%d" % (prefix, i), "Orélia, épisode %d" % i) for i in range(n)]


def first_poll_alerts_are_said(a, c):
    with harness.Workdir() as work:
        root = os.path.join(work.path, "feeds")
        os.makedirs(root)
        with harness.FeedServer(root) as server:
            config = HEAD.format(port=server.port, interval="30m")
            for name, extra in (("a", ""), ("b", ""), ("c", "backfill_alerts = true")):
                harness.write_atomic(os.path.join(root, name + ".xml"), rss(backlog(name, 2)))
                config += FEED.format(url=server.url(name + ".xml"), name=name, extra=extra)
            work.write_config(config)
            once = harness.run([a.veilled, "--config", work.config, "--once"])
            c.check("cycle done: 3 feeds polled, 3 ok, 0 failed, 6 new entries, 6 new mentions"
                    in once.stderr, "--once prints the cycle line")
            c.check("4 alerts not sent: first poll of 2 feeds; set backfill_alerts = true to send "
                    "them" in once.stderr,
                    "the cycle line says which alerts the first poll did not send, and why")
            out = harness.run([a.veille, "--config", work.config, "outbox"]).stdout
            c.check("4 alerts not sent: first poll of 2 feeds" in out,
                    "veille outbox sums the unsent alerts up by reason")
            c.check(out.count("suppressed") >= 4, "... and lists them as suppressed rows")
            again = harness.run([a.veilled, "--config", work.config, "--once"])
            c.check("not sent" not in again.stderr, "a second cycle has nothing to say about it")


def interval_is_honoured(a, c):
    with harness.Workdir() as work:
        root = os.path.join(work.path, "feeds")
        os.makedirs(root)
        with harness.FeedServer(root) as server:
            config = HEAD.format(port=server.port, interval="4s")
            # A backlog of 20 entries at the first poll: the old cadence (7 days / entries first
            # seen in the week) put this feed at 8.4 hours.
            harness.write_atomic(os.path.join(root, "busy.xml"), rss(backlog("b", 20)))
            config += FEED.format(url=server.url("busy.xml"), name="busy", extra="")
            # A publisher asking for 60 minutes: ignored unless the feed opts in.
            harness.write_atomic(os.path.join(root, "ttl.xml"), rss(backlog("t", 1), ttl=60))
            config += FEED.format(url=server.url("ttl.xml"), name="ttl", extra="")
            config += FEED.format(url=server.url("ttl.xml?honoured"), name="honoured",
                                  extra="honor_publisher_interval = true")
            work.write_config(config)
            d = Daemon(a.veilled, work)
            try:
                c.check(harness.wait_for(lambda: "cycle done: 3 feeds polled" in d.text(), 20),
                        "the daemon logs a cycle line after its first pass")
                c.check("alerts not sent: first poll of 3 feeds" in d.text(),
                        "... with the alerts the first polls did not send")
                f = feeds(a.veille, work.config)
                for name in ("busy", "ttl"):
                    gap = parse_time(f[name]["next_poll"]) - parse_time(f[name]["last_fetch"])
                    c.check(0 < gap <= 4, "%s: next poll within the 4 s interval (got %ds)"
                            % (name, gap))
                gap = parse_time(f["honoured"]["next_poll"]) - parse_time(
                    f["honoured"]["last_fetch"])
                c.check(54 * 60 <= gap <= 3600,
                        "an opted-in feed follows its 60 min ttl (got %ds)" % gap)
                # A new article arrives within the interval.
                harness.write_atomic(os.path.join(root, "busy.xml"),
                      rss([("new", "Orélia ouvre à Lyon")] + backlog("b", 20)))
                added = time.time()
                seen = harness.wait_for(lambda: "poll busy outcome=ok new_entries=1" in d.text(), 10)
                c.check(seen and time.time() - added <= 4 + 2,
                        "an article added to the feed is stored within the interval (%.1fs)"
                        % (time.time() - added))
                honoured = len(server.requests_for("ttl.xml?honoured"))
                c.check(honoured == 1, "the opted-in feed was not polled again (%d)" % honoured)
            finally:
                c.check(d.stop() == 0, "the daemon stops cleanly")


def schedule_follows_reload_and_restart(a, c):
    with harness.Workdir() as work:
        root = os.path.join(work.path, "feeds")
        os.makedirs(root)
        harness.write_atomic(os.path.join(root, "f.xml"), rss(backlog("f", 3)))
        with harness.FeedServer(root) as server:
            def config(interval):
                return HEAD.format(port=server.port, interval=interval) + FEED.format(
                    url=server.url("f.xml"), name="f", extra="")

            def gap():
                f = feeds(a.veille, work.config)["f"]
                return parse_time(f["next_poll"]) - parse_time(f["last_fetch"])

            work.write_config(config("1h"))
            d = Daemon(a.veilled, work)
            try:
                c.check(harness.wait_for(lambda: len(server.requests_for("f.xml")) == 1, 10),
                        "first poll")
                c.check(harness.wait_for(lambda: feeds(a.veille, work.config)["f"]["last_fetch"], 5),
                        "the first poll is committed")
                c.check(gap() > 50 * 60, "next poll about an hour later (%ds)" % gap())
                work.write_config(config("3s"))
                d.proc.send_signal(signal.SIGHUP)
                c.check(harness.wait_for(lambda: gap() <= 3, 5),
                        "after a reload to 3 s, veille feeds shows the new next poll")
                c.check(harness.wait_for(lambda: len(server.requests_for("f.xml")) >= 2, 6),
                        "... and the daemon polls then")
                work.write_config(config("1h"))
                d.proc.send_signal(signal.SIGHUP)
                polls = len(server.requests_for("f.xml"))
                c.check(harness.wait_for(lambda: gap() > 50 * 60, 8),
                        "back at 1 h, the next poll is an hour away again")
                time.sleep(2)
                c.check(len(server.requests_for("f.xml")) <= polls + 1,
                        "... and the 3 s polls stop")
            finally:
                c.check(d.stop() == 0, "the daemon stops cleanly")
            work.write_config(config("3s"))
            d = Daemon(a.veilled, work)
            try:
                c.check(harness.wait_for(lambda: gap() <= 3, 5),
                        "after a restart with 3 s, veille feeds shows the daemon's schedule")
                before = len(server.requests_for("f.xml"))
                c.check(harness.wait_for(lambda: len(server.requests_for("f.xml")) > before, 6),
                        "... and the daemon polls then")
            finally:
                c.check(d.stop() == 0, "the daemon stops cleanly")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=False)
    a = ap.parse_args()
    c = harness.Checks()
    first_poll_alerts_are_said(a, c)
    interval_is_honoured(a, c)
    schedule_follows_reload_and_restart(a, c)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
