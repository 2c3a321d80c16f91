#!/usr/bin/python3
"""Daemons whose configurations differ (issue 18, docs/scaling.md "Configurations that differ"):
two veilled on one throwaway PostgreSQL database. The second has one feed more and one rule
changed:
- its log has exactly one warning, naming the extra feed and the changed rule; the first
  daemon's (started before it) has none;
- after a SIGHUP with the same file, the warning is logged once more (one per reload);
- `veille status --json` lists both daemons' fingerprints, and says which differ from a file;
- once the second stops (its row removed), a third daemon with the first one's configuration,
  and a reload of the first, log no warning.
"""

import argparse
import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg_daemons  # noqa: E402
import pg_server  # noqa: E402

CONFIG = """
[daemon]
database = "{url}"
lease_time = "5s"
[polling]
interval = "1h"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''{query}'''
channels = ["journal"]
[[rule]]
name = "concurrent"
query = '''Rivalia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""

RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{name}</title>
<link>https://t.example/{name}</link><item><title>Orélia {name}</title>
<link>https://t.example/{name}/a</link><guid>{name}-a</guid></item></channel></rss>"""

WARNING = "this daemon's configuration (fingerprint"


def warnings(daemon):
    return daemon.matching(re.escape(WARNING))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    try:
        with pg_server.PgServer() as pg, harness.Workdir() as work, \
                pg_daemons.Daemons(a.veilled, work.path) as daemons:
            urls = []
            for name in ("un", "deux", "trois"):
                path = os.path.join(work.path, name + ".xml")
                harness.write_atomic(path, RSS.format(name=name))
                urls.append("file://" + path)

            def config(name, feeds, query):
                text = "".join('[[feed]]\nurl = "%s"\n' % u for u in feeds)
                return daemons.config(name, CONFIG.format(url=pg.url, feeds=text, query=query))

            first = config("first", urls[:2], "Orélia")
            second = config("second", urls, "Orélia OR Orelia")
            third = config("third", urls[:2], "Orélia")  # the first's, in another file

            def start(name, path):
                daemon = daemons.start(name, config=path)
                c.check(daemon.wait_for_log(r"veilled .* started:", 20),
                        "daemon %s started" % name)
                return daemon

            def reload(daemon, times):
                daemon.proc.send_signal(signal.SIGHUP)
                c.check(daemon.wait_for_log("reload: configuration applied", 20, count=times),
                        "daemon %s reloaded (%d)" % (daemon.name, times))

            a_daemon = start("a", first)
            b_daemon = start("b", second)
            time.sleep(1)  # anything logged late would show now
            got = warnings(b_daemon)
            c.check(len(got) == 1, "the second daemon logs one warning (%d)" % len(got))
            line = got[0] if got else ""
            print(line.strip())
            c.check("feeds: 1 only here (%s)" % urls[2] in line, "it names the extra feed")
            c.check("rules: 'marque' differs" in line, "it names the changed rule")
            c.check("channels: same" in line, "it says the channels are the same")
            c.check("concurrent" not in line, "it does not name the rule that is the same")
            c.check(not warnings(a_daemon), "the first daemon, started before, logs none")

            reload(b_daemon, 1)
            time.sleep(0.5)
            got = warnings(b_daemon)
            c.check(len(got) == 2, "a reload with the same file logs it once more (%d)"
                    % len(got))

            status = harness.run([a.veille, "--config", first, "status", "--json"], check=False)
            listed = json.loads(status.stdout).get("daemons", []) if status.stdout else []
            same = sorted(d.get("same_config") for d in listed)
            c.check(len(listed) == 2 and same == [False, True],
                    "veille status lists both daemons, one with the file's config (%s)" % same)
            differs = [d.get("differences") or "" for d in listed]
            c.check(any("rules: 'marque' differs" in d for d in differs),
                    "and names what differs")
            text = harness.run([a.veille, "--config", first, "status"], check=False).stdout
            rows = [l for l in text.splitlines() if "(written " in l]
            c.check(len(rows) == 2 and sum("UTC; the config file's)" in l for l in rows) == 1
                    and sum("UTC; differs from the config file: " in l for l in rows) == 1,
                    "its text lists both daemons, one with the file's config\n" + text)
            # A password in the URL is refused, and never printed, text or JSON.
            secret = daemons.config("secret", CONFIG.format(
                url=pg.url.replace("://veille@", "://veille:hunter2@"), feeds="", query="x"))
            for extra in ([], ["--json"]):
                shown = harness.run([a.veille, "--config", secret, "status"] + extra, check=False)
                out = shown.stdout + shown.stderr
                c.check(shown.returncode != 0 and "hunter2" not in out and "veille:***@" in out,
                        "status %s refuses a URL with a password and hides it\n%s" % (extra, out))
            stored = pg.psql("SELECT count(*) FROM daemon_configs").strip()
            c.check(stored == "2", "one row per daemon (%s)" % stored)
            leaked = pg.psql("SELECT count(*) FROM daemon_configs WHERE description ~ '%s'"
                             % os.path.basename(urls[2])).strip()
            c.check(leaked == "0", "feed URLs are stored as hashes only (%s)" % leaked)

            c.check(b_daemon.stop() == 0, "the second daemon stops cleanly")
            stored = pg.psql("SELECT count(*) FROM daemon_configs").strip()
            c.check(stored == "1", "its row is removed at stop (%s)" % stored)
            c_daemon = start("c", third)
            time.sleep(1)
            c.check(not warnings(c_daemon), "a daemon with an equal configuration logs none")
            reload(a_daemon, 1)
            time.sleep(0.5)
            c.check(not warnings(a_daemon), "nor does a reload of the first")
            for daemon in daemons.started:
                if daemon.running():
                    c.check(daemon.stop() == 0, "a daemon stops cleanly")
            if c.failed:
                daemons.print_tails()
    except pg_server.Unavailable as e:
        print("FAIL throwaway PostgreSQL server: %s" % e)
        return 1
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
