#!/usr/bin/python3
"""Alerts on PostgreSQL (issue 18), end to end: veilled --once on a throwaway PostgreSQL server
(pg_server.py) polls the sample feeds from a local HTTP server and delivers every mention's
alert to a local webhook receiver, exactly once; `veille outbox` lists the rows; a second run
sends nothing again; a refused channel's dead rows are requeued by `veille outbox retry
--all-dead` (which, before, looked for a file named after the postgresql:// URL); a database
without veille's schema, or an SQLite file that does not exist, is one clear error line."""

import argparse
import base64
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from pg_server import PgServer  # noqa: E402

ALERT_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "alert")
SECRET = "whsec_" + base64.b64encode(b"pg-system-test-secret-0123456789").decode()

CONFIG = """
[daemon]
database = "{database}"
lock_file = "veilled.lock"
[polling]
allow_private = ["127.0.0.1:{port}", "127.0.0.1:{hook_port}", "127.0.0.1:{bad_port}"]
timeout = "10s"
[[feed]]
url = "{blog}"
name = "Blog"
backfill_alerts = true
[[feed]]
url = "{news}"
name = "News"
backfill_alerts = true
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia OR "Orelia Paris"'''
exclude = '''emploi OR recrute'''
channels = ["hook"]
[[rule]]
name = "crise"
category = "crisis"
query = "crise"
channels = ["hook"]
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa'''
channels = ["refus"]
[[channel]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:{hook_port}/hook"
secret_file = "hook.secret"
timeout = "5s"
[[channel]]
name = "refus"
type = "webhook"
url = "http://127.0.0.1:{bad_port}/hook"
timeout = "5s"
"""


class Sink:
    """tests/alert/webhook_sink.py as a child process; records one JSON line per request."""

    def __init__(self, record, *args):
        self.record = record
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ALERT_TESTS, "webhook_sink.py"), "--record", record,
             *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True)
        self.port = int(self.proc.stdout.readline().split()[1])

    def records(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

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
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with PgServer() as pg, harness.FeedServer(a.feeds) as server, harness.Workdir() as work:
        hook = Sink(os.path.join(work.path, "hook.jsonl"), "--secret", SECRET)
        bad = Sink(os.path.join(work.path, "bad.jsonl"), "--mode", "status:400")
        try:
            with open(os.path.join(work.path, "hook.secret"), "w") as f:
                f.write(SECRET + "\n")

            def config(database):
                return CONFIG.format(database=database, port=server.port, hook_port=hook.port,
                                     bad_port=bad.port, blog=server.url("blog-marketing.xml"),
                                     news=server.url("news-en.xml"))

            def veille(*args, check=True):
                return harness.run([a.veille, "--config", work.config, *args], check=check)

            def outbox(*extra):
                return json.loads(veille("outbox", "--json", "--limit", "0", *extra).stdout)

            # Before any daemon ran: an SQLite file that is not there, a PostgreSQL database
            # without veille's schema. One line each, exit status 1, nothing created.
            work.write_config(config(os.path.join(work.path, "missing.db")))
            p = veille("outbox", "retry", "--all-dead", check=False)
            c.check(p.returncode == 1 and "no database at" in p.stderr
                    and len(p.stderr.strip().splitlines()) == 1
                    and not os.path.exists(os.path.join(work.path, "missing.db")),
                    "retry on a missing SQLite file: one clear error (%r)" % p.stderr)
            work.write_config(config(pg.url))
            p = veille("outbox", "retry", "--all-dead", check=False)
            c.check(p.returncode == 1 and "is not a veille database" in p.stderr
                    and "postgresql" in p.stderr and len(p.stderr.strip().splitlines()) == 1,
                    "retry on a PostgreSQL database without the schema: one clear error (%r)"
                    % p.stderr)

            first = harness.run([a.veilled, "--config", work.config, "--once"], timeout=120)
            mentions = harness.mentions(a.veille, work.config)
            rows = outbox()
            hook_rows = [r for r in rows if r["channel"] == "hook"]
            refused = [r for r in rows if r["channel"] == "refus"]
            routed = [m for m in mentions if m["rule"] in ("marque", "crise")]
            c.check(len(routed) > 0 and len(hook_rows) == len(routed),
                    "one outbox row per mention on the webhook channel (%d mentions, %d rows)"
                    % (len(routed), len(hook_rows)))
            c.check(all(r["status"] == "delivered" and r["attempts"] == 1 for r in hook_rows),
                    "veilled --once on PostgreSQL delivered every alert at the first attempt: %r"
                    % sorted({(r["status"], r["last_error"]) for r in hook_rows}))

            # One webhook per article (the rows of one entry travel together, under the first
            # row's key); every delivered row's message arrived exactly once.
            hooks = hook.records()
            ids = [h["id"] for h in hooks]
            carried = {r["digest"] or r["idempotency_key"] for r in hook_rows}
            c.check(len(ids) == len(set(ids)), "no webhook arrived twice (%d received)" % len(ids))
            c.check(set(ids) == carried,
                    "every row's alert arrived: the webhook-ids are the rows' messages "
                    "(%d ids, %d messages)" % (len(set(ids)), len(carried)))
            c.check(all(h["signature_valid"] for h in hooks), "every webhook signature verifies")
            bodies = [json.loads(h["body"]) for h in hooks]
            alerted = {(b["entry"]["link"], r["name"]) for b in bodies for r in b["rules"]}
            c.check(len(alerted) == len(routed),
                    "the webhooks name every (entry, rule) mention once (%d of %d)"
                    % (len(alerted), len(routed)))

            table = veille("outbox")
            c.check("%d delivered" % len(hook_rows) in table.stdout and "LAST ERROR" in table.stdout,
                    "`veille outbox` shows the counts and the rows: %r"
                    % table.stdout.splitlines()[:2])
            c.check(len(refused) > 0 and all(r["status"] == "dead" and "HTTP 400"
                                             in (r["last_error"] or "") for r in refused),
                    "a 400 answer is dead after one attempt, with the reason")

            harness.run([a.veilled, "--config", work.config, "--once"], timeout=120)
            c.check(len(hook.records()) == len(hooks), "a second run sends nothing again")

            bad_before = len(bad.records())
            retry = veille("outbox", "retry", "--all-dead")
            c.check(retry.stdout.startswith("%d dead alert" % len(refused)),
                    "veille outbox retry --all-dead works on PostgreSQL: " + retry.stdout.strip())
            c.check(len(outbox("--status", "pending")) == len(refused), "... as pending rows")
            harness.run([a.veilled, "--config", work.config, "--once"], timeout=120)
            c.check(len(bad.records()) == bad_before + len(refused),
                    "the next run attempts them once more")
            one = veille("outbox", "retry", str(hook_rows[0]["id"]), check=False)
            c.check(one.returncode == 1, "retry refuses a delivered alert (never sent twice)")
            c.check(SECRET not in first.stderr, "the webhook secret is never logged")
        finally:
            hook.close()
            bad.close()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
