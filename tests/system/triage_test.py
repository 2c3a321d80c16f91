#!/usr/bin/python3
"""End to end, triage from the command line: veilled --once fills a database from the sample
feeds, then `veille triage` sets statuses, tags and notes on mentions and whole stories while the
database stays at the daemon's schema, and `veille mentions --status/--tag` reads them back."""

import argparse
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
timeout = "10s"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia OR "Orelia Paris"'''
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa'''
[[rule]]
name = "secteur"
category = "sector"
query = '''"médias sociaux" OR "social media strategy" OR "e-réputation"'''
"""
FEEDS = ["blog-marketing.xml", "news-en.xml", "presse-atom.xml", "google-alerts.xml"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.FeedServer(a.feeds) as server, harness.Workdir() as work:
        feeds = "".join('[[feed]]\nurl = "%s"\nbackfill_alerts = true\n' % server.url(f) for f in FEEDS)
        work.write_config(CONFIG.format(port=server.port, feeds=feeds))
        harness.run([a.veilled, "--config", work.config, "--once"])
        veille = [a.veille, "--config", work.config]

        def cli(*args, check=True):
            return harness.run(veille + list(args), check=check)

        every = harness.mentions(a.veille, work.config)
        c.check(len(every) >= 4 and all(m["status"] == "new" and m["tags"] == [] for m in every),
                "every mention starts new, without tags (%d mentions)" % len(every))
        first, second = every[0]["id"], every[1]["id"]
        out = cli("triage", str(first), str(second), "--status", "handled", "--tag", "presse,client",
                  "--note", "Répondu", "--by", "claire")
        c.check(out.stdout.strip() == "2 mentions: status handled, +presse, +client, note",
                "triage says what it changed: %r" % out.stdout)
        with sqlite3.connect(os.path.join(work.path, "veille.db")) as db:
            by = db.execute("SELECT updated_by FROM triage WHERE mention_id = ?",
                            (first,)).fetchone()
        c.check(by == ("claire",), "the change records who made it (%r)" % (by,))
        handled = harness.mentions(a.veille, work.config, "--status", "handled")
        c.check(sorted(m["id"] for m in handled) == sorted([first, second]) and
                all(m["tags"] == ["client", "presse"] and m["note"] == "Répondu" for m in handled),
                "mentions --status handled lists them with their tags and note")
        new = harness.mentions(a.veille, work.config, "--status", "new")
        c.check(len(new) == len(every) - 2, "mentions --status new lists the others")
        both = harness.mentions(a.veille, work.config, "--status", "new,handled")
        c.check(len(both) == len(every), "several statuses at once")
        tagged = harness.mentions(a.veille, work.config, "--tag", "client")
        c.check(len(tagged) == 2, "mentions --tag selects by tag")

        cli("triage", str(first), "--untag", "client")
        c.check(harness.mentions(a.veille, work.config, "--tag", "client")[0]["id"] == second,
                "--untag removes one tag and keeps the rest")

        story = every[2]["story"]
        in_story = [m["id"] for m in every if m["story"] == story]
        cli("triage", "--story", str(story), "--status", "ignored")
        ignored = harness.mentions(a.veille, work.config, "--status", "ignored")
        c.check(sorted(m["id"] for m in ignored) == sorted(in_story),
                "triage --story changes every mention of the story")

        missing = cli("triage", "99999", "--status", "read", check=False)
        c.check(missing.returncode == 1 and "no mention 99999" in missing.stderr,
                "an unknown id is reported, exit 1")
        bad = cli("triage", str(first), "--tag", "a\x01b", check=False)
        c.check(bad.returncode == 2 and "control character" in bad.stderr, "a bad tag exits 2")
        none = cli("triage", str(first), check=False)
        c.check(none.returncode == 2 and "nothing to change" in none.stderr,
                "triage without a change exits 2")
        wrong = cli("mentions", "--status", "done", check=False)
        c.check(wrong.returncode == 2, "mentions --status with an unknown status exits 2")

        db = sqlite3.connect(os.path.join(work.path, "veille.db"))
        db.execute("PRAGMA user_version = 10")
        db.commit()
        db.close()
        old = cli("triage", str(first), "--status", "read", check=False)
        c.check(old.returncode == 1 and "veille db migrate" in old.stderr,
                "triage refuses a database at another schema instead of migrating it")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
