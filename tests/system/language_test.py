#!/usr/bin/python3
"""End to end, each stored entry's language (issue 16): a feed that declares no language gets
its entries' languages detected (CLD2), a feed that declares one keeps it, a feed left at "en-US"
that writes in French is stored as detected French; a `lang:fr` rule matches the detected
languages; `mentions`, `search`, `stats` and `report` take `--lang`; stats and the report count
mentions by language; the JSON of mentions and search carries `language` and
`language_source`."""

import argparse
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
url = "{presse}"
name = "Presse"
[[feed]]
url = "{wire}"
name = "Wire"
[[feed]]
url = "{blog}"
name = "Blog"
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia'''
[[rule]]
name = "marque-fr"
category = "brand"
query = '''Orélia lang:fr'''
"""

FR1 = ("La marque Orélia annonce l'ouverture d'une nouvelle usine près de Lyon, qui emploiera "
       "trois cents personnes d'ici la fin de l'année selon la direction du groupe.")
FR2 = ("Les consommateurs se plaignent de retards de livraison depuis le lancement de la "
       "nouvelle gamme Orélia, et les associations demandent des explications au fabricant.")
EN1 = ("The brand Orélia said on Tuesday that it will open a new plant near Lyon, which will "
       "employ three hundred people by the end of the year, according to the group.")
EN2 = ("Customers have complained about delivery delays since Orélia launched its new range, "
       "and consumer groups are asking the manufacturer for an explanation.")


def rss(title, language, items):
    lang = "<language>%s</language>" % language if language else ""
    body = "".join(
        "<item><title>%s</title><link>https://x.example/%s</link><guid>%s</guid>"
        "<description>%s</description></item>\n" % (t, slug, slug, text)
        for slug, t, text in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>%s</title>'
            "<link>https://x.example/</link>%s\n%s</channel></rss>\n" % (title, lang, body))


FEEDS = {
    # No language declared: detected.
    "presse.xml": ("Presse", None, [("fr1", "Orélia ouvre une usine", FR1),
                                    ("en1", "Orélia opens a plant", EN1),
                                    ("short", "Orélia", "Orélia !")]),
    # Declared and consistent: kept as declared.
    "wire.xml": ("Wire", "en-GB", [("en2", "Orélia delivery delays", EN2)]),
    # Declared "en-US" by a French blog: the text says otherwise.
    "blog.xml": ("Blog", "en-US", [("fr2", "Retards de livraison chez Orélia", FR2),
                                   ("fr3", "Orélia à Lyon",
                                    FR1.replace("La marque", "Le groupe"))]),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.Workdir() as work:
        site = os.path.join(work.path, "site")
        os.mkdir(site)
        for name, (title, language, items) in FEEDS.items():
            with open(os.path.join(site, name), "w", encoding="utf-8") as f:
                f.write(rss(title, language, items))
        with harness.FeedServer(site) as server:
            work.write_config(CONFIG.format(port=server.port, presse=server.url("presse.xml"),
                                            wire=server.url("wire.xml"),
                                            blog=server.url("blog.xml")))
            harness.run([a.veilled, "--config", work.config, "--once"])
        veille = [a.veille, "--config", work.config]

        def cli(*args, check=True):
            return harness.run(veille + list(args), check=check)

        def languages(rows):
            return {r["link"].rsplit("/", 1)[1]: (r["language"], r["language_source"])
                    for r in rows}

        every = json.loads(cli("mentions", "--rule", "marque", "--json", "--limit", "0").stdout)
        c.check(languages(every) == {"fr1": ("fr", "detected"), "en1": ("en", "detected"),
                                     "short": (None, None), "en2": ("en-GB", "declared"),
                                     "fr2": ("fr", "detected"), "fr3": ("fr", "detected")},
                "each entry's language and how it was found: %r" % languages(every))

        rule = json.loads(cli("mentions", "--rule", "marque-fr", "--json").stdout)
        c.check(sorted(languages(rule)) == ["fr1", "fr2", "fr3"],
                "lang:fr in a rule matches the detected French entries: %r" % languages(rule))

        fr = json.loads(cli("mentions", "--rule", "marque", "--lang", "fr", "--json").stdout)
        c.check(sorted(languages(fr)) == ["fr1", "fr2", "fr3"],
                "mentions --lang fr: %r" % languages(fr))
        en = json.loads(cli("mentions", "--lang", "EN", "--json").stdout)
        c.check(sorted(languages(en)) == ["en1", "en2"],
                "mentions --lang EN keeps en and en-GB: %r" % languages(en))
        gb = json.loads(cli("mentions", "--lang", "en_gb", "--json").stdout)
        c.check(sorted(languages(gb)) == ["en2"], "mentions --lang en_gb: %r" % languages(gb))

        hits = json.loads(cli("search", "Orélia", "--lang", "English", "--json").stdout)
        c.check(sorted(languages(hits)) == ["en1", "en2"]
                and all("language_source" in h for h in hits),
                "search --lang English, with language and language_source: %r" % languages(hits))

        stats = json.loads(cli("stats", "--lang", "fr", "--json").stdout)
        c.check(stats.get("lang") == "fr" and stats.get("total") == 6,
                "stats --lang fr counts the French entries' mentions (2 rules x 3): %r"
                % {k: stats.get(k) for k in ("lang", "total")})
        stats = json.loads(cli("stats", "--lang", "de", "--json").stdout)
        c.check(stats.get("total") == 0, "stats --lang de: nothing")
        stats = json.loads(cli("stats", "--json").stdout)
        by_language = [(l["language"], l["mentions"]) for l in stats.get("languages", [])]
        c.check(by_language == [("fr", 6), ("en", 2), (None, 1)],
                "stats counts mentions by language (en-GB as en; unknown last): %r" % by_language)

        whole = os.path.join(work.path, "whole.html")
        cli("report", "--language", "en", "-o", whole)
        with open(whole, encoding="utf-8") as f:
            html = f.read()
        c.check("Mentions by language" in html and ">French</span>" in html
                and ">English</span>" in html and ">undetermined</span>" in html,
                "the report shows mentions by language, named")
        french = os.path.join(work.path, "fr.html")
        p = cli("report", "--lang", "fr", "--language", "fr", "-o", french)
        with open(french, encoding="utf-8") as f:
            html = f.read()
        c.check("Articles en français uniquement (fr)" in html
                and "Mentions par langue" not in html and "(6 mentions," in p.stdout,
                "report --lang fr keeps the French entries and says so: %r" % p.stdout)

        p = cli("mentions", "--lang", "fr; DROP", check=False)
        c.check(p.returncode == 2 and "--lang: expected a language code" in p.stderr,
                "a --lang that is not a language code is a usage error: %d %r"
                % (p.returncode, p.stderr))
        p = cli("mentions", "--lang", "it")
        c.check(p.stdout.strip() == "No mentions (lang 'it').",
                "an empty result names the --lang filter: %r" % p.stdout)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
