#!/usr/bin/python3
"""End to end: finding the sources of a site, on a local copy of a WordPress home page
(tests/system/sites/journal, served by a real local HTTP server).

* `veille discover` finds the feeds the page declares and links to (RSS and JSON Feed), verifies
  each by fetching it, refuses the REST API link, prints rows, --json and --toml; the --toml
  blocks are a valid config that veilled --once polls into mentions (the JSON Feed included);
* given a feed URL it says so; given a page without feeds it says what it tried (exit 1); a bad
  URL or --json with --toml is a usage error (exit 2);
* `veille fetch` and the daemon, given the home page as a feed, name the feed it declares.
"""

import argparse
import json
import os
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SITES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sites")

RULES = """
[[rule]]
name = "marque"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()

    with harness.FeedServer(os.path.join(SITES, "journal")) as server, \
            harness.FeedServer(os.path.join(SITES, "bare")) as bare, harness.Workdir() as work:
        allow = '127.0.0.1:%d", "127.0.0.1:%d' % (server.port, bare.port)
        home = server.url("")
        base = ["--config", work.config]
        work.write_config('[daemon]\ndatabase = "v.db"\n[polling]\nallow_private = ["%s"]\n'
                          'timeout = "10s"\n' % allow)

        def discover(*args, check=True):
            return harness.run([a.veille, *base, "discover", *args], check=check)

        # Rows: the declared feeds, the linked category feed, not the REST API.
        p = discover(home)
        c.check(p.returncode == 0, "discover exits 0 when feeds are found")
        rows = p.stdout
        for path in ("feed/", "comments/feed/", "feed.json", "category/economie/feed/"):
            c.check(server.url(path) in rows, "the table lists /" + path)
        c.check("wp-json/wp/v2/pages/2 (declared): not a feed" in rows,
                "the REST API link is listed as not a feed, with the reason")
        c.check("json11" in rows and "rss20" in rows, "the table shows each feed's format")

        p = discover(home, "--json")
        d = json.loads(p.stdout)
        urls = [f["url"] for f in d["feeds"]]
        c.check(urls[0] == server.url("feed/") and len(urls) == 4,
                "--json lists the 4 feeds, the main RSS feed first: %s" % urls)
        first = d["feeds"][0]
        c.check(first["title"] == "Le Journal de Lyon" and first["entries"] == 2
                and first["newest"] == "2026-11-24T07:00:00Z" and first["found_by"] == "declared",
                "--json gives title, entries, newest date and how each was found")
        c.check(d["page_title"].startswith("Le Journal de Lyon") and not d["is_feed"],
                "--json names the page and says it is not itself a feed")
        c.check(any(f["found_by"] == "link" for f in d["feeds"]),
                "the footer's category feed is found as a link")

        # --toml: ready [[feed]] blocks; veilled polls them.
        p = discover(home, "--toml")
        try:
            blocks = tomllib.loads(p.stdout)["feed"]
        except Exception as e:  # noqa: BLE001
            blocks = []
            print(p.stdout, e)
        c.check(len(blocks) == 4 and blocks[0]["url"] == server.url("feed/")
                and len({b["name"] for b in blocks}) == 4,
                "--toml prints 4 [[feed]] blocks with distinct names")
        work.write_config('[daemon]\ndatabase = "v.db"\n[polling]\nallow_private = ["%s"]\n'
                          'timeout = "10s"\n%s\n%s' % (allow, p.stdout, RULES))
        harness.run([a.veille, *base, "check-config"])
        harness.run([a.veilled, "--config", work.config, "--once"], timeout=60)
        found = harness.mentions(a.veille, work.config)
        feeds = {m.get("feed") for m in found}
        c.check(len(found) >= 3, "veilled --once on the discovered feeds stores mentions (%d)"
                % len(found))
        json_name = [b["name"] for b in blocks if b["url"].endswith("feed.json")]
        c.check(bool(json_name) and json_name[0] in feeds,
                "the JSON Feed was polled and matched like any feed: %s" % sorted(feeds))

        # A feed URL is reported as a feed.
        p = discover(server.url("feed.json"))
        c.check(p.returncode == 0 and "is a feed" in p.stdout and "json11" in p.stdout,
                "given a feed URL, discover says it is a feed")

        # A page without feeds: what was tried, exit 1.
        p = discover(bare.url(""), check=False)
        c.check(p.returncode == 1, "a page without feeds exits 1 (got %d)" % p.returncode)
        c.check("/rss.xml" in p.stdout and "/?feed=rss2" in p.stdout and "HTTP 404" in p.stdout,
                "it lists the usual paths it tried, with their status")

        # Usage errors.
        p = discover("ftp://example.org/", check=False)
        c.check(p.returncode == 2, "a URL that is not http(s) is a usage error (exit %d)"
                % p.returncode)
        p = discover(home, "--json", "--toml", check=False)
        c.check(p.returncode == 2, "--json with --toml is a usage error")

        # veille fetch and the daemon on the home page name the declared feed.
        p = harness.run([a.veille, *base, "fetch", home], check=False)
        expected = "it declares %s and 3 more (veille discover %s)" % (
            server.url("feed/"), home)
        c.check(p.returncode == 1 and expected in p.stdout,
                "veille fetch names the feed the page declares")
        work.write_config('[daemon]\ndatabase = "v2.db"\n[polling]\nallow_private = ["%s"]\n'
                          'timeout = "10s"\n[[feed]]\nurl = "%s"\nname = "Accueil"\n%s'
                          % (allow, home, RULES))
        d = harness.run([a.veilled, "--config", work.config, "--once"], timeout=60, check=False)
        c.check(expected in d.stderr + d.stdout,
                "the daemon's log line names the declared feed")
        p = harness.run([a.veille, *base, "feeds", "--json"])
        c.check(expected in p.stdout, "veille feeds shows the same error for the feed")

    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
