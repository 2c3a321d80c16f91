#!/usr/bin/python3
"""End to end: veilled --once polls the sample feeds from a local HTTP server and delivers the
alerts by email to a real SMTP server (aiosmtpd) and by signed webhook to a local receiver, in
one command; a temporary SMTP refusal is retried within the run; a second run sends nothing
again; dead alerts show in `veille outbox` and `veille outbox retry --all-dead` requeues them.
An article that two rules match (marque and crise) is one mail and one webhook naming both.
Every rule in a webhook body names its entity (issue 19), and the mails say it under the rules
when it differs from the rule's name; the French pass changes marque's entity, and its alerts
carry the new one."""

import argparse
import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ALERT_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "alert")
SECRET = "whsec_" + base64.b64encode(b"system-test-secret-0123456789ab").decode()

CONFIG = """
[daemon]
database = "veille.db"
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
entity = "Orélia"
query = '''Orélia OR "Orelia Paris"'''
exclude = '''emploi OR recrute'''
channels = ["mail", "hook", "ops"]
[[rule]]
name = "crise"
category = "crisis"
query = "crise"
channels = ["mail", "hook"]
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa'''
channels = ["refus"]
[[channel]]
name = "mail"
type = "email"
smtp_url = "smtp://127.0.0.1:{smtp_port}"
tls = "none"
from = "veille <veille@example.org>"
to = ["com@example.org"]
timeout = "5s"
[[channel]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:{hook_port}/hook"
secret_file = "hook.secret"
hub_signature = true
timeout = "5s"
[[channel]]
name = "ops"
type = "log"
spike_alerts = true
feed_health_alerts = true
[[channel]]
name = "refus"
type = "webhook"
url = "http://127.0.0.1:{bad_port}/hook"
timeout = "5s"
"""


class Sink:
    """One of tests/alert's sinks as a child process; records JSON lines."""

    def __init__(self, script, record, *args):
        self.record = record
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(ALERT_TESTS, script), "--record", record, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline().split()[1])

    def records(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record, encoding="utf-8") as f:
            return [json.loads(l) for l in f if l.strip()]

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def outbox(veille, config, *extra):
    p = harness.run([veille, "--config", config, "outbox", "--json", "--limit", "0", *extra])
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.FeedServer(a.feeds) as server, harness.Workdir() as work:
        smtp = Sink("smtp_sink.py", os.path.join(work.path, "smtp.jsonl"), "--mode", "tempfail:1")
        hook = Sink("webhook_sink.py", os.path.join(work.path, "hook.jsonl"), "--secret", SECRET)
        bad = Sink("webhook_sink.py", os.path.join(work.path, "bad.jsonl"), "--mode", "status:400")
        try:
            with open(os.path.join(work.path, "hook.secret"), "w") as f:
                f.write(SECRET + "\n")
            work.write_config(CONFIG.format(
                port=server.port, smtp_port=smtp.port, hook_port=hook.port, bad_port=bad.port,
                blog=server.url("blog-marketing.xml"), news=server.url("news-en.xml")))
            check = harness.run([a.veille, "check-config", work.config], check=False)
            c.check(check.returncode == 0, "check-config accepts email and webhook channels: "
                    + check.stdout.strip() + check.stderr.strip())

            start = time.monotonic()
            first = harness.run([a.veilled, "--config", work.config, "--once"], timeout=90)
            elapsed = time.monotonic() - start
            rows = outbox(a.veille, work.config)
            mail_rows = [r for r in rows if r["channel"] == "mail"]
            hook_rows = [r for r in rows if r["channel"] == "hook"]
            c.check(all(r["status"] == "delivered" for r in rows if r["channel"] == "ops"),
                    "the log channel delivered too")
            c.check(len(mail_rows) > 0 and len(mail_rows) == len(hook_rows),
                    "one outbox row per mention and channel (%d mail, %d hook)"
                    % (len(mail_rows), len(hook_rows)))
            c.check(all(r["status"] == "delivered" for r in mail_rows + hook_rows),
                    "veilled --once delivered every alert in one run, including the SMTP 451 "
                    "retried after 5 s (%.1f s)" % elapsed)
            c.check(elapsed < 45, "the run ended well before the 60 s delivery deadline")

            # One alert per article: the rows of one entry (one per rule) travel together, under
            # the key of the first row.
            def per_article(rows):
                articles = {}
                for r in sorted(rows, key=lambda r: r["id"]):
                    articles.setdefault(r["title"], []).append(r)
                return articles
            mail_articles = per_article(mail_rows)
            merged = [t for t, rs in mail_articles.items() if len(rs) == 2]
            c.check(len(merged) == 1 and [r["rule"] for r in mail_articles[merged[0]]]
                    == ["marque", "crise"], "one article matched both marque and crise: %r"
                    % merged)
            mails = smtp.records()
            ids = [m["message_id"] for m in mails]
            keys = {"<%s@example.org>" % rs[0]["idempotency_key"] for rs in mail_articles.values()}
            c.check(len(ids) == len(mail_articles) and set(ids) == keys,
                    "one mail per article (%d mails for %d rows), Message-ID = the first row's "
                    "idempotency key" % (len(ids), len(mail_rows)))
            # marque is about Orélia (its entity key); crise, without one, is about itself.
            titles = {"[veille] " + ", ".join(r["rule"] for r in rs) + " (Orélia): " + t
                      for t, rs in mail_articles.items()}
            c.check({m["subject"] for m in mails} == titles,
                    "decoded subjects equal '[veille] marque (Orélia): <title>' and '[veille] "
                    "marque, crise (Orélia): <title>' (RFC 2047): %r"
                    % sorted({m["subject"] for m in mails} ^ titles)[:4])
            c.check(all(r["digest"] == rs[0]["idempotency_key"] for t in merged
                        for rs in [mail_articles[t]] for r in rs),
                    "both rows of the merged alert record the message that carried them")
            c.check(all(m["defects"] == 0 and m["valid_utf8"] and m["max_line"] <= 78
                        and m["content_type"] == "multipart/alternative" for m in mails),
                    "every mail is valid MIME, UTF-8, lines within 78 characters")
            c.check(any("Orélia" in (m["html"] or "") and "<mark>" in (m["html"] or "")
                        for m in mails), "the HTML part highlights the matched term")

            hooks = hook.records()
            hook_articles = per_article(hook_rows)
            c.check({h["id"] for h in hooks}
                    == {rs[0]["idempotency_key"] for rs in hook_articles.values()}
                    and len(hooks) == len(hook_articles),
                    "one webhook per article, webhook-id = its first row's idempotency key")
            c.check(all(h["signature_valid"] and h["hub_valid"] and h["fresh"] for h in hooks),
                    "every webhook signature verifies (Standard Webhooks and X-Hub-Signature-256)")
            bodies = [json.loads(h["body"]) for h in hooks]
            c.check(all(b["version"] == 1 and b["type"] == "mention.created"
                        and b["rule"]["name"] == "marque" and b["entry"]["link"] for b in bodies),
                    "webhook bodies follow schema version 1")
            c.check(sorted(len(b["rules"]) for b in bodies)
                    == sorted(len(rs) for rs in hook_articles.values())
                    and any([r["name"] for r in b["rules"]] == ["marque", "crise"]
                            for b in bodies),
                    "the merged webhook lists both rules in 'rules'")
            entities = {"marque": "Orélia", "crise": "crise"}  # crise has no entity key
            c.check(all(r["entity"] == entities[r["name"]]
                        for b in bodies for r in [b["rule"]] + b["rules"]),
                    "every rule of every webhook body names its entity: %r"
                    % [[r.get("entity") for r in b["rules"]] for b in bodies])
            c.check(all(("Entity: Orélia" in m["text"] and "Entity: Orélia" in (m["html"] or ""))
                        == m["subject"].startswith("[veille] marque") for m in mails)
                    and not any("Entities" in m["text"] or "Entity: crise" in m["text"]
                                for m in mails),
                    "the mails of marque say 'Entity: Orélia'; crise, about itself, adds nothing")

            refused = [r for r in rows if r["channel"] == "refus"]
            c.check(len(refused) > 0 and all(r["status"] == "dead" and r["attempts"] == 1
                                             and "HTTP 400" in (r["last_error"] or "")
                                             for r in refused),
                    "a 400 answer is dead after one attempt, with the reason")
            c.check("alert dead" in first.stderr, "dead alerts are reported in the log")
            dead = outbox(a.veille, work.config, "--status", "dead")
            c.check(len(dead) == len(refused), "veille outbox --status dead lists them")
            table = harness.run([a.veille, "--config", work.config, "outbox"])
            c.check("%d dead" % len(refused) in table.stdout and "LAST ERROR" in table.stdout,
                    "the outbox table shows the counts per status and the last errors")

            events = harness.run([a.veille, "--config", work.config, "outbox", "--events"])
            c.check("No spike or feed-health alerts." in events.stdout,
                    "veille outbox --events: no spike on a store without history")

            second = harness.run([a.veilled, "--config", work.config, "--once"], timeout=90)
            c.check(len(smtp.records()) == len(mails) and len(hook.records()) == len(hooks),
                    "a second run sends nothing again")
            bad_before = len(bad.records())
            c.check(bad_before == len(refused), "the dead alerts were tried once each")

            retry = harness.run([a.veille, "--config", work.config, "outbox", "retry",
                                 "--all-dead"])
            c.check(retry.stdout.startswith("%d dead alert" % len(refused)),
                    "veille outbox retry --all-dead requeues them: " + retry.stdout.strip())
            pending = outbox(a.veille, work.config, "--status", "pending")
            c.check(len(pending) == len(refused), "... as pending rows")
            harness.run([a.veilled, "--config", work.config, "--once"], timeout=90)
            c.check(len(bad.records()) == bad_before + len(refused),
                    "the next run attempts them once more")
            one = harness.run([a.veille, "--config", work.config, "outbox", "retry",
                               str(mail_rows[0]["id"])], check=False)
            c.check(one.returncode == 1, "retry refuses a delivered alert (never sent twice)")

            # [daemon] language = "fr": the next alerts are written in French; the JSON webhook
            # is the same in every language.
            sent_mails, sent_hooks = len(smtp.records()), len(hook.records())
            work.write_config(CONFIG.format(
                port=server.port, smtp_port=smtp.port, hook_port=hook.port, bad_port=bad.port,
                blog=server.url("blog-marketing.xml"), news=server.url("news-en.xml"))
                .replace('database = "veille.db"', 'database = "veille.db"\nlanguage = "fr"')
                .replace('entity = "Orélia"', 'entity = "Orélia SA"')
                + '[[feed]]\nurl = "%s"\nname = "Presse"\nbackfill_alerts = true\n'
                % server.url("presse-atom.xml"))
            harness.run([a.veilled, "--config", work.config, "--once"], timeout=90)
            french = smtp.records()[sent_mails:]
            c.check(len(french) > 0 and all(
                re.match(r"\[veille\] [^:]+ : ", m["subject"]) and "Flux : Presse" in m["text"]
                and "Termes : " in m["text"] and 'lang="fr"' in (m["html"] or "")
                for m in french),
                "with language = \"fr\" the mails are French: %r"
                % [m["subject"] for m in french])
            new_hooks = [json.loads(h["body"]) for h in hook.records()[sent_hooks:]]
            c.check(len(new_hooks) > 0 and all(b["version"] == 1 and "rules" in b
                                               and b["type"] == "mention.created"
                                               for b in new_hooks),
                    "... and the JSON webhook keeps its English schema")
            c.check(all("Entité : Orélia SA" in m["text"] and "(Orélia SA) : " in m["subject"]
                        for m in french)
                    and all(r["entity"] == "Orélia SA" for b in new_hooks
                            for r in [b["rule"]] + b["rules"] if r["name"] == "marque"),
                    "the alerts after the config change name marque's new entity, in French "
                    "in the mails ('Entité : Orélia SA', and in their subjects)")

            db = sqlite3.connect(os.path.join(work.path, "veille.db"))
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
            c.check(integrity == "ok", "integrity_check ok")
            c.check(SECRET not in first.stderr + second.stderr, "the webhook secret is never logged")
        finally:
            smtp.close()
            hook.close()
            bad.close()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
