#!/usr/bin/python3
"""End to end, veille in French (issue 15): the everyday commands' tables and messages follow
LANG (French headings, dates and numbers, columns still aligned), `--json` and CSV are the same
bytes in every language, and `veille report` follows --language, else LANG, else
`[daemon] language`. Only C.UTF-8 needs to be installed: veille reads its own catalog. Links:
tables and the report show a Google Alerts entry's canonical link (the redirect unwrapped, no
tracking parameters); JSON and CSV keep the published link beside it."""

import argparse
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "veille.db"
{language}
[polling]
allow_private = ["127.0.0.1:{port}"]
timeout = "5s"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia OR "Orelia Paris"'''
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa OR Verdance'''
"""

FEEDS = [("blog-marketing.xml", "Le Carnet du Marketing"),
         ("presse-atom.xml", "La Gazette des Cosmétiques"),
         ("google-alerts.xml", "Google Alerts — Orélia")]

FRENCH = "fr_FR.UTF-8"
NEUTRAL = "C.UTF-8"


def columns_aligned(table, headings):
    """Every row has a column boundary (two spaces, then text) where each heading starts."""
    lines = [l for l in table.splitlines() if l.strip()]
    header, rows = lines[0], lines[1:]
    for h in headings:
        at = header.find(h)
        if at < 2 or not rows:
            return False
        for row in rows:
            if row.startswith("    "):  # a snippet line under its row
                continue
            if len(row) <= at or row[at - 2:at] != "  " or row[at] == " ":
                return False
    return True


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
        with harness.FeedServer(root) as server:
            feeds = "".join('[[feed]]\nurl = "%s"\nname = "%s"\n' % (server.url(f), n)
                            for f, n in FEEDS)

            def configure(language):
                work.write_config(CONFIG.format(port=server.port, feeds=feeds, language=language))

            configure("")
            harness.run([a.veilled, "--config", work.config, "--once"], check=False)

            def cli(lang, *args, check=True):
                env = {k: v for k, v in os.environ.items()
                       if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG")}
                env.update({"LANG": lang, "COLUMNS": "200"})
                p = subprocess.run([a.veille, "--config", work.config, *args], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   encoding="utf-8", timeout=60)
                if check and p.returncode != 0:
                    raise AssertionError("%s: exit %d\n%s" % (args, p.returncode, p.stderr))
                return p

            # mentions: headings, dates, empty result with its filters.
            fr = cli(FRENCH, "mentions").stdout
            en = cli(NEUTRAL, "mentions").stdout
            c.check(fr.startswith("DÉTECTÉ (UTC)") and "RÈGLE" in fr.splitlines()[0] and
                    "TITRE" in fr.splitlines()[0], "mentions: French headings: %r" % fr[:80])
            c.check(re.search(r"^\d\d/\d\d/20\d\d \d\d:\d\d  ", fr.splitlines()[1]) is not None,
                    "mentions: dates written 25/11/2026 20:33 in French: %r" % fr.splitlines()[1])
            c.check(en.startswith("DETECTED (UTC)") and
                    re.search(r"^20\d\d-\d\d-\d\d \d\d:\d\d  ", en.splitlines()[1]) is not None,
                    "mentions: English headings and ISO dates under C.UTF-8")
            c.check(columns_aligned(fr, ["RÈGLE", "FLUX", "TITRE"]) and
                    columns_aligned(en, ["RULE", "FEED", "TITLE"]),
                    "mentions: columns stay aligned with accented headings")
            empty = cli(FRENCH, "mentions", "--rule", "concurrents", "--feed",
                        "Le Carnet du Marketing", "--until", "3000d").stdout
            c.check("Aucune mention (règle « concurrents », flux « Le Carnet du Marketing », "
                    "jusqu’à 3000d)." in empty, "an empty result in French: %r" % empty)
            story = cli(FRENCH, "mentions", "--story").stdout
            c.check(re.search(r"\d+ sources?\b", story) is not None, "mentions --story in French")

            # search, stats, feeds, status, outbox.
            search = cli(FRENCH, "search", "Orélia").stdout
            c.check(search.startswith("DATE (UTC)") and "CORRESPONDANCE" in search.splitlines()[0],
                    "search: French headings: %r" % search[:80])
            nothing = cli(FRENCH, "search", "introuvable").stdout
            c.check("Aucun article enregistré ne correspond." in nothing,
                    "search: nothing found, in French: %r" % nothing)
            stats = cli(FRENCH, "stats").stdout
            c.check("PAR RÈGLE" in stats and "PART DE VOIX" in stats and
                    "date des articles" in stats and "marque" in stats,
                    "stats: French headings: %r" % stats[:200])
            by_category = stats.split("PAR CATÉGORIE")[-1].split("PART DE VOIX")[0]
            c.check("PAR CATÉGORIE" in stats and "marque" in by_category
                    and "concurrent" in by_category and "brand" not in by_category
                    and "competitor" not in by_category,
                    "stats: brand and competitor named in French per category too: %r"
                    % by_category)
            c.check(re.search(r"\d+,\d\u202f%", stats) is not None,
                    "stats: shares written 40,9 % in French")
            feeds_fr = cli(FRENCH, "feeds").stdout
            feeds_en = cli(NEUTRAL, "feeds").stdout
            c.check("PROCHAIN RELEVÉ" in feeds_fr and "ÉTAT" in feeds_fr,
                    "feeds: French headings: %r" % feeds_fr.splitlines()[0])
            c.check(columns_aligned(feeds_fr, ["ÉTAT", "DERNIER RELEVÉ", "ARTICLES"]) and
                    columns_aligned(feeds_en, ["STATE", "LAST FETCH", "ENTRIES"]),
                    "feeds: columns stay aligned with accented headings")
            status = cli(FRENCH, "status", check=False).stdout
            c.check("service :" in status and "file d’envoi :" in status and
                    ("jamais démarré" in status or "arrêté" in status) and
                    "(schéma " in status and "(valide)" in status,
                    "status: French labels: %r" % status)
            outbox = cli(FRENCH, "outbox").stdout
            c.check(outbox.startswith("File d’envoi :"), "outbox: French summary: %r" % outbox)

            # Machine outputs do not change with the language.
            for args in (["mentions", "--json"], ["search", "Orélia", "--json"],
                         # fixed period: "since 30d" moves with the clock between two runs
                         ["stats", "--json", "--since", "2020-01-01", "--until", "2040-01-01",
                          "--by", "month"], ["feeds", "--json"], ["status", "--json"],
                         ["outbox", "--json"], ["export", "--format", "csv"]):
                a_fr = cli(FRENCH, *args, check=False)
                a_en = cli(NEUTRAL, *args, check=False)
                c.check(a_fr.stdout == a_en.stdout and a_fr.stdout.strip(),
                        "%s is the same bytes under LANG=%s and %s" % (" ".join(args), FRENCH,
                                                                      NEUTRAL))

            # Links: the canonical link in tables and the report, both links in JSON and CSV.
            google = "https://www.google.com/url?rct=j&sa=t&url=https://actu-conso.example.fr/"
            article = "https://actu-conso.example.fr/2026/11/24/orelia-rappel-creme-solaire"
            table = cli(NEUTRAL, "mentions", "--feed", "Google Alerts — Orélia").stdout
            c.check(article in table and "google.com/url" not in table,
                    "mentions shows a Google Alerts entry's unwrapped link: %r" % table[:400])
            story = cli(NEUTRAL, "mentions", "--story").stdout
            c.check(article in story and "google.com/url" not in story,
                    "mentions --story too")
            as_json = json.loads(cli(NEUTRAL, "mentions", "--json", "--feed",
                                     "Google Alerts — Orélia").stdout)
            item = [m for m in as_json if m["canonical_link"] == article]
            c.check(item and item[0]["link"].startswith(google) and "usg=" in item[0]["link"],
                    "mentions --json keeps the published link in link, the canonical one in "
                    "canonical_link")
            hits = json.loads(cli(NEUTRAL, "search", "rappel", "--json").stdout)
            c.check(any(h["canonical_link"] == article and h["link"].startswith(google)
                        for h in hits), "search --json has both links")
            rows = list(csv.DictReader(io.StringIO(cli(NEUTRAL, "export", "--format", "csv").stdout)))
            c.check(any(r["canonical_link"] == article and r["link"].startswith(google)
                        for r in rows), "export CSV has both links")

            # The report: --language, else LANG, else [daemon] language.
            report = os.path.join(work.path, "report.html")

            def report_lang(lang, *extra):
                p = cli(lang, "report", "-o", report, *extra)
                with open(report, encoding="utf-8") as f:
                    html = f.read()
                return re.search(r'<html lang="(\w+)">', html).group(1), html, p.stdout

            got, html, said = report_lang(FRENCH)
            c.check(got == "fr" and "Part de voix" in html and "écrit (" in said,
                    "report: French under LANG=fr_FR.UTF-8: %r" % said)
            c.check('href="%s"' % article in html and "google.com/url" not in html,
                    "report: the story links to the unwrapped article")
            c.check(report_lang(FRENCH, "--language", "en")[0] == "en",
                    "report: --language en overrides LANG")
            c.check(report_lang(NEUTRAL)[0] == "en", "report: English under C.UTF-8 by default")
            configure('language = "fr"')
            c.check(report_lang(NEUTRAL)[0] == "fr",
                    "report: under C.UTF-8 it follows [daemon] language = \"fr\"")
            c.check(report_lang("en_US.UTF-8")[0] == "en",
                    "report: a LANG that names English wins over [daemon] language")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
