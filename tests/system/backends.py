"""The database of a system test, on either backend (issue 18: "the walking skeleton, alerts and
archive system tests run against both"). One test body, a `--backend` option:

    ap = argparse.ArgumentParser()
    backends.add_option(ap)                  # --backend sqlite (default) | pg
    ...
    with harness.Workdir() as work, backends.Database(a.backend, work.path) as db:
        config = CONFIG.format(database=db.location, ...)
        db.rows("SELECT count(*) FROM mentions")       # [(12,)]: the same SQL on both
        db.full_text_count("bretagne")                 # the full-text index, each its own way

`sqlite` is a file in the test's work directory; `pg` a throwaway PostgreSQL server
(pg_server.py, started from the template directory CTest names: about a second).
"""

import json
import os
import sqlite3

import pg_server

BACKENDS = ("sqlite", "pg")


def add_option(parser):
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite",
                        help="the database the test runs on (pg: a throwaway PostgreSQL server)")


def _literal(value):
    """A PostgreSQL literal for a statement parameter of the tests (an int or a text)."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


class Database:
    """The test's database: its `[daemon] database` value and SQL reads of its tables."""

    def __init__(self, backend, workdir):
        self.backend = backend
        self.pg = None
        self.location = os.path.join(workdir, "veille.db")

    @property
    def is_pg(self):
        return self.backend == "pg"

    def __enter__(self):
        if self.is_pg:
            self.pg = pg_server.PgServer().__enter__()
            self.location = self.pg.url
        return self

    def __exit__(self, *exc):
        if self.pg:
            self.pg.__exit__(*exc)
            self.pg = None

    def rows(self, sql, params=()):
        """The rows of `sql` as tuples (ints, texts, None), `?` standing for each of `params`."""
        if not self.is_pg:
            con = sqlite3.connect(self.location)
            try:
                return con.execute(sql, params).fetchall()
            finally:
                con.close()
        parts = sql.split("?")
        if len(parts) != len(params) + 1:
            raise ValueError("%d parameters for %r" % (len(params), sql))
        text = parts[0] + "".join(_literal(p) + part for p, part in zip(params, parts[1:]))
        out = self.pg.psql("SELECT coalesce(json_agg(t), '[]') FROM (%s) t" % text)
        return json.loads(out, object_pairs_hook=lambda pairs: tuple(v for _, v in pairs))

    def one(self, sql, params=()):
        """The first column of the first row of `sql`."""
        return self.rows(sql, params)[0][0]

    def full_text_count(self, word):
        """How many entries the full-text index finds for one plain word."""
        if self.is_pg:
            return self.one("SELECT count(*) FROM entries WHERE fts @@ to_tsquery('simple', ?)",
                            (word,))
        return self.one("SELECT COUNT(*) FROM entries_fts WHERE entries_fts MATCH ?", (word,))

    def broken_invariants(self):
        """What breaks RELIABILITY.md §4's invariants, on either backend (empty when none):
        SQLite's integrity check, and rows a constraint should have refused."""
        broken = []
        if not self.is_pg:
            integrity = self.one("PRAGMA integrity_check")
            if integrity != "ok":
                broken.append("integrity_check: %s" % integrity)
        for what, sql in (
                ("duplicate entry keys", "SELECT COUNT(*) FROM (SELECT feed_id, entry_key FROM "
                 "entries GROUP BY 1, 2 HAVING COUNT(*) > 1) d"),
                ("duplicate mentions", "SELECT COUNT(*) FROM (SELECT entry_id, rule FROM mentions "
                 "GROUP BY 1, 2 HAVING COUNT(*) > 1) d"),
                ("mentions without entry", "SELECT COUNT(*) FROM mentions m LEFT JOIN entries e "
                 "ON e.id = m.entry_id WHERE e.id IS NULL"),
                ("outbox rows without mention", "SELECT COUNT(*) FROM outbox o LEFT JOIN "
                 "mentions m ON m.id = o.mention_id WHERE m.id IS NULL"),
                ("duplicate outbox rows", "SELECT COUNT(*) FROM (SELECT mention_id, channel FROM "
                 "outbox GROUP BY 1, 2 HAVING COUNT(*) > 1) d")):
            n = self.one(sql)
            if n:
                broken.append("%s: %d" % (what, n))
        return broken
