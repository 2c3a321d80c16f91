#!/usr/bin/python3
"""The daemon's loop never waits on a slow peer (issue 17). A real SMTP server (aiosmtpd) takes a
whole alert and then sits on its reply to "." (RFC 1047's window) for as long as the test wants,
while a reload adds 200 feeds served by a local HTTP server:

- every one of the 200 feeds is polled and committed while the send still hangs, before the
  daemon has recorded any attempt for that alert (a loop blocked in the send would first have to
  wait for the SMTP timeout, 60 s here, and would record the attempt before polling again);
- once the server answers, the alert is delivered, one copy, one attempt;
- SIGTERM while another send hangs: the daemon stops promptly (not after the SMTP timeout), the
  row stays pending with no attempt counted, and the next start sends it again under the same
  Message-ID (at most one extra copy, RFC 1047).
"""

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ALERT_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "alert")
FEEDS = 200

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
host_spacing = "0"
per_host = 8
interval = "30m"
timeout = "10s"
[[rule]]
name = "marque"
query = "Orélia"
channels = ["mail"]
[[channel]]
name = "mail"
type = "email"
smtp_url = "smtp://127.0.0.1:{smtp_port}"
tls = "none"
from = "veille <veille@example.org>"
to = ["com@example.org"]
timeout = "60s"
"""


def rss(title, items):
    body = "".join("<item><title>%s</title><link>https://n.example/%s</link><guid>%s</guid>"
                   "<description>%s</description></item>" % (t, g, g, t) for g, t in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title>'
            "<link>https://n.example/</link>%s</channel></rss>" % (title, body))


def feed_block(url, name, backfill):
    return '[[feed]]\nurl = "%s"\nname = "%s"\n%s' % (
        url, name, "backfill_alerts = true\n" if backfill else "")


class Sink:
    """tests/alert/smtp_sink.py in hang-until mode: every DATA waits until `release` exists."""

    def __init__(self, record, release):
        self.record = record
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ALERT_TESTS, "smtp_sink.py"), "--record", record,
             "--mode", "hang-until:" + release],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline().split()[1])

    def notes(self, note):
        if not os.path.exists(self.record):
            return []
        with open(self.record, encoding="utf-8") as f:
            return [r for r in (json.loads(l) for l in f if l.strip()) if r["note"] == note]

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.Workdir() as work:
        site = os.path.join(work.path, "site")
        os.mkdir(site)
        harness.write_atomic(os.path.join(site, "alert1.xml"),
                             rss("Presse", [("a1", "Orélia ouvre une boutique")]))
        harness.write_atomic(os.path.join(site, "alert2.xml"),
                             rss("Presse 2", [("a2", "Orélia recrute à Lyon")]))
        for i in range(FEEDS):
            harness.write_atomic(os.path.join(site, "f%03d.xml" % i), rss(
                "Flux %d" % i, [("f%d-%d" % (i, k), "Article %d du flux %d" % (k, i))
                                for k in range(3)]))
        release = os.path.join(work.path, "release")
        sink = Sink(os.path.join(work.path, "smtp.jsonl"), release)
        log_path = os.path.join(work.path, "veilled.log")
        db_path = os.path.join(work.path, "veille.db")
        daemon = None
        with harness.FeedServer(site) as server:
            base = CONFIG.format(port=server.port, smtp_port=sink.port)
            alert1 = feed_block(server.url("alert1.xml"), "Alerte", True)
            alert2 = feed_block(server.url("alert2.xml"), "Alerte 2", True)
            many = "".join(feed_block(server.url("f%03d.xml" % i), "Flux %d" % i, False)
                           for i in range(FEEDS))

            def log():
                with open(log_path, encoding="utf-8") as f:
                    return f.read()

            def reload(text):
                work.write_config(text)
                seen = log().count("reload: ")
                daemon.send_signal(signal.SIGHUP)
                if not harness.wait_for(lambda: log().count("reload: ") > seen, 40):
                    raise AssertionError("no reload line:\n" + log()[-2000:])

            def scalar(sql):
                db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
                try:
                    return db.execute(sql).fetchone()[0]
                finally:
                    db.close()

            def polled():
                return scalar("SELECT COUNT(*) FROM feeds WHERE last_fetch_at IS NOT NULL "
                              "AND name LIKE 'Flux %'")

            def row(title_like):
                """(status, attempts, idempotency key) of the alert on the entry so titled."""
                db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
                try:
                    return db.execute(
                        "SELECT o.status, o.attempts, o.idempotency_key FROM outbox o "
                        "JOIN mentions m ON m.id = o.mention_id "
                        "JOIN entries e ON e.id = m.entry_id WHERE e.title LIKE ?",
                        (title_like,)).fetchone()
                finally:
                    db.close()

            try:
                work.write_config(base + alert1)
                with open(log_path, "w") as out:
                    daemon = subprocess.Popen([a.veilled, "--config", work.config], stdout=out,
                                              stderr=out)
                c.check(harness.wait_for(lambda: len(sink.notes("hang")) == 1, 30),
                        "the first alert reached DATA and the server sits on its reply")

                # 200 new feeds while the send hangs: a reload makes them due at once.
                start = time.monotonic()
                reload(base + alert1 + many)
                all_polled = harness.wait_for(lambda: polled() == FEEDS, 50, step=0.1)
                elapsed = time.monotonic() - start
                first = row("Orélia ouvre%")
                c.check(all_polled, "all %d feeds polled and committed while the send hangs "
                        "(%d after %.1f s)" % (FEEDS, polled(), elapsed))
                c.check(scalar("SELECT COUNT(*) FROM entries") == 3 * FEEDS + 1,
                        "their %d entries are stored" % (3 * FEEDS))
                c.check(first is not None and first[0] == "pending" and first[1] == 0,
                        "... before any attempt of the hung alert was recorded: %r" % (first,))
                c.check(not sink.notes("answered"), "the server had still not answered")

                harness.write_atomic(release, "go\n")
                delivered = harness.wait_for(lambda: row("Orélia ouvre%")[0] == "delivered", 20)
                first = row("Orélia ouvre%")
                c.check(delivered and first[1] == 1,
                        "once the server answers, the alert is recorded delivered after one "
                        "attempt: %r" % (first,))
                copies = sink.notes("hang")
                c.check(len(copies) == 1
                        and copies[0]["message_id"] == "<%s@example.org>" % first[2],
                        "one copy at the server, Message-ID = the idempotency key")

                # SIGTERM while a second alert hangs.
                os.remove(release)
                reload(base + alert1 + many + alert2)
                c.check(harness.wait_for(lambda: len(sink.notes("hang")) == 2, 30),
                        "a second alert reached DATA and hangs")
                stop_at = time.monotonic()
                daemon.send_signal(signal.SIGTERM)
                try:
                    code = daemon.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    code = daemon.wait()
                stop_s = time.monotonic() - stop_at
                c.check(code == 0 and stop_s < 20, "SIGTERM with a send in flight: exit %s "
                        "after %.1f s, not after the 60 s SMTP timeout" % (code, stop_s))
                c.check("sends still in flight at stop" in log(),
                        "the stop says the send was left pending")
                second = row("Orélia recrute%")
                c.check(second is not None and second[0] == "pending" and second[1] == 0,
                        "the cut send is pending with no attempt counted: %r" % (second,))

                harness.write_atomic(release, "go\n")
                again = harness.run([a.veilled, "--config", work.config, "--once"], timeout=120)
                second = row("Orélia recrute%")
                c.check(second[0] == "delivered" and second[1] == 1,
                        "the next start delivers it: %r" % (second,))
                ids = [r["message_id"] for r in sink.notes("hang")[1:]]
                c.check(len(ids) == 2 and ids[0] == ids[1] == "<%s@example.org>" % second[2],
                        "... under the same Message-ID (one extra copy, RFC 1047): %r" % ids)
                c.check("sends still in flight" not in again.stderr, "nothing left in flight")
                integrity = scalar("PRAGMA integrity_check")
                c.check(integrity == "ok", "integrity_check ok")
            finally:
                if daemon is not None and daemon.poll() is None:
                    daemon.kill()
                    daemon.wait()
                sink.close()
                if c.failed:
                    print(log()[-3000:])
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
