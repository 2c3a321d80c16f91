#!/usr/bin/python3
"""End to end: veilled --once polls sample feeds from a real local HTTP server, stores the
mentions, veille mentions --json shows them; a second run duplicates nothing and sends 304s.
On SQLite (system.walking_skeleton) or, with --backend pg, on a throwaway PostgreSQL server
(system.pg_walking_skeleton): the same checks (backends.py)."""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import backends  # noqa: E402
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "{database}"
[polling]
allow_private = ["127.0.0.1:{port}"]
timeout = "10s"
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
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia OR "Orelia Paris"'''
exclude = '''emploi OR recrute'''
channels = ["journal"]
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa'''
channels = ["journal"]
[[rule]]
name = "secteur"
category = "sector"
query = '''"médias sociaux" OR "social media strategy" OR "e-réputation"'''
[[channel]]
name = "journal"
type = "log"
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    backends.add_option(ap)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.FeedServer(a.feeds) as server, harness.Workdir() as work, \
            backends.Database(a.backend, work.path) as db:
        work.write_config(CONFIG.format(database=db.location, port=server.port,
                                        blog=server.url("blog-marketing.xml"),
                                        news=server.url("news-en.xml"),
                                        atom=server.url("presse-atom.xml")))
        first = harness.run([a.veilled, "--config", work.config, "--once"])
        found = harness.mentions(a.veille, work.config)
        by_rule = {}
        for m in found:
            by_rule.setdefault(m["rule"], set()).add(m["title"])

        c.check(len(server.requests_for("blog-marketing.xml")) == 1, "each feed fetched once over HTTP")
        c.check(all(r["headers"].get("User-Agent", "").startswith("veille/")
                    for r in server.requests), "requests carry the veille User-Agent")
        marque = by_rule.get("marque", set())
        c.check(any("E-réputation" in t for t in marque),
                "brand found through an elision (l’Orélia) in the French blog")
        c.check(any("New York" in t for t in marque),
                "brand found accent-insensitively (Orelia / ORELIA) in the English news")
        c.check(not any("emploi" in t.lower() for t in marque),
                "the exclude query drops the job advert")
        c.check(not any("orangeade" in t.lower() for titles in by_rule.values() for t in titles),
                "no rule matches the unrelated orangeade post")
        concurrents = by_rule.get("concurrents", set())
        c.check(any("Bellacosa" in t for t in concurrents), "competitor Bellacosa found")
        c.check(any("Naturéa" in t for t in concurrents), "competitor Naturéa found")
        secteur = by_rule.get("secteur", set())
        c.check(any("Medias sociaux" in t for t in secteur),
                "« médias sociaux » matches the unaccented 'Medias sociaux'")
        c.check(any("TikTok" in t for t in secteur),
                "'social media strategy' matches 'social-media strategy' across the hyphen")
        c.check(all(m["feed"] in ("Blog", "News", "Presse") for m in found), "mentions name their feed")
        c.check(all(m["snippet"] for m in found), "every mention has a snippet")
        log_lines = [l for l in first.stderr.splitlines() if "mention rule=" in l]
        c.check(len(log_lines) > 0 and all('rule="secteur"' not in l for l in log_lines),
                "the log channel printed the mentions of rules routed to it, and only those")
        # The Atom feed has no backfill_alerts: its mentions are stored but not alerted.
        c.check(not any('feed="Presse"' in l for l in log_lines),
                "the first poll of a feed without backfill_alerts sends no alert")
        c.check(any(m["feed"] == "Presse" for m in found),
                "... but its mentions are stored")

        counts = [db.one("SELECT COUNT(*) FROM %s" % t) for t in ("entries", "mentions", "outbox")]

        second = harness.run([a.veilled, "--config", work.config, "--once"])
        again = harness.mentions(a.veille, work.config)
        c.check(len(again) == len(found), "a second poll adds no mention (%d)" % len(found))
        counts2 = [db.one("SELECT COUNT(*) FROM %s" % t) for t in ("entries", "mentions", "outbox")]
        c.check(counts == counts2, "a second poll adds no entry, mention or outbox row %s" % counts)
        broken = db.broken_invariants()
        c.check(not broken, "the invariants hold (no duplicate entry keys...) %s" % broken)
        c.check("mention rule=" not in second.stderr, "a second poll sends no alert again")
        conditional = server.requests_for("news-en.xml")[-1]["headers"]
        c.check("If-None-Match" in conditional, "the second poll is a conditional GET")
        c.check("outcome=not_modified" in second.stderr, "304 is logged as not_modified")

        feeds = harness.run([a.veille, "--config", work.config, "feeds", "--json"])
        rows = json.loads(feeds.stdout)
        c.check(len(rows) == 3 and all(r["state"] == "ok" for r in rows),
                "veille feeds shows every feed active")
        c.check(sum(r["mentions"] for r in rows) == len(found), "feed mention counts add up")

        table = harness.run([a.veille, "--config", work.config, "mentions"])
        c.check("RULE" in table.stdout and "Bellacosa" in table.stdout, "the mentions table prints")
        info = harness.run([a.veille, "--config", work.config, "db", "info"]).stdout
        backend = "postgresql" if db.is_pg else "sqlite"
        c.check(backend in info, "the test ran on %s (db info)" % backend)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
