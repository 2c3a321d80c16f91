"""Lock contention (RELIABILITY.md 3.5, fault E5; a second writer, E4, is scenario_busy): a
Python sqlite3 reader holds a read transaction open while the daemon ingests, and the real CLI
queries in a loop at the same time. Neither side may see an error; the daemon keeps committing
under the reader; the WAL is recorded every second, stops growing once the reader lets go, and is
at most 8 MiB after_s seconds later.

Scorecard lines 11a, 11b, 11c; invariants 1-5."""

import json
import os
import sqlite3
import time

import common
import daemon
import feedgen
import invariants

# Catalogue rows of RELIABILITY.md 2 whose pass criterion a check of this scenario asserts
# end to end (scorecard.py counts them when the scenario ran without a failed check).
# E4 (a second writer) is scenario_busy's.
ROWS = ("E5",)

FEEDS = [("c%d" % i, 6, 120) for i in range(4)]  # 20 growing polls per feed
WAL_LIMIT = 8 * 1024 * 1024
AUTOCHECKPOINT = 1000 * 4096  # SQLite's default wal_autocheckpoint, in bytes


def _wal_size(db_path):
    try:
        return os.path.getsize(db_path + "-wal")
    except OSError:
        return 0


def _newest_id(stdout):
    """The largest mention id in the output of `veille mentions --json`, or None."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return None
    rows = data if isinstance(data, list) else data.get("mentions", [])
    ids = [r["id"] for r in rows if isinstance(r, dict) and isinstance(r.get("id"), int)]
    return max(ids) if ids else None


def run(ctx, card):
    srv = ctx.server
    hold_s = float(os.environ.get("VEILLE_FAULTS_HOLD_S", "12"))
    after_s = float(os.environ.get("VEILLE_FAULTS_AFTER_S", "8"))
    feeds = [(seed, srv.url("/feed/%s?k=%d&cap=%d" % (seed, k, cap)), "")
             for seed, k, cap in FEEDS]
    expected = set()
    for seed, k, cap in FEEDS:
        expected |= feedgen.expected_mentions(seed, cap)
    with daemon.Workdir("contention") as work:
        work.write_config(common.config([srv.port], feeds))
        with daemon.Daemon(ctx.veilled, work) as d:
            card.check(d.wait_log("outcome=ok", 20), "contention: the daemon ingests")
            reader = sqlite3.connect(work.db, timeout=10)
            reader.execute("BEGIN")
            before = reader.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
            newest = []  # the newest mention id each `veille mentions` run printed
            cli_runs = cli_errors = 0
            errors_sample = []
            wal_max = 0
            t_end = time.monotonic() + hold_s
            next_sample = 0.0
            while time.monotonic() < t_end and cli_runs < 1000:
                args = ([ctx.veille, "--config", work.config, "mentions", "--json", "--limit", "5"]
                        if cli_runs % 2 == 0 else
                        [ctx.veille, "--config", work.config, "feeds", "--json"])
                p = daemon.run(args, timeout=30)
                cli_runs += 1
                if p.returncode != 0:
                    cli_errors += 1
                    errors_sample.append(p.stderr.strip()[:200])
                elif cli_runs % 2 == 1:
                    newest.append(_newest_id(p.stdout))
                if time.monotonic() >= next_sample:
                    wal_max = max(wal_max, _wal_size(work.db))
                    next_sample = time.monotonic() + 1.0
            committed_under_reader = invariants.count(work.db, "SELECT COUNT(*) FROM mentions")
            reader.execute("COMMIT")
            reader.close()
            time.sleep(2)  # the next commits checkpoint the WAL that the reader pinned
            wal_released = _wal_size(work.db)
            card.check(cli_runs >= 10 and cli_errors == 0,
                       "contention: %d CLI queries under a held reader, %d errors %s"
                       % (cli_runs, cli_errors, errors_sample[:1]))
            # veille's side of it: each CLI run reads what the daemon committed last (WAL and
            # all), not the old snapshot the held reader pins, and never waits for the reader.
            card.check(len(newest) >= 2 and newest[0] is not None and newest[-1] is not None and
                       newest[-1] > newest[0],
                       "contention: the CLI sees the daemon's commits while the reader holds on "
                       "(newest mention id %s at the start of the hold, %s at the end)"
                       % (newest[0] if newest else None, newest[-1] if newest else None))
            card.check(committed_under_reader > before,
                       "contention: the daemon kept committing while the reader held on "
                       "(%d -> %d mentions)" % (before, committed_under_reader))

            def quiet():
                return all(any(r["status"] == 304 for r in srv.rec.for_route("/feed/%s" % s))
                           for s, k, c in FEEDS) and invariants.count(
                    work.db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 0

            reached = daemon.wait_until(quiet, 120, 0.25)  # slower on a CPU-starved daemon
            time.sleep(after_s)
            wal_after = _wal_size(work.db)
            alive = d.alive()
            rc = d.stop(30)
            log = d.text()
        storage_errors = log.count("outcome=storage")
        card.check(reached and alive and rc == 0,
                   "contention: quiescence, and a clean stop (rc=%s)" % rc)
        card.check(storage_errors == 0,
                   "contention: daemon write failures surfaced %d" % storage_errors)
        # Checkpoints resume once the reader is gone: the WAL is reused from its start and stops
        # growing although the daemon keeps writing.
        # (A WAL still under SQLite's 1000-page auto-checkpoint threshold may grow up to it.)
        card.check(wal_after <= max(wal_released, AUTOCHECKPOINT) + 512 * 1024,
                   "contention: the WAL stops growing once the reader leaves (%.2f MiB 2 s after "
                   "release, %.2f MiB at the end)" % (wal_released / 1048576.0,
                                                      wal_after / 1048576.0))
        # RELIABILITY.md E5: back under 8 MiB once the reader has left (the store's
        # journal_size_limit of 4 MiB truncates the WAL when a checkpoint restarts it), asserted
        # after_s seconds after the release (8 s in CI, 60 s in the nightly run).
        card.check(wal_after <= WAL_LIMIT,
                   "contention: the WAL is %.2f MiB %.0f s after the reader left (<= 8 MiB; %.2f "
                   "MiB at most while it held on)" % (wal_after / 1048576.0, after_s,
                                                      wal_max / 1048576.0))
        ctx.tally(survived=alive and rc == 0, kind="contention")
        problems = invariants.core(work.db, common.RULE_CHANNELS)
        db = invariants.connect(work.db)
        problems += invariants.quiescent_outbox(db)
        bal = invariants.mention_balance(db, expected)
        db.close()
        card.check(not problems, "contention: invariants 1-4 %s" % (problems or ""))
        card.check(bal["lost"] == 0 and bal["extra"] == 0 and bal["duplicated"] == 0,
                   "contention: mentions expected %(expected)d stored %(stored)d lost %(lost)d "
                   "duplicated %(duplicated)d" % bal)
        ctx.add_mentions(bal)
        card.figure("11", "concurrency: reader held %.0f s, %d CLI queries" % (hold_s, cli_runs))
        card.figure("11a", "CLI errors during contention %d" % cli_errors)
        card.figure("11b", "daemon write failures surfaced %d" % storage_errors)
        card.figure("11c", "WAL size %.0f s after the reader is released %.2f MiB (max %.2f MiB "
                           "while held; target <= 8 MiB%s)" % (after_s, wal_after / 1048576.0,
                                               wal_max / 1048576.0,
                                               "" if wal_after <= WAL_LIMIT else ": NOT MET"))
