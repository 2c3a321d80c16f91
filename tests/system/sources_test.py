#!/usr/bin/python3
"""End to end, offline: [[search]] blocks as the CLI sees them.

* `veille sources` lists every search source with its URL template (and --json);
* a config with a [[search]] block loads in check-config, and `veille feeds` lists one feed per
  source, named "QUERY · source", with its URL and (in --json) its source;
* an unknown source is a config error naming the closest one and its line, and a query cannot add a
  parameter or a path to the URL it builds.

No daemon runs: the feeds point at the real search engines, and tests reach 127.0.0.1 only.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "v.db"

[[search]]
query = '{query}'
sources = [{sources}]
language = "fr"
country = "FR"
interval = "15m"

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

    with harness.Workdir() as work:
        def veille(*args, check=True):
            return harness.run([a.veille, "--config", work.config, *args], check=check)

        p = harness.run([a.veille, "sources"])
        c.check("google-news" in p.stdout and "https://news.google.com/rss/search?q={query}"
                in p.stdout and "mastodon:HOST" in p.stdout,
                "veille sources lists the sources with their URL templates: %r" % p.stdout)
        listed = json.loads(harness.run([a.veille, "sources", "--json"]).stdout)
        c.check([s["name"] for s in listed] == ["google-news", "bing-news", "reddit",
                                                "hacker-news", "mastodon:HOST"],
                "sources --json lists the five sources in order: %r" % listed)

        work.write_config(CONFIG.format(
            query="Orélia", sources='"google-news", "mastodon:mastodon.social"'))
        p = veille("check-config", work.config, check=False)
        c.check(p.returncode == 0 and "2 feeds" in p.stdout,
                "a [[search]] block with two sources is two feeds: %r %r" % (p.stdout, p.stderr))
        veille("db", "migrate")  # an empty database, so that `feeds` has state to read
        feeds = json.loads(veille("feeds", "--json", check=False).stdout or "[]")
        by_name = {f["name"]: f for f in feeds}
        google = by_name.get("Orélia · google-news", {})
        c.check(google.get("url") ==
                "https://news.google.com/rss/search?q=Or%C3%A9lia&hl=fr&gl=FR&ceid=FR:fr"
                and google.get("source") == "google-news",
                "feeds --json names the Google News feed, its URL and source: %r" % feeds)
        mastodon = by_name.get("Orélia · mastodon:mastodon.social", {})
        c.check(mastodon.get("url") == "https://mastodon.social/tags/Or%C3%A9lia.rss",
                "the Mastodon source follows the hashtag: %r" % feeds)
        p = veille("feeds", check=False)
        c.check("Orélia · google-news" in p.stdout, "the feeds table lists the search feed")

        work.write_config(CONFIG.format(query="Orélia", sources='"gogle-news"'))
        p = veille("check-config", work.config, check=False)
        c.check(p.returncode == 1 and ':7: unknown search source "gogle-news"' in p.stderr
                and 'did you mean "google-news"' in p.stderr,
                "an unknown source is a config error with a suggestion: %r" % p.stderr)

        work.write_config(CONFIG.format(query="x&hl=en#@evil.example/", sources='"google-news"'))
        feeds = json.loads(veille("feeds", "--json", check=False).stdout or "[]")
        url = feeds[0]["url"] if feeds else ""
        c.check(url.startswith("https://news.google.com/rss/search?q=x%26hl%3Den%23%40evil.example%2F&")
                and url.count("&hl=") == 1,
                "the query cannot add a parameter, a fragment or a host: %r" % url)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
