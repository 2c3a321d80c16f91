#!/usr/bin/python3
"""End to end, rules that explain themselves and a share of voice that compares brands (issue
15): `test-rule --rule NAME` runs a configured rule (query and exclude) on --text, --file and
--since, an unknown rule is an error with a suggestion; `--explain` says which terms hit where,
how far apart the NEAR terms were and which exclude vetoed the entry, in text and in JSON;
`check-config` warns on a lower-case `or` between terms; `stats` and `report` count distinct
stories per entity (two rules of the brand under one entity, one rule per competitor)."""

import argparse
import csv
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
url = "{presse}"
name = "Presse"
[[feed]]
url = "{agence}"
name = "Agence"
[[rule]]
name = "marque"
category = "brand"
entity = "Alpéa"
query = '''Alpéa'''
[[rule]]
name = "crise"
category = "brand"
entity = "Alpéa"
query = '''Alpéa NEAR/8 (rappel OR contamination)'''
exclude = '''emploi OR stage'''
[[rule]]
name = "Evian"
category = "competitor"
entity = "Société des Eaux d'Evian"
query = '''Evian'''
[[rule]]
name = "Volvic"
category = "competitor"
query = '''Volvic or Vittel'''
[[rule]]
name = "eau"
category = "sector"
entity = "Eaux minérales"
query = '''"eau minérale"'''
"""


def rss(title, items):
    body = "".join(
        "<item><title>%s</title><link>https://x.example/%s</link><guid>%s-%s</guid>"
        "<description>%s</description></item>\n" % (t, slug, title, slug, text)
        for slug, t, text in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>%s</title>'
            "<link>https://x.example/</link>\n%s</channel></rss>\n" % (title, body))


RAPPEL = ("rappel", "Alpéa rappelle un lot",
          "La marque Alpéa procède au rappel d'un lot de bouteilles.")
PRESSE = [RAPPEL,
          ("duel", "Evian et Alpéa", "Evian et Alpéa se disputent le rayon des eaux."),
          ("evian", "Evian lance une gourde", "Evian lance une gourde en verre."),
          ("volvic", "Volvic or Vittel", "Le duel Volvic or Vittel, au sens propre.")]
AGENCE = [RAPPEL]  # the same story from a second feed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.Workdir() as work:
        site = os.path.join(work.path, "site")
        os.mkdir(site)
        for name, title, items in (("presse.xml", "Presse", PRESSE),
                                   ("agence.xml", "Agence", AGENCE)):
            with open(os.path.join(site, name), "w", encoding="utf-8") as f:
                f.write(rss(title, items))
        with harness.FeedServer(site) as server:
            work.write_config(CONFIG.format(port=server.port, presse=server.url("presse.xml"),
                                            agence=server.url("agence.xml")))
            harness.run([a.veilled, "--config", work.config, "--once"])
        veille = [a.veille, "--config", work.config]

        def cli(*args, check=False):
            return harness.run(veille + list(args), check=check)

        # 1. check-config: a lower-case "or" between terms is a warning (exit 0).
        p = cli("check-config")
        warning = [line for line in p.stderr.splitlines() if "warning" in line]
        c.check(len(warning) == 2 and warning[1] == work.config + ':33: warning: rule "eau": '
                'entity "Eaux minérales" has no rule of category brand or competitor, so it is '
                "not in the share of voice", "check-config warns on an entity outside the share "
                "of voice: %r" % warning[1:])
        c.check(p.returncode == 0 and len(warning) == 2
                and warning[0].startswith(work.config + ":32: warning: rule \"Volvic\": column 8:")
                and "write OR for the operator" in warning[0] and '"or" (quoted)' in warning[0]
                and p.stdout.rstrip().endswith(", 2 warnings"),
                "check-config warns on 'Volvic or Vittel', says how to write both, exits 0: %r %r"
                % (p.stderr, p.stdout))

        p = cli("test-rule", "Volvic or Vittel", "--text", "Volvic or Vittel")
        c.check(p.returncode == 0 and "veille test-rule: warning: query: column 8: 'or' between "
                "two terms is searched as a word" in p.stderr,
                "test-rule gives check-config's warning too: %r" % p.stderr)

        # 2. test-rule --rule: the configured query and its exclude.
        vetoed = "Alpéa annonce le rappel de son offre d'emploi"
        p = cli("test-rule", "--rule", "crise", "--text", vetoed)
        c.check(p.returncode == 1 and "match:   no" in p.stdout and "rule:    crise" in p.stdout,
                "--rule crise applies the rule's exclude: no match, exit 1 (%d)" % p.returncode)
        p = cli("test-rule", "Alpéa NEAR/8 (rappel OR contamination)", "--text", vetoed)
        c.check(p.returncode == 0, "the same query without the rule's exclude matches")
        p = cli("test-rule", "--rule", "crise", "--text", "Alpéa : rappel de lots à Lyon")
        c.check(p.returncode == 0 and "**rappel**" in p.stdout, "--rule crise matches a recall")
        p = cli("test-rule", "--rule", "marqe", "--text", "Alpéa")
        c.check(p.returncode == 2 and "unknown rule 'marqe' (did you mean 'marque'?)" in p.stderr,
                "an unknown rule: did-you-mean, exit 2 (%d, %r)" % (p.returncode, p.stderr))
        p = cli("test-rule", "Alpéa", "--rule", "marque", "--text", "Alpéa")
        c.check(p.returncode == 2, "a query and --rule together: a usage error")
        p = cli("test-rule", "--text", "Alpéa")
        c.check(p.returncode == 2 and "give a query or --rule" in p.stderr,
                "neither a query nor --rule: exit 2 with a message")
        p = cli("test-rule", "--rule", "Evian", "--file", os.path.join(site, "presse.xml"))
        c.check(p.returncode == 0 and "2 of 4 entries match" in p.stdout,
                "--rule with --file: %r" % p.stdout[-60:])
        p = cli("test-rule", "--rule", "crise", "--since", "30d", "--json")
        backtest = json.loads(p.stdout) if p.returncode == 0 else {}
        c.check(backtest.get("matches") == 2 and backtest.get("exclude") == "emploi OR stage",
                "--rule with --since replays the rule's query and exclude: %r" % backtest)

        # 3. --explain: terms, fields, offsets; NEAR distance against the limit; the veto.
        p = cli("test-rule", "--rule", "crise", "--text", vetoed, "--title", "Alpéa", "--explain")
        out = p.stdout
        c.check("  query: matched" in out
                and '    Alpéa: 2 hits: title 0-6 "Alpéa", text 0-6 "Alpéa"' in out
                and "    NEAR/8: Alpéa … (rappel OR contamination): closest 2 words apart, "
                "within 8" in out
                and "  exclude (emploi OR stage): matched, the entry is vetoed" in out
                and '    emploi: 1 hit: text 40-46 "emploi"' in out
                and "    stage: not found" in out,
                "--explain says why in plain text:\n" + out)
        p = cli("test-rule", "Alpéa NEAR/2 rappel", "--text", "Alpéa a dû procéder au rappel",
                "--explain")
        c.check(p.returncode == 1 and "closest 4 words apart, more than 2" in p.stdout,
                "--explain gives the NEAR distance found against the limit")
        p = cli("test-rule", "Alpéa NEAR/2 rappel", "--text", "Alpéa seule", "--explain")
        c.check(p.returncode == 1 and "NEAR/2: Alpéa … rappel: the right side is not found"
                in p.stdout, "--explain says which side of a NEAR is missing")
        p = cli("test-rule", "--rule", "crise", "--text", vetoed, "--explain", "--json")
        j = json.loads(p.stdout)
        e = j.get("explain", {})
        emploi = [t for t in (e.get("exclude") or {}).get("terms", []) if t["term"] == "emploi"]
        near = e.get("query", {}).get("near", [{}])[0]
        c.check(j.get("match") is False and j.get("rule") == "crise" and "parsed" in j
                and e.get("excluded") is True and e.get("query", {}).get("matched") is True
                and emploi and emploi[0]["hits"] == [
                    {"field": "text", "begin": 40, "end": 46, "text": "emploi"}]
                and near.get("closest") == 2 and near.get("limit") == 8
                and near.get("holds") is True,
                "--json has the explain object: %r" % e)
        p = cli("test-rule", "--rule", "crise", "--since", "30d", "--explain", "--json")
        newest = json.loads(p.stdout).get("newest", []) if p.returncode == 0 else []
        c.check(len(newest) == 2 and all(
            h["explain"]["query"]["near"][0]["closest"] == 2
            and h["explain"]["exclude"]["matched"] is False for h in newest),
            "--explain with --since explains every match listed (JSON)")
        p = cli("test-rule", "--rule", "crise", "--since", "30d", "--explain")
        c.check(p.returncode == 0 and "\nWHY\n" in p.stdout
                and p.stdout.count("closest 2 words apart, within 8") == 2,
                "--explain with --since explains every match listed (text)")
        p = cli("test-rule", "--rule", "marque", "--file", os.path.join(site, "presse.xml"),
                "--explain")
        c.check(p.returncode == 0 and p.stdout.count("query: matched") == 2
                and p.stdout.count("query: not matched") == 2,
                "--explain with --file explains every entry")

        # 4. Share of voice: distinct stories per entity.
        stats = json.loads(cli("stats", "--since", "30d", "--json", check=True).stdout)
        voice = {v["entity"]: v for v in stats["share_of_voice"]}
        c.check(sorted(voice) == ["Alpéa", "Société des Eaux d'Evian", "Volvic"]
                and voice["Alpéa"]["stories"] == 2 and voice["Alpéa"]["rules"] == ["crise", "marque"]
                and voice["Alpéa"]["mentions"] == 5 and voice["Société des Eaux d'Evian"]["stories"] == 2
                and voice["Volvic"]["stories"] == 1
                and abs(voice["Alpéa"]["share"] - 0.4) < 1e-9
                and stats["share_of_voice"][0]["entity"] == "Alpéa",
                "stats: Alpéa (marque + crise) counts 2 stories, not 5 mentions: %r"
                % stats["share_of_voice"])
        # Every mention names its rule's entity (JSON and the last CSV column).
        mentions = json.loads(cli("mentions", "--since", "30d", "--limit", "0", "--json",
                                  check=True).stdout)
        want = {"marque": "Alpéa", "crise": "Alpéa", "Evian": "Société des Eaux d'Evian",
                "Volvic": "Volvic", "eau": "Eaux minérales"}
        c.check(mentions and all(m.get("entity") == want[m["rule"]] for m in mentions),
                "mentions --json gives each mention its rule's entity: %r"
                % [(m["rule"], m.get("entity")) for m in mentions])
        rows = list(csv.reader(io.StringIO(
            cli("mentions", "--since", "30d", "--limit", "0", "--format", "csv",
                check=True).stdout)))
        c.check(rows[0][-1] == "entity" and len(rows) == len(mentions) + 1
                and all(r[-1] == want[r[2]] for r in rows[1:]),
                "mentions --format csv ends with the entity column: %r" % rows[:3])
        text = cli("stats", "--since", "30d", check=True).stdout
        c.check("SHARE OF VOICE" in text and any(
            line.split()[:3] == ["Alpéa", "brand", "40.0%"] for line in text.splitlines()),
            "the stats table shows the entity and its share")
        c.check(any(line.startswith("  Société des Eaux d'Evian  competitor")
                    for line in text.splitlines()),
                "an entity's name is not cut in the stats table: %r" % text)
        report = os.path.join(work.path, "report.html")
        cli("report", "--since", "30d", "--output", report, check=True)
        with open(report, encoding="utf-8") as f:
            html = f.read()
        c.check("Alpéa</td><td class=\"muted\">brand</td><td class=\"num\">2</td>" in html
                and ">40%<" in html.replace(" ", ""),
                "the report's share of voice is per entity")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
