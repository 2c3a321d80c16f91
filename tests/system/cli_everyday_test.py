#!/usr/bin/python3
"""End to end, the CLI's everyday messages and small tools (issue 15): did-you-mean for
subcommands, unknown rules and feeds as errors with a suggestion, --feed folded, until before
since, the OUTCOME column, outbox retry of pending alerts, status with a broken config, fetch
--body into parse -, parse output, opml import, CSV for Excel, and the README's webhook receiver
started in the background."""

import argparse
import csv
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ALERT_TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "alert")

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}", "127.0.0.1:{dead}"]
timeout = "5s"
{feeds}
[[feed]]
url = "http://127.0.0.2:{port}/news-en.xml"
name = "Bloquée"
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia OR "Orelia Paris"'''
channels = ["journal", "hook"]
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa OR Verdance'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
[[channel]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:{dead}/hook"
"""

FEEDS = [("blog-marketing.xml", "Le Carnet du Marketing"), ("news-en.xml", "Beauty Business Daily"),
         ("presse-atom.xml", "La Gazette des Cosmétiques"), ("google-alerts.xml", "Google Alerts — Orélia")]

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Abonnements</title></head><body>
  <outline text="Presse">
    <outline type="rss" text="Le Monde" xmlUrl="https://www.lemonde.fr/rss/une.xml"/>
    <outline type="rss" text="Les Échos" title="Les &#201;chos &quot;Entreprises&quot;" xmlUrl="https://services.lesechos.fr/rss/entreprises.xml"/>
    <outline type="rss" text="Le Monde (bis)" xmlUrl="https://www.lemonde.fr/rss/une.xml"/>
  </outline>
  <outline type="rss" text="Cassé" xmlUrl=https://broken.example/feed />
  <outline type="rss" text="Script" xmlUrl="javascript:alert(1)"/>
  <outline type="rss" text="Déjà là" xmlUrl="{existing}" category="veille,/marques"/>
  <outline type="rss" text="Blog" xmlUrl="https://blog.example/feed"/>
</body></opml>
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.Workdir() as work:
        root = os.path.join(work.path, "feeds")
        shutil.copytree(a.feeds, root)
        dead = free_port()
        with harness.FeedServer(root) as server:
            feeds = "".join('[[feed]]\nurl = "%s"\nname = "%s"\nbackfill_alerts = true\n'
                            % (server.url(f), n) for f, n in FEEDS)
            config_text = CONFIG.format(port=server.port, dead=dead, feeds=feeds)
            work.write_config(config_text)
            harness.run([a.veilled, "--config", work.config, "--once", "--deliver-deadline", "3s"],
                        check=False)
            veille = [a.veille, "--config", work.config]

            def cli(*args, check=True, **kw):
                return harness.run(veille + list(args), check=check, **kw)

            # First (the next attempts are due 5 s after the failed ones).
            # outbox retry: pending rows too.
            db = os.path.join(work.path, "veille.db")

            def waiting():
                con = sqlite3.connect(db)
                rows = con.execute("SELECT id FROM outbox WHERE channel = 'hook' AND status = "
                                   "'pending' AND next_attempt_at > ? ORDER BY id",
                                   (int(time.time()),)).fetchall()
                con.close()
                return [r[0] for r in rows]

            before = waiting()
            c.check(len(before) >= 1,
                    "the dead webhook left pending alerts waiting for their next attempt (%d)" % len(before))
            p = cli("outbox", "retry", "--all-pending")
            n = int(p.stdout.split()[0]) if p.stdout.split() else -1
            c.check(1 <= n <= len(before) and not waiting(),
                    "outbox retry --all-pending makes every waiting alert due now: %r" % p.stdout)
            harness.run([a.veilled, "--config", work.config, "--once", "--deliver-deadline", "3s"],
                        check=False)
            again = waiting()
            if c.check(again, "the next attempts failed again"):
                p = cli("outbox", "retry", str(again[0]), check=False)
                con = sqlite3.connect(db)
                due = con.execute("SELECT next_attempt_at, attempts FROM outbox WHERE id = ?",
                                  (again[0],)).fetchone()
                con.close()
                c.check(p.returncode == 0 and due[0] <= time.time() + 1 and due[1] == 0,
                        "outbox retry ID makes a pending alert due now: %r %r" % (p.stderr, due))


            # Did you mean, for subcommands.
            p = cli("mentoins", check=False)
            c.check(p.returncode == 2 and
                    "unknown subcommand 'mentoins' (did you mean 'mentions'?)" in p.stderr,
                    "a misspelt subcommand exits 2 with a suggestion: %r" % p.stderr)
            p = cli("opml", "exprt", check=False)
            c.check(p.returncode == 2 and "did you mean 'export'?" in p.stderr,
                    "a misspelt nested subcommand too: %r" % p.stderr)

            # Unknown rule, feed, category: errors with a suggestion.
            p = cli("mentions", "--rule", "marqe", check=False)
            c.check(p.returncode == 2 and "unknown rule 'marqe' (did you mean 'marque'?)" in p.stderr,
                    "an unknown rule exits 2 with a suggestion: %r" % p.stderr)
            p = cli("stats", "--category", "competitr", check=False)
            c.check(p.returncode == 2 and "did you mean 'competitor'?" in p.stderr,
                    "an unknown category too: %r" % p.stderr)
            p = cli("mentions", "--feed", "Gazete des Cosmetiques", check=False)
            c.check(p.returncode == 2 and "did you mean 'La Gazette des Cosmétiques'" in p.stderr,
                    "an unknown feed exits 2 with a suggestion: %r" % p.stderr)
            p = cli("search", "Orélia", "--feed", "nulle part", check=False)
            c.check(p.returncode == 2 and "unknown feed 'nulle part'" in p.stderr,
                    "search checks --feed too: %r" % p.stderr)
            exact = json.loads(cli("mentions", "--json", "--feed", "La Gazette des Cosmétiques").stdout)
            folded = json.loads(cli("mentions", "--json", "--feed", "LA GAZETTE DES COSMETIQUES").stdout)
            c.check(exact and folded == exact and all(m["feed"] == "La Gazette des Cosmétiques" for m in exact),
                    "--feed ignores case and accents (%d mentions)" % len(exact))
            by_url = json.loads(cli("mentions", "--json", "--feed", server.url("presse-atom.xml")).stdout)
            c.check(by_url == exact, "--feed takes the feed's URL too")
            p = cli("mentions", "--rule", "concurrents", "--feed", "Le Carnet du Marketing",
                    "--until", "3000d")
            c.check("No mentions (rule 'concurrents', feed 'Le Carnet du Marketing', until 3000d)."
                    in p.stdout,
                    "an empty result names the filters that matched nothing: %r" % p.stdout)

            # until before since.
            for cmd in (["mentions"], ["search", "Orélia"], ["stats"], ["export"]):
                p = cli(*cmd, "--since", "1d", "--until", "2d", check=False)
                c.check(p.returncode == 2 and "is not after --since" in p.stderr,
                        "%s: --until before --since is an error: %r" % (cmd[0], p.stderr))

            # The OUTCOME column says the class once.
            table = cli("feeds").stdout
            line = [l for l in table.splitlines() if l.startswith("Bloquée")]
            c.check(line and "blocked: " in line[0] and "blocked: blocked" not in line[0],
                    "the OUTCOME column says 'blocked' once: %r" % line)

            # fetch --body: only the body on stdout, so that it pipes into parse -.
            fetched = subprocess.run(veille + ["fetch", server.url("presse-atom.xml"), "--body"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            with open(os.path.join(root, "presse-atom.xml"), "rb") as f:
                original = f.read()
            c.check(fetched.returncode == 0 and fetched.stdout == original and
                    b"outcome" in fetched.stderr,
                    "fetch --body writes exactly the body to stdout, the summary to stderr")
            parsed = subprocess.run(veille + ["parse", "-"], input=fetched.stdout,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
            c.check(parsed.returncode == 0 and json.loads(parsed.stdout)["format"] == "atom10",
                    "parse - reads the piped body")
            text = parsed.stdout.decode("utf-8")
            c.check("Cosmétiques" in text and "\\u00e9" not in text,
                    "parse --json writes UTF-8, not \\u escapes")
            tsv = cli("parse", os.path.join(root, "presse-atom.xml"), "--format", "tsv").stdout
            c.check(tsv.splitlines()[0] == "date\ttitle\tlink\tauthor\tid" and len(tsv.splitlines()) > 1,
                    "parse --format tsv starts with a header row")

            # CSV for Excel.
            raw = subprocess.run(veille + ["export", "--since", "3650d", "--format", "csv", "--excel"],
                                 stdout=subprocess.PIPE, timeout=30).stdout
            rows = raw[3:].decode("utf-8").split("\r\n")
            c.check(raw.startswith(b"\xef\xbb\xbf") and rows[0].startswith("id;detected;rule;") and
                    b"\n" not in raw.replace(b"\r\n", b""),
                    "export --excel: UTF-8 BOM, ';' separator, CRLF line ends")
            parsed_rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8")), delimiter=";"))
            plain = list(csv.reader(io.StringIO(cli("export", "--since", "3650d").stdout)))
            c.check(parsed_rows == plain, "the Excel CSV holds the same cells as the standard one")
            p = cli("export", "--excel", "--format", "json", check=False)
            c.check(p.returncode == 2, "--excel with --format json is a usage error")

            # opml import.
            opml = os.path.join(work.path, "abonnements.opml")
            with open(opml, "w", encoding="utf-8") as f:
                f.write(OPML.format(existing=server.url("news-en.xml")))
            p = cli("opml", "import", opml)
            warnings = [l for l in p.stderr.splitlines() if ": skipped: " in l]
            c.check(p.stdout.count("[[feed]]") == 4 and len(warnings) == 3,
                    "opml import prints the good outlines and one warning per bad one: %r" % p.stderr)
            c.check('name = "Les Échos \\"Entreprises\\""' in p.stdout and 'tags = ["Presse"]' in p.stdout,
                    "names are TOML-escaped and folders become tags")
            c.check(any(":8: skipped: attribute 'xmlUrl' of <outline> is not quoted" in w for w in warnings)
                    and any("javascript:" in w for w in warnings)
                    and any("duplicate feed https://www.lemonde.fr/rss/une.xml" in w for w in warnings),
                    "each warning has the line and the reason")
            p = cli("opml", "import", opml, "--append", work.config)
            check = cli("check-config", work.config, check=False)
            c.check("Appended 3 feeds" in p.stdout and check.returncode == 0 and "8 feeds" in check.stdout,
                    "opml import --append adds the new feeds and the config still loads: %r %r"
                    % (p.stdout, check.stdout))
            p = cli("opml", "import", opml, "--append", work.config)
            c.check("Nothing to append" in p.stdout, "importing again appends nothing")
            work.write_config(config_text)

            # status with a broken config.
            work.write_config(config_text + "\n[daemon2]\n")
            p = cli("status", check=False)
            c.check(p.returncode == 1 and "config:    BROKEN:" in p.stdout and "database:" in p.stdout
                    and "daemon:    stopped" in p.stdout and "started:" in p.stdout,
                    "status works with a broken config and says so; the --once runs are recorded "
                    "(stopped, not 'never started'): %r %r" % (p.stdout, p.stderr))
            status = json.loads(cli("status", "--json", check=False).stdout)
            c.check(status["config_error"] and status["database"].endswith("veille.db")
                    and status["daemon"] == "stopped" and status["stopped"],
                    "status --json has config_error and the last --once run's stop: %r" % status)
            work.write_config("[daemon\n")
            p = cli("status", check=False)
            c.check(p.returncode == 2 and "--database" in p.stderr,
                    "a config that is not TOML at all asks for --database: %r" % p.stderr)
            p = cli("status", "--database", db, check=False)
            c.check(p.returncode == 1 and "BROKEN" in p.stdout and "feeds:" in p.stdout,
                    "status --database reads the given database: %r" % p.stdout)
            work.write_config(config_text)

        # The README's webhook receiver, started in the background (stdin not a pipe).
        record = os.path.join(work.path, "hook.jsonl")
        sink = subprocess.Popen(["/usr/bin/python3", os.path.join(ALERT_TESTS, "webhook_sink.py"),
                                 "--port", "0", "--record", record],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        try:
            port = int(sink.stdout.readline().split()[1])
            time.sleep(1.0)
            alive = sink.poll() is None
            if alive:
                urllib.request.urlopen(urllib.request.Request(
                    "http://127.0.0.1:%d/hook" % port, data=b"{}", method="POST"), timeout=5).read()
            with open(record, encoding="utf-8") as f:
                recorded = f.read()
            c.check(alive and '"status": 200' in recorded,
                    "the webhook receiver keeps running with stdin not a pipe")
        finally:
            sink.terminate()
            try:
                sink.wait(timeout=5)
            except subprocess.TimeoutExpired:
                sink.kill()
        c.check(sink.returncode is not None, "SIGTERM stops the receiver")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
