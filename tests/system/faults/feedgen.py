"""Seeded feed generator: the items a growing feed serves, and the mentions they must produce.

Item i of seed s is a pure function of (s, i), so the harness knows, without asking the daemon,
which (guid, rule) pairs a correct daemon stores once it has seen the first n items.
"""

import random
import time
from email.utils import formatdate
from xml.sax.saxutils import escape

# keyword -> rule name. Nonsense words: no other text in the feeds contains them.
KEYWORDS = {"zorblax": "kw_zorblax", "quintaro": "kw_quintaro", "velmora": "kw_velmora"}
FILLER = ("market launch review brand report sales summer winter campaign store online price "
          "customer quality packaging retail trend survey panel interview weekly digest").split()
BASE_TIME = 1_700_000_000


def rules_toml(channels=("journal",)):
    """The [[rule]] tables matching KEYWORDS, each routed to `channels`."""
    chans = ", ".join('"%s"' % c for c in channels)
    return "".join('[[rule]]\nname = "%s"\ncategory = "brand"\nquery = \'\'\'%s\'\'\'\n'
                   'channels = [%s]\n' % (rule, kw, chans) for kw, rule in KEYWORDS.items())


def item(seed, i):
    rng = random.Random("%s:%d" % (seed, i))
    words = [rng.choice(FILLER) for _ in range(rng.randint(3, 7))]
    for kw in KEYWORDS:
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), kw)
    title = "item%d %s" % (i, " ".join(words))
    return {
        "guid": "urn:veille-faults:%s:%d" % (seed, i),
        "link": "https://example.invalid/%s/%d" % (seed, i),
        "title": title,
        "summary": "Filler text about %s." % rng.choice(FILLER),
        "date": BASE_TIME + 3600 * i,
    }


def expected_mentions(seed, n):
    """{(guid, rule)} for the first n items of `seed`."""
    out = set()
    for i in range(n):
        it = item(seed, i)
        for kw, rule in KEYWORDS.items():
            if kw in it["title"].split():
                out.add((it["guid"], rule))
    return out


def expected_messages(expected):
    """The entries of an expected {(guid, rule)} set: one alert message per entry and channel,
    whatever the number of rules it matched (docs/alerts.md, "One alert per article")."""
    return {guid for guid, _ in expected}


def rss(seed, n, title="Faults feed"):
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
             "<title>%s %s</title><link>https://example.invalid/%s</link>"
             "<description>seeded</description>" % (escape(title), escape(str(seed)), seed)]
    for i in reversed(range(n)):
        it = item(seed, i)
        parts.append("<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid>"
                     "<pubDate>%s</pubDate><description>%s</description></item>"
                     % (escape(it["title"]), it["link"], it["guid"],
                        formatdate(it["date"], usegmt=True), escape(it["summary"])))
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def http_date(t=None):
    return formatdate(time.time() if t is None else t, usegmt=True)
