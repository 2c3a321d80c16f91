"""Secrets (RELIABILITY.md 2-E14, 4.3): a known SMTP password and webhook secret (in secret files)
and a feed URL with userinfo and a ?token= never show up in the daemon's log (at debug level),
in any CLI output, or (for the SMTP and webhook secrets) in the database or in what the webhook
endpoint receives. The channels fail on purpose so that their errors are logged.

Scorecard line 14."""

import base64
import os
import socket
import time

import common
import daemon
import invariants

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
ROWS = ("E14",)

SMTP_PASSWORD = "SMTP-PASSWORD-91c3e0aa4b"
WEBHOOK_KEY = b"veille-faults-webhook-key-3e1f"  # 30 bytes
WEBHOOK_SECRET = "whsec_" + base64.b64encode(WEBHOOK_KEY).decode()
URL_PASSWORD = "URLPASS-5f1e2d"
URL_TOKEN = "URLTOKEN-77ab90"
KNOWN_URL_LEAKS = set()  # opml export redacts since it gained --with-secrets
# CLI commands that print stored data.
EXTRA_COMMANDS = (["mentions", "--format", "csv"], ["mentions", "--format", "ndjson"],
                  ["export", "--format", "csv"], ["export", "--format", "json"],
                  ["export", "--what", "entries", "--format", "json"], ["outbox", "--json"],
                  ["stats"], ["search", "zorblax"], ["opml", "export"], ["db", "info"])


def _closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(ctx, card):
    srv = ctx.server
    smtp_port = _closed_port()
    with daemon.Workdir("secrets") as work:
        with open(os.path.join(work.path, "smtp.pass"), "w") as f:
            f.write(SMTP_PASSWORD + "\n")
        with open(os.path.join(work.path, "webhook.secret"), "w") as f:
            f.write(WEBHOOK_SECRET + "\n")
        auth = "feeduser:%s@" % URL_PASSWORD
        feeds = [
            ("sec-ok", srv.url("/feed/sec?k=2&cap=6&token=%s" % URL_TOKEN).replace(
                "http://", "http://" + auth), ""),
            ("sec-fail", srv.url("/status/500?token=%s" % URL_TOKEN).replace(
                "http://", "http://" + auth), ""),
        ]
        channels = ('[[channel]]\nname = "journal"\ntype = "log"\n'
                    '[[channel]]\nname = "mail"\ntype = "email"\nsmtp_url = "smtp://127.0.0.1:%d"\n'
                    'tls = "none"\nusername = "veille"\npassword_file = "smtp.pass"\n'
                    'from = "veille@example.invalid"\nto = ["ops@example.invalid"]\n'
                    '[[channel]]\nname = "hook"\ntype = "webhook"\nurl = "%s"\n'
                    'secret_file = "webhook.secret"\n'
                    % (smtp_port, srv.url("/status/500?hook=1")))
        import feedgen
        work.write_config(common.config([srv.port], feeds, channels=channels,
                                        rules=feedgen.rules_toml(("journal", "mail", "hook"))))
        outputs = []
        with daemon.Daemon(ctx.veilled, work) as d:
            d.proc.args  # noqa: B018 - keep the handle
            ok = d.wait_log("outcome=ok", 20)
            time.sleep(5)  # the failing channels try, retry and log
            # The webhook's first attempt, counted below (late on a CPU-starved daemon).
            daemon.wait_until(lambda: any("hook=1" in r["path"]
                                          for r in srv.rec.for_route("/status/500")), 20)
            for args in (["feeds"], ["feeds", "--json"], ["mentions"], ["mentions", "--json"],
                         ["check-config"]) + EXTRA_COMMANDS:
                p = daemon.run([ctx.veille, "--config", work.config] + args, timeout=30)
                outputs.append((args, p.returncode, p.stdout + p.stderr))
            alive = d.alive()
            rc = d.stop(30)
        card.check(ok and alive and rc == 0, "secrets: the daemon runs with failing email and "
                   "webhook channels (rc=%s)" % rc)
        ctx.tally(survived=alive and rc == 0, kind="secrets")
        card.check(all(r == 0 for _, r, _ in outputs), "secrets: every CLI command succeeds %s"
                   % [(a, r) for a, r, _ in outputs if r != 0])
        attempts = len([r for r in srv.rec.for_route("/status/500") if "hook=1" in r["path"]])
        card.check(attempts >= 1, "secrets: the webhook channel attempted delivery (%d)"
                   % attempts)
        logs = work.all_logs()
        hook_requests = "\n".join(str(r) for r in srv.rec.for_route("/status/500"))
        hits = {}
        known = 0
        for name, secret, places in (
                ("smtp password", SMTP_PASSWORD, ("log", "cli", "db", "webhook")),
                ("webhook secret", WEBHOOK_SECRET, ("log", "cli", "db", "webhook")),
                ("webhook key", WEBHOOK_KEY.decode(), ("log", "cli", "db", "webhook")),
                ("url password", URL_PASSWORD, ("log", "cli")),
                ("url token", URL_TOKEN, ("log", "cli"))):
            found = []
            if "log" in places and secret in logs:
                found.append("log")
            leaking = [" ".join(a) for a, _, o in outputs if secret in o]
            if name.startswith("url"):
                # KNOWN GAP (reported): `opml export` prints the configured feed URLs as they are,
                # credentials included (the archive formats were fixed in 521fd3b). Left out of
                # the assertion until the owner decides; the lines below keep it visible. Empty
                # KNOWN_URL_LEAKS to assert it too.
                for cmd in [c for c in leaking if c in KNOWN_URL_LEAKS]:
                    print("known-bug secrets: the %s leaks through `veille %s`" % (name, cmd))
                    leaking.remove(cmd)
                    known += 1
            if "cli" in places and leaking:
                found.append("cli: " + ", ".join(leaking))
            if "db" in places and (invariants.db_contains(work.db, secret) or
                                   invariants.raw_file_contains(work.db, secret)):
                found.append("db")
            if "webhook" in places and secret in hook_requests:
                found.append("webhook request")
            hits[name] = found
            card.check(not found, "secrets: the %s appears nowhere it must not %s"
                       % (name, found or ""))
        total = sum(len(v) for v in hits.values())
        url_in_db = invariants.db_contains(work.db, URL_PASSWORD)
        card.figure("14", "secrets: hits for the known secrets in logs, CLI output, database and "
                          "webhook requests %d, plus %d known leaks of feed URL credentials (listed "
                          "in KNOWN_URL_LEAKS) (credentials stored in feeds.url: %s)"
                    % (total, known, "yes" if url_in_db else "no"))
