#!/usr/bin/python3
"""End to end, dates, order and snippets (issue 15): veilled --once polls feeds whose entries
carry a published date, only an Atom <updated>, or no date, listed out of date order; then
`veille mentions/export/search` show the date the feed gave (and say which), `search` and
`test-rule --since` list by date (or --sort detected / relevance), and `stats`/`report` count
a nine-day backfill on nine days (or on today with --by-date detected). A WordPress feed
(teaser + full content) gives snippets that quote its sentence once, and Mastodon posts (no
title) get a title from their first words, marked as derived."""

import argparse
import csv
import datetime
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
timeout = "10s"
[[feed]]
url = "{atom}"
[[feed]]
url = "{rss}"
[[rule]]
name = "marque"
category = "brand"
query = '''Alpéa'''
"""

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
TODAY = NOW.replace(hour=0, minute=0, second=0)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc822(t):
    return t.strftime("%a, %d %b %Y %H:%M:%S +0000")


# Atom: one entry with only <updated>, one with both, one with neither (3 days, 5 days ago).
UPDATED_ONLY = TODAY - datetime.timedelta(days=3, hours=-10)
BOTH_PUBLISHED = TODAY - datetime.timedelta(days=5, hours=-9)
BOTH_UPDATED = TODAY - datetime.timedelta(days=1, hours=-9)
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Presse</title><id>urn:presse</id>
<updated>{both_updated}</updated>
<entry><id>urn:undated</id><title>Alpéa sans date</title><link href="https://presse.example/sans-date"/>
<summary>Un article sur Alpéa sans aucune date.</summary></entry>
<entry><id>urn:updated</id><title>Alpéa mise à jour</title><link href="https://presse.example/maj"/>
<updated>{updated_only}</updated><summary>La consigne Alpéa arrive en Bretagne.</summary></entry>
<entry><id>urn:both</id><title>Alpéa publié puis corrigé</title><link href="https://presse.example/both"/>
<published>{both_published}</published><updated>{both_updated}</updated>
<summary>Alpéa, Alpéa, Alpéa : la marque Alpéa partout, Alpéa encore.</summary></entry>
</feed>
"""

# RSS: a backfill of nine days, one item a day, listed in scrambled order.
BACKFILL = [4, 0, 7, 2, 8, 1, 5, 3, 6]


def backfill_date(ago):
    """08:00 UTC `ago` days ago; today's is at most now."""
    return min(TODAY - datetime.timedelta(days=ago) + datetime.timedelta(hours=8), NOW)


def rss():
    items = "".join(
        "<item><title>Jour -%d : Alpéa</title><link>https://blog.example/j%d</link>"
        "<guid>https://blog.example/j%d</guid><pubDate>%s</pubDate>"
        "<description>Billet du jour -%d sur Alpéa.</description></item>\n"
        % (ago, ago, ago, rfc822(backfill_date(ago)), ago) for ago in BACKFILL)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Blog'
            '</title><link>https://blog.example/</link>\n' + items + "</channel></rss>\n")


WORDPRESS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Le Blog Conso</title><link>https://conso.example/</link>
<item><title>Consigne : le grand retour</title><link>https://conso.example/consigne</link>
<guid isPermaLink="false">https://conso.example/?p=42</guid><pubDate>{date}</pubDate>
<description><![CDATA[<p>Les eaux minérales reviennent au verre consigné : Alpéa relance la consigne en Bretagne &#8230; [&hellip;]</p>
<p>The post <a rel="nofollow" href="https://conso.example/consigne">Consigne : le grand retour</a> appeared first on <a rel="nofollow" href="https://conso.example">Le Blog Conso</a>.</p>]]></description>
<content:encoded><![CDATA[<p>Les eaux minérales reviennent au verre consigné : Alpéa relance la consigne en Bretagne dès janvier.</p>
<p>Les bouteilles seront reprises dans 300 magasins.</p>]]></content:encoded>
</item></channel></rss>
"""

TOOT = ("Ce matin au marché de Rennes, les bouteilles consignées d'Alpéa ont disparu en une "
        "heure ! Bravo @alpea #consigne #ZeroDechet")
MASTODON = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Claire (@claire@piaille.example)</title>
<link>https://piaille.example/@claire</link>
<item><guid isPermaLink="true">https://piaille.example/@claire/1131</guid>
<link>https://piaille.example/@claire/1131</link><pubDate>{date}</pubDate>
<description>&lt;p&gt;Ce matin au marché de Rennes, les bouteilles consignées d&amp;#39;Alpéa ont disparu en une heure ! Bravo &lt;span class="h-card"&gt;&lt;a href="https://piaille.example/@alpea" class="u-url mention"&gt;@&lt;span&gt;alpea&lt;/span&gt;&lt;/a&gt;&lt;/span&gt; &lt;a href="https://piaille.example/tags/consigne" class="mention hashtag" rel="tag"&gt;#&lt;span&gt;consigne&lt;/span&gt;&lt;/a&gt; &lt;a href="https://piaille.example/tags/ZeroDechet" class="mention hashtag" rel="tag"&gt;#&lt;span&gt;ZeroDechet&lt;/span&gt;&lt;/a&gt;&lt;/p&gt;</description>
</item></channel></rss>
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.Workdir() as work:
        site = os.path.join(work.path, "site")
        os.mkdir(site)
        with open(os.path.join(site, "presse.xml"), "w", encoding="utf-8") as f:
            f.write(ATOM.format(updated_only=iso(UPDATED_ONLY), both_published=iso(BOTH_PUBLISHED),
                                both_updated=iso(BOTH_UPDATED)))
        with open(os.path.join(site, "blog.xml"), "w", encoding="utf-8") as f:
            f.write(rss())
        with harness.FeedServer(site) as server:
            work.write_config(CONFIG.format(port=server.port, atom=server.url("presse.xml"),
                                            rss=server.url("blog.xml")))
            harness.run([a.veilled, "--config", work.config, "--once"])
        veille = [a.veille, "--config", work.config]

        def cli(*args, check=True):
            return harness.run(veille + list(args), check=check)

        # 1. The date the feed gave, and which one.
        by_title = {m["title"]: m for m in harness.mentions(a.veille, work.config)}
        upd = by_title.get("Alpéa mise à jour", {})
        c.check(upd.get("published") == iso(UPDATED_ONLY) and upd.get("date_source") == "updated"
                and upd.get("date") == iso(UPDATED_ONLY),
                "mentions --json: an Atom entry with only <updated> has that date (%s, %s)"
                % (upd.get("published"), upd.get("date_source")))
        both = by_title.get("Alpéa publié puis corrigé", {})
        c.check(both.get("published") == iso(BOTH_PUBLISHED) and both.get("updated") ==
                iso(BOTH_UPDATED) and both.get("date_source") == "published",
                "published wins over updated, both shown")
        none = by_title.get("Alpéa sans date", {})
        c.check(none.get("published") is None and none.get("date_source") == "detected"
                and none.get("date") == none.get("detected"),
                "an undated entry: published null, date = detected")

        exported = json.loads(cli("export", "--format", "json").stdout)
        upd_x = [m for m in exported if m["title"] == "Alpéa mise à jour"]
        c.check(len(upd_x) == 1 and upd_x[0]["published"] == iso(UPDATED_ONLY)
                and upd_x[0]["date_source"] == "updated", "export (mentions) has the date too")
        entries = json.loads(cli("export", "--what", "entries", "--format", "json").stdout)
        upd_e = [e for e in entries if e["title"] == "Alpéa mise à jour"]
        c.check(len(upd_e) == 1 and upd_e[0]["published"] == iso(UPDATED_ONLY)
                and upd_e[0]["date_source"] == "updated", "export --what entries too")
        rows = list(csv.reader(io.StringIO(cli("export", "--format", "csv").stdout)))
        source = rows[0].index("date_source") if "date_source" in rows[0] else -1
        c.check(source >= 0 and any(
            iso(UPDATED_ONLY) in row and row[source] == "updated" for row in rows[1:]),
            "export CSV: published column and date_source")

        hits = json.loads(cli("search", "Alpéa", "--json", "--limit", "0").stdout)
        upd_h = [h for h in hits if h["title"] == "Alpéa mise à jour"]
        c.check(len(upd_h) == 1 and upd_h[0]["published"] == iso(UPDATED_ONLY),
                "search --json has the updated date")
        table = cli("search", "Alpéa", "--limit", "0").stdout
        row = [line for line in table.splitlines() if "mise à jour" in line]
        c.check("DATE (UTC)" in table and len(row) == 1
                and UPDATED_ONLY.strftime("%Y-%m-%d %H:%M") in row[0],
                "the search table shows the updated date, not the first-seen time: %r"
                % (row[:1],))

        # 2. Order: by date, newest first; --sort detected and relevance.
        dates = [h["date"] for h in hits]
        c.check(len(hits) == 12 and dates == sorted(dates, reverse=True),
                "search lists the 12 entries newest date first")
        detected = json.loads(cli("search", "Alpéa", "--json", "--limit", "0", "--sort",
                                  "detected").stdout)
        ids = [h["entry"] for h in detected]
        c.check(ids == sorted(ids, reverse=True) and [h["date"] for h in detected] != dates,
                "--sort detected lists in detection order, which is not the date order here")
        best = json.loads(cli("search", "Alpéa", "--json", "--limit", "1", "--sort",
                              "relevance").stdout)
        c.check(len(best) == 1 and best[0]["title"] == "Alpéa publié puis corrigé",
                "--sort relevance puts the entry saying Alpéa six times first")
        limited = json.loads(cli("search", "Alpéa", "--json", "--limit", "3").stdout)
        c.check([h["date"] for h in limited] == dates[:3], "--limit keeps the newest three")
        backtest = json.loads(cli("test-rule", "Alpéa", "--since", "30d", "--json").stdout)
        newest = [h["date"] for h in backtest["newest"]]
        c.check(len(newest) == 10 and newest == dates[:10],
                "test-rule --since lists its newest matches by date")
        days = [d["day"] for d in backtest["per_day"]]
        c.check(len(days) >= 9, "the backtest counts per day of the entries' dates (%d days)"
                % len(days))
        text = cli("test-rule", "Alpéa", "--since", "30d").stdout
        block = text.split("NEWEST MATCHES", 1)[-1].splitlines()[2:]
        first_dates = [line[:16] for line in block if line[:2] == "20"]
        c.check(len(first_dates) >= 3 and first_dates == sorted(first_dates, reverse=True),
                "the NEWEST MATCHES table is newest first: %r" % first_dates[:4])

        # 3. Stats and report count by the entry's date.
        stats = json.loads(cli("stats", "--since", "14d", "--json").stdout)
        counts = stats["rules"][0]["counts"] if stats["rules"] else []
        blog_days = sum(1 for n in counts if n > 0)
        c.check(stats["by_date"] == "entry" and stats["total"] == 12 and blog_days >= 9,
                "stats: the nine-day backfill lands on nine bars or more (%r)" % counts)
        old = json.loads(cli("stats", "--since", "14d", "--json", "--by-date", "detected").stdout)
        c.check(old["total"] == 12 and old["rules"][0]["counts"][-1] == 12,
                "stats --by-date detected: everything on today's bar (%r)"
                % old["rules"][0]["counts"])
        week = json.loads(cli("stats", "--since", "2d", "--json").stdout)
        c.check(week["total"] < 12, "--since 2d leaves out the older entries' mentions (%d)"
                % week["total"])
        report = os.path.join(work.path, "report.html")
        cli("report", "--since", "14d", "-o", report)
        with open(report, encoding="utf-8") as f:
            html = f.read()
        cli("report", "--since", "14d", "--by-date", "detected", "-o", report)
        with open(report, encoding="utf-8") as f:
            html_detected = f.read()
        c.check(html.count("<rect") > html_detected.count("<rect"),
                "the report draws more columns by entry date than by detection")
    snippets_and_titles(a, c)
    return c.finish()


def snippets_and_titles(a, c):
    """A WordPress feed (teaser + content) and a Mastodon account (posts without a title)."""
    with harness.Workdir() as work:
        site = os.path.join(work.path, "site")
        os.mkdir(site)
        date = rfc822(NOW - datetime.timedelta(hours=2))
        for name, body in (("wordpress.xml", WORDPRESS), ("mastodon.xml", MASTODON)):
            with open(os.path.join(site, name), "w", encoding="utf-8") as f:
                f.write(body.format(date=date))
        with harness.FeedServer(site) as server:
            work.write_config(CONFIG.replace('url = "{atom}"', 'url = "{atom}"\nname = "Blog"')
                              .replace('url = "{rss}"', 'url = "{rss}"\nname = "Claire"')
                              .format(port=server.port, atom=server.url("wordpress.xml"),
                                      rss=server.url("mastodon.xml")))
            harness.run([a.veilled, "--config", work.config, "--once"])
        veille = [a.veille, "--config", work.config]

        def cli(*args):
            return harness.run(veille + list(args))

        by_feed = {m["feed"]: m for m in harness.mentions(a.veille, work.config)}
        wp = by_feed.get("Blog", {})
        sentence = "Alpéa relance la consigne en Bretagne"
        c.check(wp.get("snippet", "").count(sentence) == 1 and len(wp.get("highlights", [])) == 1,
                "WordPress teaser + content: the snippet quotes the sentence once: %r"
                % wp.get("snippet"))
        c.check(wp.get("title") == "Consigne : le grand retour" and wp.get("title_derived") is
                False, "a feed title is not derived")
        toot = by_feed.get("Claire", {})
        title = toot.get("title") or ""
        c.check(toot.get("title_derived") is True and title.endswith("\u2026")
                and TOOT.startswith(title[:-1]) and 60 <= len(title) <= 81,
                "a Mastodon post gets its first words as title, marked derived: %r" % title)
        story = cli("mentions", "--story").stdout
        c.check("(no title)" not in story and title in story,
                "mentions --story shows the derived title, not (no title)")
        stories = json.loads(cli("mentions", "--story", "--json").stdout)
        c.check(any(s["title"] == title and s["title_derived"] is True for s in stories),
                "mentions --story --json marks it derived")
        hits = json.loads(cli("search", "#ZeroDechet", "--json").stdout)
        c.check(len(hits) == 1 and hits[0]["title"] == title and hits[0]["title_derived"] is True,
                "search shows it too, hashtags kept as text in the text")
        scoped = json.loads(cli("search", "title:marché", "--json").stdout)
        c.check(scoped == [], "title: does not match a derived title (rules never saw it)")

        # One highlight style in every command: **term** in plain text, bold on a terminal.
        outputs = {
            "mentions": cli("mentions").stdout,
            "search": cli("search", "Alpéa").stdout,
            "test-rule --text": cli("test-rule", "Alpéa", "--text", "« la consigne d'Alpéa »").stdout,
            "test-rule --since": cli("test-rule", "Alpéa", "--since", "30d").stdout,
        }
        for name, out in outputs.items():
            c.check("**Alpéa**" in out and "[Alpéa]" not in out and "\u00abAlpéa\u00bb" not in out,
                    "%s marks hits as **Alpéa**: %r" % (name, out[-300:]))
        c.check("« la consigne d'**Alpéa** »" in outputs["test-rule --text"],
                "French quotation marks stay readable around a marked hit")
        bold = on_terminal(veille + ["search", "Alpéa"], {})
        c.check("\x1b[1mAlpéa\x1b[0m" in bold and "**Alpéa**" not in bold,
                "on a terminal, hits are bold")
        plain = on_terminal(veille + ["search", "Alpéa"], {"NO_COLOR": "1"})
        c.check("**Alpéa**" in plain and "\x1b[" not in plain, "NO_COLOR: the plain marker")


def on_terminal(args, env):
    """stdout of `args` run with a pseudo-terminal as stdout (and stdin), as text."""
    import pty
    import subprocess
    main_fd, sub_fd = pty.openpty()
    p = subprocess.Popen(args, stdout=sub_fd, stdin=sub_fd, stderr=subprocess.PIPE,
                         env=dict(os.environ, COLUMNS="200", **env))
    os.close(sub_fd)
    out = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # EIO once the process has closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main_fd)
    p.wait(timeout=30)
    return out.decode("utf-8", "replace")


if __name__ == "__main__":
    sys.exit(main())
