#!/usr/bin/python3
"""End to end, the rest of the CLI in French (issue 15): usage errors (unknown rule, feed,
date), check-config, test-rule (and
--explain), triage, poll (without a daemon, and --wait with one), db, opml import, discover,
fetch, parse, outbox retry and the OUTCOME/INTERVAL cells of feeds follow LANG like the
everyday commands (french_test.py); under C.UTF-8 they write the same English as before; JSON,
TSV and exit codes are the same in both languages."""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
timeout = "5s"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia OR "Orelia Paris"'''
exclude = '''offre NEAR/3 emploi'''
[[rule]]
name = "Volvic"
category = "competitor"
query = '''Volvic or Vittel'''
"""

FEEDS = [("blog-marketing.xml", "Le Carnet du Marketing"),
         ("presse-atom.xml", "La Gazette des Cosmétiques")]

FRENCH = "fr_FR.UTF-8"
NEUTRAL = "C.UTF-8"
VETOED = "Orélia publie une offre d'emploi"


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
            work.write_config(CONFIG.format(port=server.port, feeds=feeds))
            harness.run([a.veilled, "--config", work.config, "--once"], check=False)

            def cli(lang, *args):
                env = {k: v for k, v in os.environ.items()
                       if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG")}
                env.update({"LANG": lang, "COLUMNS": "200"})
                return subprocess.run([a.veille, "--config", work.config, *args], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      encoding="utf-8", timeout=60)

            def both(*args):
                return cli(FRENCH, *args), cli(NEUTRAL, *args)

            # check-config: the summary line and the warning's framing (the query problem
            # itself comes from lib/match and stays English).
            db = os.path.join(work.path, "veille.db")
            fr, en = both("check-config")
            c.check(fr.returncode == 0 and en.returncode == 0 and
                    fr.stdout == "%s : ok (2 flux, 2 règles, 0 canal ; base %s), 1 avertissement\n"
                    % (work.config, db),
                    "check-config: French summary: %r" % fr.stdout)
            c.check(en.stdout == "%s: ok (2 feeds, 2 rules, 0 channels; database %s), 1 warning\n"
                    % (work.config, db),
                    "check-config: English summary under C.UTF-8: %r" % en.stdout)
            c.check("avertissement : règle « Volvic » : column 8:" in fr.stderr and
                    'warning: rule "Volvic": column 8:' in en.stderr,
                    "check-config: the warning's framing in each language: %r" % fr.stderr)

            # The CLI's own usage errors: an unknown rule, feed or date, with a suggestion.
            fr, en = both("mentions", "--rule", "marqe")
            c.check(fr.returncode == en.returncode == 2 and
                    "règle inconnue « marqe » (vouliez-vous dire « marque » ?)" in fr.stderr and
                    "unknown rule 'marqe' (did you mean 'marque'?)" in en.stderr,
                    "an unknown rule in each language, exit 2: %r" % fr.stderr)
            fr, en = both("mentions", "--feed", "nulle part")
            c.check(fr.returncode == en.returncode == 2 and
                    "flux inconnu « nulle part » ; `veille feeds` en donne la liste" in fr.stderr
                    and "unknown feed 'nulle part'; `veille feeds` lists the names" in en.stderr,
                    "an unknown feed in each language, exit 2: %r" % fr.stderr)
            fr, en = both("mentions", "--since", "hier")
            c.check(fr.returncode == en.returncode == 2 and
                    "--since hier : une durée avant maintenant" in fr.stderr and
                    "--since hier: expected a duration back from now" in en.stderr,
                    "a bad --since in each language, exit 2: %r" % fr.stderr)

            # test-rule: verdict and explanation; same exit code and JSON in both languages.
            fr, en = both("test-rule", "--rule", "marque", "--explain", "--text", VETOED)
            c.check(fr.returncode == 1 and en.returncode == 1, "test-rule: no match, exit 1")
            c.check("correspond : non" in fr.stdout and "pourquoi :" in fr.stdout and
                    "requête : correspond" in fr.stdout and
                    "exclusion (offre NEAR/3 emploi) : correspond, l’article est écarté"
                    in fr.stdout and "Orélia : 1 occurrence : text 0-7" in fr.stdout,
                    "test-rule --explain in French: %r" % fr.stdout)
            c.check("match:   no" in en.stdout and "why:" in en.stdout and
                    "exclude (offre NEAR/3 emploi): matched, the entry is vetoed" in en.stdout and
                    "Orélia: 1 hit: text 0-7" in en.stdout,
                    "test-rule --explain in English under C.UTF-8: %r" % en.stdout)
            feed_file = os.path.join(root, "blog-marketing.xml")
            fr, en = both("test-rule", "Orélia", "--file", feed_file)
            c.check(re.search(r"^\d+ articles? sur \d+ correspond", fr.stdout, re.M) and
                    re.search(r"^\d+ of \d+ entries match$", en.stdout, re.M) and
                    "  TROUVÉ " in fr.stdout and "  MATCH " in en.stdout,
                    "test-rule --file: verdicts and count in each language: %r" % fr.stdout)
            for args in (["test-rule", "--rule", "marque", "--explain", "--json", "--text", VETOED],
                         ["parse", feed_file], ["parse", feed_file, "--format", "tsv"]):
                fr, en = both(*args)
                c.check(fr.stdout == en.stdout and fr.stdout.strip() and
                        fr.returncode == en.returncode,
                        "%s: the same bytes and exit code in both languages" % " ".join(args[:2]))
            fr = cli(FRENCH, "parse", os.path.join(work.path, "absent.xml"))
            c.check(fr.returncode == 1 and "impossible de lire" in fr.stderr,
                    "parse: a missing file in French: %r" % fr.stderr)

            # triage: the summary line, a missing id on stderr.
            ids = [m["id"] for m in json.loads(cli(NEUTRAL, "mentions", "--json").stdout)]
            c.check(len(ids) >= 1, "the first poll found mentions (%d)" % len(ids))
            fr = cli(FRENCH, "triage", str(ids[0]), "--status", "handled", "--tag", "presse")
            en = cli(NEUTRAL, "triage", str(ids[0]), "--status", "read")
            c.check(fr.returncode == 0 and
                    fr.stdout.strip() == "1 mention : statut « traitée », +presse",
                    "triage: French summary: %r" % fr.stdout)
            c.check(en.returncode == 0 and en.stdout.strip() == "1 mention: status read",
                    "triage: English summary under C.UTF-8: %r" % en.stdout)
            fr, en = both("triage", "999999", "--status", "read")
            c.check(fr.returncode == en.returncode == 1 and
                    "aucune mention 999999" in fr.stderr and "no mention 999999" in en.stderr,
                    "triage: an unknown id in each language")

            # poll: no daemon runs (--once has stopped): said in words, exit 1 in both.
            fr, en = both("poll", "--all")
            c.check(fr.returncode == en.returncode == 1 and
                    "veilled ne tourne pas sur" in fr.stderr and
                    "rien n’a été demandé" in fr.stderr and
                    "veilled is not running on" in en.stderr,
                    "poll: no daemon, in each language: %r" % fr.stderr)

            # db: info labels aligned after the longest French one, backup and migrate.
            info = cli(FRENCH, "db", "info").stdout.splitlines()
            at = len("pages libres  ")  # the longest label and two spaces
            c.check(len(info) == 10 and info[0] == "base" + " " * (at - 4) + db and
                    info[1] == "moteur" + " " * (at - 6) + "sqlite" and
                    info[7].startswith("file d’envoi  ") and
                    all(l[at - 2:at] == "  " and l[at] != " " for l in info),
                    "db info: French labels, values in one column: %r" % info)
            c.check(cli(NEUTRAL, "db", "info").stdout.startswith("database  "),
                    "db info: English labels under C.UTF-8")
            fr = cli(FRENCH, "db", "backup", os.path.join(work.path, "copie.db"))
            c.check(fr.returncode == 0 and "sauvegardée dans" in fr.stdout,
                    "db backup: French message: %r" % fr.stdout)
            c.check("est à la version" in cli(FRENCH, "db", "migrate").stdout and
                    "is at schema version" in cli(NEUTRAL, "db", "migrate").stdout,
                    "db migrate: the schema version in each language")

            # feeds: OUTCOME and INTERVAL cells in words of the language.
            fr, en = both("feeds")
            c.check(re.search(r"  \d+(j|h|min)[\dhmins]*  ", fr.stdout) and
                    re.search(r"  \d+(d|h|m)[\dhms]*  ", en.stdout),
                    "feeds: the interval written 29min32s / 29m32s: %r" % fr.stdout)

            # outbox retry: the counts in sentences.
            fr = cli(FRENCH, "outbox", "retry", "--all")
            c.check(fr.returncode == 0 and
                    "alerte abandonnée remise dans la file d’envoi." in fr.stdout,
                    "outbox retry: French message: %r" % fr.stdout)
            fr, en = both("outbox", "retry", "999999")
            c.check(fr.returncode == en.returncode == 1 and
                    "la ligne 999999 de la file d’envoi n’est ni en attente" in fr.stderr and
                    "outbox row 999999 is not pending" in en.stderr,
                    "outbox retry: an unknown row in each language: %r" % fr.stderr)

            # opml: export, then import: the TOML blocks are the same, the words are French.
            opml = os.path.join(work.path, "flux.opml")
            with open(opml, "w", encoding="utf-8") as f:
                f.write(cli(NEUTRAL, "opml", "export").stdout)
            fr, en = both("opml", "import", opml)
            c.check(fr.returncode == 0 and "2 flux à ajouter, 0 ignoré" in fr.stderr and
                    fr.stdout.startswith("# Importé de flux.opml le "),
                    "opml import: French messages: %r %r" % (fr.stderr, fr.stdout[:60]))
            c.check("2 feeds to add, 0 skipped" in en.stderr and
                    fr.stdout.split("\n", 1)[1] == en.stdout.split("\n", 1)[1],
                    "opml import: English under C.UTF-8, the same [[feed]] blocks")

            # discover and fetch: a feed URL of the local server.
            url = server.url("presse-atom.xml")
            fr, en = both("discover", url)
            c.check(fr.returncode == en.returncode == 0 and "est un flux." in fr.stdout and
                    "PLUS RÉCENT" in fr.stdout and "is a feed." in en.stdout,
                    "discover: French table: %r" % fr.stdout)
            fr, en = both("fetch", url)
            c.check(fr.returncode == en.returncode == 0 and
                    re.search(r"^résultat +ok$", fr.stdout, re.M) and
                    re.search(r"^analyse +atom10, \d+ articles", fr.stdout, re.M) and
                    re.search(r"^outcome +ok$", en.stdout, re.M),
                    "fetch: French labels and summary: %r" % fr.stdout)

            # poll --wait with a running daemon: the table of what each poll found, the
            # outcome in words (the feeds have not changed since --once: inchangé).
            with open(os.path.join(work.path, "veilled.log"), "w") as log:
                daemon = subprocess.Popen([a.veilled, "--config", work.config], stdout=log,
                                          stderr=log)
            try:
                c.check(harness.wait_for(lambda: cli(NEUTRAL, "status").returncode == 0, 15),
                        "veilled is running")
                fr = cli(FRENCH, "poll", "--all", "--wait", "--timeout", "10s")
                lines = fr.stdout.splitlines()
                c.check(fr.returncode == 0 and lines and
                        lines[0].split() == ["FLUX", "RÉSULTAT", "STATUT", "NOUVEAUX", "ARTICLES",
                                             "NOUVELLES", "MENTIONS", "PROCHAIN", "RELEVÉ",
                                             "ERREUR"] and
                        len(lines) == 3 and
                        all("  inchangé  304  0  0  " in re.sub(r" {2,}", "  ", l)
                            for l in lines[1:]),
                        "poll --wait: French table, outcome in words: %r" % fr.stdout)
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.wait(timeout=20)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
