#!/usr/bin/python3
"""The archive benchmark (archive_bench.cc) on SQLite and on PostgreSQL in one session (issue 18:
`veille search` and `veille mentions` within 3x of SQLite). Fills an SQLite file and an empty
database of a throwaway PostgreSQL server (tests/system/pg_server.py: a Unix socket, fsync off)
with the same N entries, runs the read benchmarks on each, and prints each figure and the
PostgreSQL/SQLite ratio.

Usage: archive_backends.py --bench build/bench/tests/bench/archive_bench [-n 100000]
                           [--filter REGEX] [--min-time SECONDS]
The fill rates are printed too, but the server's fsync is off: they are not PostgreSQL's rate.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "system"))
from pg_server import PgServer  # noqa: E402


def run(bench, entries, database, bench_dir, pattern, min_time):
    env = dict(os.environ, VEILLE_BENCH_ENTRIES=str(entries), VEILLE_BENCH_DIR=bench_dir)
    env.pop("VEILLE_BENCH_REUSE", None)
    if database:
        env["VEILLE_BENCH_DATABASE"] = database
    else:
        env.pop("VEILLE_BENCH_DATABASE", None)
    p = subprocess.run([bench, "--benchmark_filter=" + pattern, "--benchmark_format=json",
                        "--benchmark_min_time=%s" % min_time],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        raise SystemExit("%s exited %d" % (bench, p.returncode))
    out = {}
    for b in json.loads(p.stdout)["benchmarks"]:
        if b.get("error_occurred"):
            out[b["name"]] = None
        else:
            out[b["name"]] = b["real_time"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--filter",
                    default="BM_(Fill|OpenReader|MentionsSince7d|MentionsSince7dAll|SearchPhrase)")
    ap.add_argument("--min-time", default="2")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="veille-archive-backends-") as tmp:
        sqlite = run(args.bench, args.n, None, os.path.join(tmp, "sqlite"), args.filter,
                     args.min_time)
        with PgServer() as pg:
            postgres = run(args.bench, args.n, pg.url, os.path.join(tmp, "pg"), args.filter,
                           args.min_time)
    # Each figure includes opening the store (BM_OpenReader), as a CLI command does; the last
    # column is the ratio of the queries alone (the figure minus the opening).
    so, po = sqlite.get("BM_OpenReader"), postgres.get("BM_OpenReader")
    print("%-26s %10s %12s %9s %13s" % ("benchmark (%d entries)" % args.n, "sqlite ms",
                                        "postgres ms", "pg/sqlite", "query alone"))
    for name, s in sqlite.items():
        if name.startswith("BM_Fill"):
            continue
        p = postgres.get(name)
        ratio = "%.2f" % (p / s) if s and p else "-"
        alone = "-"
        if s and p and so and po and name != "BM_OpenReader" and s > so:
            alone = "%.2f" % ((p - po) / (s - so))
        print("%-26s %10s %12s %9s %13s" % (name, "%.2f" % s if s else "error",
                                            "%.2f" % p if p else "error", ratio, alone))


if __name__ == "__main__":
    main()
