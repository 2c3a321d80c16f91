#!/usr/bin/python3
"""Crash safety of alert delivery: veilled delivers to a slow webhook receiver and a real SMTP
server and is killed with SIGKILL again and again in the middle of it; after the last restart
every alert is delivered, every id reached its receiver, and an id arrives twice only for
attempts that were in flight when a kill landed (the documented ambiguous window)."""

import argparse
import base64
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from alerts_test import Sink  # noqa: E402

SECRET = "whsec_" + base64.b64encode(b"crash-test-secret-0123456789abcd").decode()
PER_CHANNEL_IN_FLIGHT = 4  # alert::kPerChannelTransfers

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}", "127.0.0.1:{hook_port}"]
timeout = "10s"
interval = "24h"
[[feed]]
url = "{blog}"
name = "Blog"
backfill_alerts = true
[[feed]]
url = "{news}"
name = "News"
backfill_alerts = true
[[feed]]
url = "{atom}"
name = "Presse"
backfill_alerts = true
[[feed]]
url = "{alerts}"
name = "Alerts"
backfill_alerts = true
[[rule]]
name = "marque"
query = '''Orélia OR "Orelia Paris"'''
channels = ["hook", "mail"]
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa'''
channels = ["hook", "mail"]
[[rule]]
name = "secteur"
category = "sector"
query = '''"médias sociaux" OR "social media strategy" OR "e-réputation"'''
channels = ["hook", "mail"]
[[channel]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:{hook_port}/hook"
secret_file = "hook.secret"
[[channel]]
name = "mail"
type = "email"
smtp_url = "smtp://127.0.0.1:{smtp_port}"
tls = "none"
from = "veille <veille@example.org>"
to = ["com@example.org"]
"""


def pending(db_path):
    try:
        db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=5)
        n = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
        total = db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        db.close()
        return n, total
    except sqlite3.Error:
        return None, 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    rng = random.Random(a.seed)
    print("seed %d" % a.seed)
    c = harness.Checks()

    with harness.FeedServer(a.feeds) as server, harness.Workdir() as work:
        hook = Sink("webhook_sink.py", os.path.join(work.path, "hook.jsonl"), "--mode",
                    "hang:0.4", "--secret", SECRET)
        smtp = Sink("smtp_sink.py", os.path.join(work.path, "smtp.jsonl"))
        db_path = os.path.join(work.path, "veille.db")
        try:
            with open(os.path.join(work.path, "hook.secret"), "w") as f:
                f.write(SECRET)
            work.write_config(CONFIG.format(
                port=server.port, hook_port=hook.port, smtp_port=smtp.port,
                blog=server.url("blog-marketing.xml"), news=server.url("news-en.xml"),
                atom=server.url("presse-atom.xml"), alerts=server.url("google-alerts.xml")))
            kills = 0
            log = open(os.path.join(work.path, "veilled.log"), "w")
            for _ in range(a.kills):
                proc = subprocess.Popen([a.veilled, "--config", work.config], stdout=log,
                                        stderr=log)
                time.sleep(rng.uniform(0.3, 1.5))
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
                n, total = pending(db_path)
                if n == 0 and total > 0:
                    break
            log_path = os.path.join(work.path, "veilled.log")

            def starts():
                with open(log_path, encoding="utf-8", errors="replace") as f:
                    return f.read().count(" started: ")

            before = starts()
            proc = subprocess.Popen([a.veilled, "--config", work.config], stdout=log, stderr=log)
            start = time.monotonic()
            # Past start-up: its signal handlers are installed before the "started" line (a
            # SIGTERM sooner would end it with -15; a fixed wait was outrun by a slow ASan start).
            harness.wait_for(lambda: starts() > before or proc.poll() is not None, 30)
            while time.monotonic() - start < 60:
                n, total = pending(db_path)
                if n == 0 and total > 0:
                    break
                time.sleep(0.2)
            drained = time.monotonic() - start
            proc.send_signal(signal.SIGTERM)
            c.check(proc.wait(timeout=30) == 0, "veilled stops cleanly after the kill loop")
            log.close()

            db = sqlite3.connect(db_path)
            # An article that several rules matched is one message, whose id is its first row's
            # key, recorded in digest_key on each row it carried (docs/alerts.md).
            rows = db.execute("SELECT o.channel, COALESCE(o.digest_key, o.idempotency_key), "
                              "o.status, m.entry_id FROM outbox o "
                              "JOIN mentions m ON m.id = o.mention_id").fetchall()
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            orphans = db.execute("SELECT COUNT(*) FROM outbox o LEFT JOIN mentions m "
                                 "ON m.id = o.mention_id WHERE m.id IS NULL").fetchone()[0]
            db.close()
            print("kills %d, alerts %d, drained %.1f s after the last restart"
                  % (kills, len(rows), drained))
            c.check(integrity == "ok" and orphans == 0, "integrity_check ok, no orphan outbox row")
            c.check(len(rows) > 0 and all(r[2] == "delivered" for r in rows),
                    "every alert is delivered after the kills (%d)" % len(rows))
            for channel, sink, key in (("hook", hook, "id"), ("mail", smtp, "message_id")):
                expected = {r[1] for r in rows if r[0] == channel}
                articles = {r[3] for r in rows if r[0] == channel}
                c.check(len(expected) == len(articles),
                        "%s: one message per article (%d ids, %d articles, %d rows)"
                        % (channel, len(expected), len(articles),
                           sum(1 for r in rows if r[0] == channel)))
                got = [rec[key] for rec in sink.records()]
                if channel == "mail":
                    got = [g.strip("<>").split("@")[0] for g in got]
                unique = set(got)
                duplicates = len(got) - len(unique)
                print("%s: expected %d, unique delivered %d, raw duplicates %d"
                      % (channel, len(expected), len(unique), duplicates))
                c.check(unique == expected, "%s: every id reached the receiver, none invented"
                        % channel)
                c.check(duplicates <= kills * PER_CHANNEL_IN_FLIGHT,
                        "%s: duplicates (%d) only from attempts in flight at a kill (<= %d)"
                        % (channel, duplicates, kills * PER_CHANNEL_IN_FLIGHT))
            c.check(all(r["signature_valid"] for r in hook.records()),
                    "every webhook signature verifies")
        finally:
            hook.close()
            smtp.close()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
