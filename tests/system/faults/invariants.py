"""The invariants of RELIABILITY.md section 3.6, as SQL over the daemon's database.

Each check returns a list of problems (empty when the invariant holds), so a scenario can report
exactly what broke. The database is opened read-only (mode=ro) so that a check never repairs
what the daemon left behind after a kill.
"""

import os
import sqlite3

def connect(db_path, timeout=10.0):
    uri = "file:%s?mode=ro" % os.path.abspath(db_path)
    return sqlite3.connect(uri, uri=True, timeout=timeout)


def schema_created(db):
    """Whether the daemon's first migration committed (the entries table exists). A daemon
    killed before that leaves a database with no table at all, which is consistent: the next
    start migrates it."""
    return db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                      "AND name = 'entries'").fetchone()[0] == 1


def integrity(db):
    """1. integrity_check is exactly 'ok' and foreign_key_check returns nothing."""
    problems = []
    rows = [r[0] for r in db.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        problems.append("integrity_check: %s" % rows[:5])
    fk = db.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append("foreign_key_check: %d rows, e.g. %s" % (len(fk), fk[:3]))
    return problems


def uniqueness(db):
    """2. No two entries share (feed, key); no two mentions share (entry, rule)."""
    problems = []
    n = db.execute("SELECT COUNT(*) FROM (SELECT feed_id, entry_key FROM entries "
                   "GROUP BY 1, 2 HAVING COUNT(*) > 1)").fetchone()[0]
    if n:
        problems.append("%d duplicated (feed, entry_key)" % n)
    n = db.execute("SELECT COUNT(*) FROM (SELECT entry_id, rule FROM mentions "
                   "GROUP BY 1, 2 HAVING COUNT(*) > 1)").fetchone()[0]
    if n:
        problems.append("%d duplicated (entry, rule) mentions" % n)
    return problems


def outbox_rows(db, rule_channels):
    """3. Every mention has exactly one outbox row per channel of its rule; no orphan rows."""
    problems = []
    for mid, rule in db.execute("SELECT id, rule FROM mentions"):
        want = sorted(rule_channels.get(rule, []))
        have = sorted(c for (c,) in db.execute(
            "SELECT channel FROM outbox WHERE mention_id = ?", (mid,)))
        if want != have:
            problems.append("mention %d (%s): outbox channels %s, expected %s"
                            % (mid, rule, have, want))
            if len(problems) > 5:
                break
    n = db.execute("SELECT COUNT(*) FROM outbox o LEFT JOIN mentions m ON m.id = o.mention_id "
                   "WHERE m.id IS NULL").fetchone()[0]
    if n:
        problems.append("%d outbox rows without their mention" % n)
    return problems


def quiescent_outbox(db):
    """4. After quiescence nothing is pending; dead / channel_removed rows carry a reason."""
    problems = []
    n = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    if n:
        problems.append("%d outbox rows still pending" % n)
    n = db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('dead', 'channel_removed') "
                   "AND COALESCE(last_error, '') = ''").fetchone()[0]
    if n:
        problems.append("%d dead/removed outbox rows without a reason" % n)
    return problems


def stored_mentions(db):
    """{(guid, rule)} of every stored mention."""
    return set(db.execute("SELECT e.guid, m.rule FROM mentions m JOIN entries e "
                          "ON e.id = m.entry_id"))


def mention_balance(db, expected):
    """5. expected - stored = lost, stored - expected = invented or duplicated."""
    stored = stored_mentions(db)
    raw = db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
    lost = expected - stored
    extra = stored - expected
    dup = raw - len(stored)
    return {"expected": len(expected), "stored": raw, "lost": len(lost), "extra": len(extra),
            "duplicated": dup, "lost_sample": sorted(lost)[:3], "extra_sample": sorted(extra)[:3]}


def core(db_path, rule_channels):
    """Invariants 1-3, the ones that hold at any instant (after every kill, too)."""
    db = connect(db_path)
    try:
        return integrity(db) + uniqueness(db) + outbox_rows(db, rule_channels)
    finally:
        db.close()


def count(db_path, sql, args=()):
    db = connect(db_path)
    try:
        return db.execute(sql, args).fetchone()[0]
    finally:
        db.close()


def db_contains(db_path, needle):
    """True when `needle` occurs in any text column of any table (the secret / canary grep)."""
    db = connect(db_path)
    try:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for t in tables:
            cols = [c[1] for c in db.execute("PRAGMA table_info(%s)" % t)]
            for c in cols:
                if db.execute("SELECT 1 FROM %s WHERE CAST(%s AS TEXT) LIKE ? LIMIT 1" % (t, c),
                              ("%" + needle + "%",)).fetchone():
                    return True
        return False
    finally:
        db.close()


def raw_file_contains(path, needle):
    """Greps the database, -wal and -shm files byte for byte (deleted pages too)."""
    data = needle.encode()
    for suffix in ("", "-wal"):
        p = path + suffix
        if os.path.exists(p):
            with open(p, "rb") as f:
                if data in f.read():
                    return True
    return False


def sanitizer_reports(text):
    """Reports in a process's output (ASan, LSan, UBSan); 0 for a clean run."""
    return sum(text.count(m) for m in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                       "runtime error:"))


def log_alerts(text):
    """The alerts the `log` channel printed in `text` (a daemon's log), in order: one
    (message, [lines]) pair per alert. The log channel prints one line per mention (rule), and
    the rules an article matched go out as one alert (docs/alerts.md, "One alert per article"),
    so an alert is a run of consecutive lines about the same article; `message` is that article
    (the line from ` feed=` on: feed, title, link) and each line names one rule."""
    alerts = []
    for line in text.splitlines():
        if " mention rule=" not in line:
            continue
        mention = line.split(" mention ", 1)[1].strip()
        at = mention.find(' feed="')
        message = mention[at:] if at >= 0 else mention
        if alerts and alerts[-1][0] == message and mention not in alerts[-1][1]:
            alerts[-1][1].append(mention)
        else:
            alerts.append((message, [mention]))
    return alerts
