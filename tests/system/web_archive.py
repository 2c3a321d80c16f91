"""A prepared archive for the web pages' system and browser tests: three feeds served from
127.0.0.1 (one with hostile titles, one 404), polled by `veilled --once`, alerts to a log
channel; then one alert made dead and one left pending (as the dispatcher leaves them after
failures), and `veille serve` on a free port."""
import os
import sqlite3

import harness

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
interval = "1h"
timeout = "5s"
host_spacing = "0"
[[feed]]
url = "{a}"
name = "Journal <b>Économie</b>"
backfill_alerts = true
[[feed]]
url = "{b}"
name = "Le Quotidien"
backfill_alerts = true
[[feed]]
url = "{c}"
name = "Feed qui manque"
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia'''
channels = ["ops"]
[[rule]]
name = "rival"
category = "competitor"
query = '''Naturéa'''
channels = ["ops"]
[[channel]]
name = "ops"
type = "log"
"""

HOSTILE = "<script>alert(1)</script> Orélia"


def rss(items):
    body = "".join(
        "<item><title>%s</title><link>%s</link><guid>%s</guid></item>"
        % (title.replace("&", "&amp;").replace("<", "&lt;"), link, key)
        for key, title, link in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
            "<link>https://t.example/</link>%s</channel></rss>" % body)


def write_feeds(root, extra_a=()):
    harness.write_atomic(os.path.join(root, "a.xml"), rss([
        ("a1", HOSTILE, "javascript:alert(1)"),
        ("a2", "Orélia ouvre à Lyon", "https://t.example/a2"),
        *extra_a]))
    harness.write_atomic(os.path.join(root, "b.xml"), rss([
        ("b1", "Naturéa lance une gamme", "https://t.example/b1"),
        ("b2", "Orélia et Naturéa", "https://t.example/b2")]))


def prepare(work, server, veilled, veille):
    """Fills the archive; returns the ids of the dead and of the pending alert."""
    work.write_config(CONFIG.format(port=server.port, a=server.url("a.xml"),
                                    b=server.url("b.xml"), c=server.url("c.xml")))
    harness.run([veilled, "--config", work.config, "--once", "--deliver-deadline", "5s"])
    db = sqlite3.connect(os.path.join(work.path, "veille.db"))
    ids = [r[0] for r in db.execute("SELECT id FROM outbox ORDER BY id")]
    assert len(ids) >= 3, "alerts were written: %s" % ids
    db.execute("UPDATE outbox SET status = 'dead', attempts = 8, last_error = ? WHERE id = ?",
               ("HTTP 500 <img src=x onerror=alert(1)>", ids[0]))
    db.execute("UPDATE outbox SET status = 'pending', attempts = 2, next_attempt_at = ?, "
               "last_error = 'connect: refused' WHERE id = ?", (4102444800, ids[1]))
    db.commit()
    db.close()
    return ids[0], ids[1]



