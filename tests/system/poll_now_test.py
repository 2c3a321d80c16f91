#!/usr/bin/python3
"""veille poll (issue 15): the running daemon polls the named feeds at once, whatever their
interval. A feed polled every hour gets a new article; `veille poll NAME --wait` returns within a
couple of seconds, the server saw the request and the new mention is stored. Unknown names get
the CLI's did-you-mean (exit 2); without a running daemon nothing is asked and the error says so
(exit 1)."""

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

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
interval = "1h"
timeout = "5s"
host_spacing = "0"
[[feed]]
url = "{a}"
name = "Journal Économie"
[[feed]]
url = "{b}"
name = "Le Quotidien"
[[rule]]
name = "marque"
query = '''Orélia'''
"""


def rss(items):
    body = "".join(
        "<item><title>%s</title><link>https://t.example/%s</link><guid>%s</guid></item>"
        % (title, key, key) for key, title in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
            "<link>https://t.example/</link>%s</channel></rss>" % body)




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    with harness.Workdir() as work:
        root = os.path.join(work.path, "feeds")
        os.makedirs(root)
        harness.write_atomic(os.path.join(root, "a.xml"), rss([("a1", "Orélia ouvre à Lyon")]))
        harness.write_atomic(os.path.join(root, "b.xml"), rss([("b1", "Rien à voir")]))
        log_path = os.path.join(work.path, "veilled.log")

        def log():
            with open(log_path, encoding="utf-8") as f:
                return f.read()

        def veille(*args):
            return harness.run([a.veille, "--config", work.config, *args], check=False)

        with harness.FeedServer(root) as server:
            work.write_config(CONFIG.format(port=server.port, a=server.url("a.xml"),
                                            b=server.url("b.xml")))
            p = veille("poll", "Le Quotidien")
            c.check(p.returncode == 1 and "has veilled run yet?" in p.stderr,
                    "before any daemon: a clear error, exit 1 (%d: %s)"
                    % (p.returncode, p.stderr.strip()))

            with open(log_path, "w") as out:
                daemon = subprocess.Popen([a.veilled, "--config", work.config], stdout=out,
                                          stderr=out)
            try:
                c.check(harness.wait_for(lambda: "cycle done: 2 feeds polled" in log(), 15),
                        "the daemon's first pass polls both feeds")
                a_polls = len(server.requests_for("a.xml"))

                # A new article on a feed polled every hour.
                harness.write_atomic(os.path.join(root, "a.xml"),
                      rss([("a1", "Orélia ouvre à Lyon"), ("a2", "Orélia rachète un concurrent")]))
                started = time.time()
                p = veille("poll", "journal economie", "--wait", "--timeout", "10s", "--json")
                took = time.time() - started
                c.check(p.returncode == 0, "poll --wait exits 0 (%d: %s)"
                        % (p.returncode, p.stderr.strip()))
                c.check(took < 3.0, "... within a couple of seconds (%.2f s)" % took)
                print("veille poll --wait took %.2f s" % took)
                c.check(len(server.requests_for("a.xml")) == a_polls + 1,
                        "the server saw one more request for the feed")
                out = json.loads(p.stdout) if p.returncode == 0 else []
                c.check(len(out) == 1 and out[0]["name"] == "Journal Économie"
                        and out[0]["polled"] and out[0]["outcome"] == "ok",
                        "the JSON names the feed (matched without case or accents) and its "
                        "outcome: %s" % p.stdout.strip())
                c.check(out and out[0]["new_entries"] == 1 and out[0]["new_mentions"] == 1,
                        "... and what the poll found (1 new entry, 1 new mention)")
                titles = [m["title"] for m in harness.mentions(a.veille, work.config)]
                c.check("Orélia rachète un concurrent" in titles,
                        "the new mention is stored (%s)" % titles)
                c.check("poll request for Journal Économie: polling now" in log(),
                        "the daemon's log says it acted on the request")
                f = json.loads(veille("feeds", "--json").stdout)
                nxt = {x["name"]: x["next_poll"] for x in f}
                c.check(nxt["Journal Économie"] is not None,
                        "veille feeds shows the next poll after the manual one")

                p = veille("poll", "Le Quotidein")
                c.check(p.returncode == 2 and "did you mean 'Le Quotidien'?" in p.stderr,
                        "an unknown name: did-you-mean, exit 2 (%d: %s)"
                        % (p.returncode, p.stderr.strip()))
                p = veille("poll")
                c.check(p.returncode == 2, "no name and no --all: exit 2 (%s)" % p.stderr.strip())
                p = veille("poll", "--all", "Le Quotidien")
                c.check(p.returncode == 2, "a name and --all: exit 2")
                p = veille("poll", "Le Quotidien", "--timeout", "soon")
                c.check(p.returncode == 2 and "--timeout" in p.stderr, "a bad --timeout: exit 2")

                before = {n: len(server.requests_for(n)) for n in ("a.xml", "b.xml")}
                p = veille("poll", "--all")
                c.check(p.returncode == 0 and "Asked veilled (pid %d) to poll 2 feeds"
                        % daemon.pid in p.stdout, "poll --all without --wait: %s"
                        % p.stdout.strip())
                c.check(harness.wait_for(lambda: all(len(server.requests_for(n)) > before[n]
                                             for n in before), 5),
                        "... and the daemon polls every feed")
                db = sqlite3.connect(os.path.join(work.path, "veille.db"))
                c.check(harness.wait_for(lambda: db.execute(
                    "SELECT count(*) FROM feeds WHERE poll_requested_at IS NOT NULL")
                    .fetchone()[0] == 0, 5), "... and clears the requests it answered")
                db.close()
            finally:
                daemon.send_signal(signal.SIGTERM)
                try:
                    code = daemon.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    code = daemon.wait()
            c.check(code == 0, "the daemon stops cleanly")

            p = veille("poll", "Le Quotidien", "--wait")
            c.check(p.returncode == 1 and "veilled is not running" in p.stderr
                    and "stopped at" in p.stderr and "nothing was asked" in p.stderr,
                    "after a stop: a clear error, exit 1 (%s)" % p.stderr.strip())
            db = sqlite3.connect(os.path.join(work.path, "veille.db"))
            c.check(db.execute("SELECT count(*) FROM feeds WHERE poll_requested_at IS NOT NULL")
                    .fetchone()[0] == 0, "... and no request is left behind")
            db.close()
        if c.failed:
            print(log()[-3000:])
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
