#!/usr/bin/python3
"""End to end, the archive: veilled --once fills a database from the sample feeds plus one
story published by three feeds (same link with tracking parameters, the same link behind a
Google Alerts redirector, the same title under another link with " - Source"); then every
archive command of veille runs against it: mentions --story/--search/--format, search, stats,
report (checked in headless Chromium), export, db backup/vacuum/info, opml export.
On SQLite (system.archive) or, with --backend pg, on a throwaway PostgreSQL server
(system.pg_archive): one body, the few backend-specific reads in backends.py; on PostgreSQL
`db backup` points to pg_dump, and the report's HTML is checked but not rendered again by
Chromium (the same HTML renderer, seconds of CI time)."""

import argparse
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import backends  # noqa: E402
import harness  # noqa: E402

STORY_TITLE = "Orélia rachète la marque Verdance pour 200 millions"


def rss(name, items):
    body = "".join(
        "<item><guid>%s</guid><title>%s</title><link>%s</link><pubDate>%s</pubDate>"
        "<description>%s</description></item>" % item for item in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>%s</title><link>https://%s.example/</link>%s</channel></rss>" % (name, name, body))


def story_feeds(root):
    now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(time.time() - 3600))
    text = "Le groupe Orélia annonce le rachat de Verdance, marque de soins bio."
    with open(os.path.join(root, "story-a.xml"), "w", encoding="utf-8") as f:
        f.write(rss("journal-a", [
            ("a-1", STORY_TITLE,
             "https://presse.example/eco/orelia-verdance?utm_source=rss&amp;utm_medium=feed", now, text),
            ("a-2", "Météo : un automne doux sur la Bretagne", "https://presse.example/meteo", now,
             "Rien à voir avec la beauté."),
        ]))
    with open(os.path.join(root, "story-b.xml"), "w", encoding="utf-8") as f:
        f.write(rss("alertes-b", [
            ("b-1", "Rachat : Orélia s'offre Verdance",
             "https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://presse.example/eco/"
             "orelia-verdance&amp;ct=ga", now, text),
        ]))
    with open(os.path.join(root, "story-c.xml"), "w", encoding="utf-8") as f:
        f.write(rss("agregateur-c", [
            ("c-1", STORY_TITLE + " - La Presse", "https://agregateur.example/articles/98765", now,
             text + " Formule à base de crème =cmd|' /C calc'!A0"),
        ]))


CONFIG = """
[daemon]
database = "{database}"
retention = "90d"
[polling]
allow_private = ["127.0.0.1:{port}"]
timeout = "10s"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia OR "Orelia Paris"'''
exclude = '''emploi OR recrute'''
channels = ["journal"]
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa OR Verdance'''
channels = ["journal"]
[[rule]]
name = "secteur"
category = "sector"
query = '''"médias sociaux" OR "social media strategy" OR "e-réputation"'''
[[channel]]
name = "journal"
type = "log"
"""

FEEDS = [("blog-marketing.xml", "Le Carnet du Marketing"), ("news-en.xml", "Beauty Business Daily"),
         ("presse-atom.xml", "La Gazette des Cosmétiques"), ("google-alerts.xml", "Google Alerts"),
         ("story-a.xml", "Journal A"), ("story-b.xml", "Alertes B"), ("story-c.xml", "Agrégateur C")]


def check_rendering(c, chromium, report, workdir):
    """Headless Chromium renders `report` to a PNG screenshot."""
    png = os.path.join(workdir, "report.png")
    profile = os.path.join(workdir, "chromium-profile")
    shot = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                           "--window-size=1100,1800", "--hide-scrollbars",
                           "--screenshot=" + png, "file://" + report],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=90)
    ok = shot.returncode == 0 and os.path.exists(png) and os.path.getsize(png) > 20000
    c.check(ok, "headless Chromium renders the report (%s bytes)"
            % (os.path.getsize(png) if os.path.exists(png) else "no file"))
    if ok:
        with open(png, "rb") as f:
            head = f.read(24)
        width = int.from_bytes(head[16:20], "big")
        c.check(head[:8] == b"\x89PNG\r\n\x1a\n" and width == 1100, "the screenshot is a 1100-px PNG")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    ap.add_argument("--chromium", default="chromium")
    backends.add_option(ap)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.Workdir() as work, backends.Database(a.backend, work.path) as db:
        root = os.path.join(work.path, "feeds")
        shutil.copytree(a.feeds, root)
        story_feeds(root)
        with harness.FeedServer(root) as server:
            feeds = "".join('[[feed]]\nurl = "%s"\nname = "%s"\nbackfill_alerts = true\n'
                            % (server.url(f), n) for f, n in FEEDS)
            work.write_config(CONFIG.format(database=db.location, port=server.port, feeds=feeds))
            run = harness.run([a.veilled, "--config", work.config, "--once"])
        veille = [a.veille, "--config", work.config]

        def cli(*args, check=True):
            return harness.run(veille + list(args), check=check)

        story_ids = {r[0] for r in db.rows(
            "SELECT e.story_id FROM entries e JOIN feeds f ON f.id = e.feed_id "
            "WHERE f.name IN ('Journal A', 'Alertes B', 'Agrégateur C') AND e.title LIKE '%Verdance%'")}
        c.check(len(story_ids) == 1, "one story published by three feeds is one story (%s)" % story_ids)
        outbox = db.rows(
            "SELECT o.status, o.last_error FROM outbox o JOIN mentions m ON m.id = o.mention_id "
            "JOIN entries e ON e.id = m.entry_id WHERE e.story_id = ? AND m.rule = 'marque'",
            (story_ids.pop() if story_ids else -1,))
        alerted = [s for s, _ in outbox if s in ("pending", "delivered")]
        suppressed = [e for s, e in outbox if s == "suppressed"]
        c.check(len(outbox) == 3 and len(alerted) == 1, "the story is alerted once per rule and channel %s" % outbox)
        c.check(suppressed == ["same story already alerted"] * 2,
                "the two other copies are recorded as suppressed, with the reason")
        c.check(run.stderr.count("Verdance") >= 1 and
                len([l for l in run.stderr.splitlines() if 'mention rule="marque"' in l and "Verdance" in l]) == 1,
                "the log channel printed the brand alert for the story once")
        canonical = db.rows("SELECT canonical_link FROM entries WHERE entry_key LIKE '%a-1%' OR guid = 'a-1'")
        c.check(canonical == [("https://presse.example/eco/orelia-verdance",)],
                "the canonical link drops utm_* parameters %s" % canonical)
        fts = db.full_text_count("bretagne")
        c.check(fts == 1, "entries without mentions are in the full-text index too")

        # mentions: --story, --format, --search
        grouped = json.loads(cli("mentions", "--story", "--format", "json", "--limit", "0").stdout)
        verdance = [g for g in grouped if any("Verdance" in (m["title"] or "") for m in g["mentions"])]
        c.check(len(verdance) == 1 and len(verdance[0]["sources"]) == 3,
                "mentions --story lists the story once with its three sources")
        table = cli("mentions", "--story").stdout
        c.check(table.count("Journal A") == 1 and "3 sources" in table, "the story table shows the sources once")
        plain = json.loads(cli("mentions", "--json", "--limit", "0").stdout)
        as_csv = list(csv.reader(io.StringIO(cli("mentions", "--format", "csv", "--limit", "0").stdout)))
        c.check(as_csv[0][:3] == ["id", "detected", "rule"] and len(as_csv) == len(plain) + 1,
                "mentions --format csv is valid CSV with a header and one row per mention")
        c.check(all(not row[12].startswith("=") for row in as_csv[1:]),
                "no CSV cell starts with a formula")
        nd = cli("mentions", "--format", "ndjson", "--limit", "0").stdout.splitlines()
        c.check(len(nd) == len(plain) and all(json.loads(l)["id"] for l in nd),
                "mentions --format ndjson has one JSON object per line")
        searched = json.loads(cli("mentions", "--search", "rachat NEAR/4 Verdance", "--json").stdout)
        c.check(len(searched) >= 3 and all("Verdance" in m["snippet"] or "Verdance" in (m["title"] or "")
                                          for m in searched),
                "mentions --search keeps the mentions whose entry matches the query")

        # search over every entry
        hits = json.loads(cli("search", '"automne doux"', "--format", "json").stdout)
        c.check(len(hits) == 1 and "Bretagne" in hits[0]["title"], "search finds an entry without mention")
        hits = json.loads(cli("search", "Orelia NEAR/3 rachat", "--json", "--limit", "0").stdout)
        c.check(len(hits) == 3, "search verifies NEAR with the matcher (%d)" % len(hits))
        bad = cli("search", "Orelia NEAR/", check=False)
        c.check(bad.returncode == 2 and "column" in bad.stderr, "a bad query exits 2 with its column")
        search_csv = list(csv.reader(io.StringIO(cli("search", "Orélia", "--format", "csv").stdout)))
        c.check(search_csv[0][0] == "entry" and len(search_csv) > 2, "search --format csv is valid")

        # stats
        stats = json.loads(cli("stats", "--since", "30d", "--json").stdout)
        share = sum(v["share"] for v in stats["share_of_voice"])
        c.check(stats["total"] == len(plain), "stats counts every mention (%d)" % stats["total"])
        c.check(abs(share - 1.0) < 1e-9 and {v["category"] for v in stats["share_of_voice"]} ==
                {"brand", "competitor"}, "share of voice is split between brand and competitor")
        text = cli("stats", "--since", "30d", "--by", "week").stdout
        c.check("SHARE OF VOICE" in text and "\u2588" in text, "stats draws Unicode bars")

        # report
        report = os.path.join(work.path, "report.html")
        cli("report", "--since", "30d", "--output", report)
        html = open(report, encoding="utf-8").read()
        c.check(html.count("<svg") >= 2 and "<script" not in html and "src=" not in html
                and "@import" not in html and "url(" not in html,
                "the report is self-contained: inline SVG, no script, no external resource")
        c.check("Verdance" in html and "Journal A" in html, "the report lists the top story and its sources")
        if not db.is_pg:  # the renderer sees the same HTML on both backends: once is enough
            check_rendering(c, a.chromium, report, work.path)

        # export
        exported = list(csv.reader(io.StringIO(cli("export", "--since", "30d", "--format", "csv").stdout)))
        c.check(len(exported) == len(plain) + 1, "export --format csv has every mention")
        as_json = json.loads(cli("export", "--since", "30d", "--format", "json").stdout)
        c.check(len(as_json) == len(plain), "export --format json is valid JSON")
        entries = json.loads(cli("export", "--what", "entries", "--format", "json").stdout)
        c.check(any("Bretagne" in (e["title"] or "") for e in entries), "export --what entries has every entry")

        # db
        copy = os.path.join(work.path, "copy.db")
        if db.is_pg:
            dump = cli("db", "backup", copy, check=False)
            c.check(dump.returncode == 1 and "pg_dump" in dump.stderr and not os.path.exists(copy),
                    "db backup on PostgreSQL says pg_dump is the tool, and writes nothing (%r)"
                    % dump.stderr.strip())
        else:
            cli("db", "backup", copy)
            con = sqlite3.connect(copy)
            n = con.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
            integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
            con.close()
            c.check(n == len(plain) and integrity == "ok", "db backup writes a consistent copy")
            again = cli("db", "backup", copy, check=False)
            c.check(again.returncode == 1 and "exists" in again.stderr,
                    "db backup never overwrites a file")
        c.check(cli("db", "vacuum").returncode == 0, "db vacuum runs")
        info = cli("db", "info").stdout
        c.check("stories" in info and "entries" in info, "db info prints the counts")
        backend = "postgresql" if db.is_pg else "sqlite"
        c.check(backend in info, "db info names the backend, %s" % backend)
        broken = db.broken_invariants()
        c.check(not broken, "the invariants hold after every command %s" % broken)

        # opml
        opml = ET.fromstring(cli("opml", "export").stdout)
        outlines = opml.findall("./body/outline")
        c.check(len(outlines) == len(FEEDS) and all(o.get("xmlUrl", "").startswith("http://127.0.0.1")
                                                    for o in outlines),
                "opml export lists every configured feed")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
