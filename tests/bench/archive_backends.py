#!/usr/bin/python3
"""The archive benchmark (archive_bench.cc) on SQLite and on PostgreSQL in one session (issue 18:
`veille search` and `veille mentions` within 3x of SQLite). Fills an SQLite file and an empty
database of a throwaway PostgreSQL server (tests/system/pg_server.py: a Unix socket, fsync off)
with the same N entries, runs the read benchmarks on each, and prints each figure and the
PostgreSQL/SQLite ratio.

Usage: archive_backends.py --bench build/bench/tests/bench/archive_bench [-n 100000]
                           [--filter REGEX] [--min-time SECONDS]
                           [--dir DIR [--reuse]] [--database URL] [--web build/.../web_bench]
The fill rates are printed too, but the server's fsync is off: they are not PostgreSQL's rate.
With each, the CPU seconds of the benchmark process and (PostgreSQL) of the server's processes
over the whole run: `--filter BM_Fill` runs the fill alone, so that they are the writer's.

At 1,000,000 entries a fill takes minutes (SQLite) to tens of minutes (PostgreSQL): `--dir DIR`
keeps the SQLite file in DIR (not a temporary directory), `--database URL` uses that PostgreSQL
database (a server you started, e.g. `pg_server.py serve` held open) instead of a throwaway one,
and `--reuse` reads both as a previous run (or `veille db copy --to URL`) left them
(VEILLE_BENCH_REUSE). `--web` also runs web_bench on both (the same archive) and prints the
pages' p95 server times (wall and CPU) with their ratios.

`--cli build/bench/daemon/veille` (repeatable: several builds, e.g. main's and a branch's) also
times the commands themselves, end to end, as a user runs them: a new `veille` process per run
(its start, the configuration, the connection, the query, the output to /dev/null), `--runs` runs
of each command on each backend and build, alternated (SQLite, PostgreSQL, each build in turn,
round after round), with the medians and quartiles and the PostgreSQL/SQLite ratio of each
build. `veille --version`, which opens nothing, is the process's own floor. Needs the archives
(run after a fill, or with --reuse).
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "system"))
from pg_server import PgServer  # noqa: E402


TICK = os.sysconf("SC_CLK_TCK")


def server_cpu(pg):
    """CPU seconds of the server so far: the postmaster, the children it reaped and the live
    ones (a backend's time reaches the postmaster's cutime only once it has exited)."""
    def times(pid):
        with open("/proc/%d/stat" % pid, encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return [int(x) for x in fields[11:15]]  # utime stime cutime cstime
    with open(os.path.join(pg.dir, "data", "postmaster.pid"), encoding="ascii") as f:
        postmaster = int(f.readline())
    total = sum(times(postmaster))
    with open("/proc/%d/task/%d/children" % (postmaster, postmaster), encoding="ascii") as f:
        for child in f.read().split():
            try:
                total += sum(times(int(child)))
            except OSError:  # exited meanwhile: counted in the postmaster's cutime next time
                pass
    return total / TICK


def bench_env(entries, database, bench_dir, reuse):
    env = dict(os.environ, VEILLE_BENCH_ENTRIES=str(entries), VEILLE_BENCH_DIR=bench_dir)
    env.pop("VEILLE_BENCH_REUSE", None)
    if reuse:
        env["VEILLE_BENCH_REUSE"] = "1"
    if database:
        env["VEILLE_BENCH_DATABASE"] = database
    else:
        env.pop("VEILLE_BENCH_DATABASE", None)
    return env


def run(bench, entries, database, bench_dir, pattern, min_time, cpu, reuse=False):
    env = bench_env(entries, database, bench_dir, reuse)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run([bench, "--benchmark_filter=" + pattern, "--benchmark_format=json",
                        "--benchmark_min_time=%s" % min_time],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu["client_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        raise SystemExit("%s exited %d" % (bench, p.returncode))
    fill = re.search(r"fill: (\d+) entries in ([\d.]+) s", p.stderr)
    if fill:
        cpu["fill_entries"], cpu["fill_s"] = int(fill.group(1)), float(fill.group(2))
    out = {}
    for b in json.loads(p.stdout)["benchmarks"]:
        if b.get("error_occurred"):
            out[b["name"]] = None
        else:
            out[b["name"]] = b["real_time"]
    return out


def run_web(web, entries, database, bench_dir):
    """web_bench on one backend: {benchmark: {p95_ms, cpu_p95_ms, ...}}."""
    env = bench_env(entries, database, bench_dir, True)
    p = subprocess.run([web, "--benchmark_format=json"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        raise SystemExit("%s exited %d" % (web, p.returncode))
    out = {}
    for b in json.loads(p.stdout)["benchmarks"]:
        out[b["name"].split("/iterations")[0]] = None if b.get("error_occurred") else b
    return out


def print_web(sqlite, postgres):
    print("%-26s %17s %17s %15s" % ("web page, p95 ms", "sqlite wall/cpu", "postgres wall/cpu",
                                    "pg/sqlite w/c"))
    for name, s in sqlite.items():
        p = postgres.get(name)
        def pair(b):
            return "%.1f / %.1f" % (b["p95_ms"], b["cpu_p95_ms"]) if b else "error"
        ratio = "-"
        if s and p and s["p95_ms"] and s["cpu_p95_ms"]:
            ratio = "%.2f / %.2f" % (p["p95_ms"] / s["p95_ms"], p["cpu_p95_ms"] / s["cpu_p95_ms"])
        print("%-26s %17s %17s %15s" % (name, pair(s), pair(p), ratio))


# archive_bench's clock (kNow) and the week before it: the archive's dates are in the past, so
# `--since 7d` of the real clock would find nothing; the CLI is given the same period as dates.
BENCH_NOW = 1_795_000_000
PHRASE = "rappel massif de crèmes solaires"


def cli_commands():
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BENCH_NOW - 7 * 86400))
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BENCH_NOW + 1))
    phrase = '"%s"' % PHRASE
    return [
        ("--version (no store)", ["--version"]),
        ("mentions 7d", ["mentions", "--since", since, "--until", until]),
        ("mentions 7d --limit 0", ["mentions", "--since", since, "--until", until,
                                   "--limit", "0"]),
        ("search phrase", ["search", phrase]),
        ("search phrase detected", ["search", "--sort", "detected", phrase]),
        ("search phrase --limit 0", ["search", "--limit", "0", phrase]),
    ]


def write_cli_config(path, database):
    with open(path, "w", encoding="utf-8") as f:
        f.write('[daemon]\ndatabase = "%s"\n[[rule]]\nname = "orelia"\ncategory = "brand"\n'
                'query = "orelia"\n' % database)


def time_cli(binary, config, args):
    """Wall seconds of one `veille` process, its output thrown away."""
    start = time.perf_counter()
    p = subprocess.run([binary, "--config", config] + args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit("%s %s exited %d: %s" % (binary, " ".join(args), p.returncode, p.stderr))
    return took


def run_cli(binaries, runs, sqlite_path, database, tmp):
    """{(command, build, backend): [ms, ...]}, the runs alternated."""
    configs = {}
    for backend, db in (("sqlite", sqlite_path), ("postgres", database)):
        configs[backend] = os.path.join(tmp, "veille-%s.toml" % backend)
        write_cli_config(configs[backend], db)
    times = {}
    commands = cli_commands()
    for name, args in commands:  # a warm-up each: the page cache, the server's buffers
        for b in binaries:
            for backend in ("sqlite", "postgres"):
                time_cli(b, configs[backend], args)
    for _ in range(runs):
        for name, args in commands:
            for i, b in enumerate(binaries):
                for backend in ("sqlite", "postgres"):
                    times.setdefault((name, i, backend), []).append(
                        1000 * time_cli(b, configs[backend], args))
    return commands, times


def print_cli(binaries, commands, times):
    def summary(xs):
        q = statistics.quantiles(xs, n=4) if len(xs) > 1 else [xs[0]] * 3
        return "%.1f (%.1f-%.1f)" % (q[1], q[0], q[2])
    print("veille commands, wall ms per process: median (quartiles)")
    for i, b in enumerate(binaries):
        print("build %d: %s" % (i, b))
    print("%-26s %5s %20s %20s %9s" % ("command", "build", "sqlite", "postgres", "pg/sqlite"))
    for name, _ in commands:
        for i in range(len(binaries)):
            s, p = times[(name, i, "sqlite")], times[(name, i, "postgres")]
            print("%-26s %5d %20s %20s %9.2f" % (name, i, summary(s), summary(p),
                                                statistics.median(p) / statistics.median(s)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--filter",
                    default="BM_(Fill|OpenReader|MentionsSince7d|MentionsSince7dAll|SearchPhrase)")
    ap.add_argument("--min-time", default="2")
    ap.add_argument("--dir", help="keep the SQLite file here (default: a temporary directory)")
    ap.add_argument("--database", help="this PostgreSQL database, not a throwaway server")
    ap.add_argument("--reuse", action="store_true",
                    help="read the archives a previous run left (VEILLE_BENCH_REUSE)")
    ap.add_argument("--web", help="web_bench: also the pages on both backends")
    ap.add_argument("--cli", action="append", default=[],
                    help="a veille binary: also the commands, end to end (repeatable)")
    ap.add_argument("--runs", type=int, default=20, help="--cli: runs of each command")
    args = ap.parse_args()
    sqlite_cpu, postgres_cpu = {}, {}
    with tempfile.TemporaryDirectory(prefix="veille-archive-backends-") as tmp:
        root = args.dir or tmp
        sqlite_dir, pg_dir = os.path.join(root, "sqlite"), os.path.join(root, "pg")
        sqlite = run(args.bench, args.n, None, sqlite_dir, args.filter, args.min_time,
                     sqlite_cpu, args.reuse)
        if args.database:
            postgres = run(args.bench, args.n, args.database, pg_dir, args.filter,
                           args.min_time, postgres_cpu, args.reuse)
            web = None
            if args.web:
                web = (run_web(args.web, args.n, None, sqlite_dir),
                       run_web(args.web, args.n, args.database, pg_dir))
            cli = (run_cli(args.cli, args.runs, os.path.join(sqlite_dir, "archive.db"),
                           args.database, tmp) if args.cli else None)
        else:
            with PgServer() as pg:
                began = server_cpu(pg)
                postgres = run(args.bench, args.n, pg.url, pg_dir, args.filter,
                               args.min_time, postgres_cpu)
                # The benchmark's backends exit once it has: wait until the postmaster reaped
                # them.
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and pg.psql(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = "
                        "'client backend' AND pid <> pg_backend_pid()").strip() != "0":
                    time.sleep(0.1)
                postgres_cpu["server_s"] = server_cpu(pg) - began
                web = None
                if args.web:
                    web = (run_web(args.web, args.n, None, sqlite_dir),
                           run_web(args.web, args.n, pg.url, pg_dir))
                cli = (run_cli(args.cli, args.runs, os.path.join(sqlite_dir, "archive.db"),
                               pg.url, tmp) if args.cli else None)
    load = os.getloadavg()[0]
    for name, c in (("sqlite", sqlite_cpu), ("postgres", postgres_cpu)):
        line = "%-9s cpu: benchmark process %.1f s" % (name, c["client_s"])
        if "server_s" in c:
            line += ", server %.1f s" % c["server_s"]
        if "fill_s" in c:
            n = c["fill_entries"]
            line += "; fill %d entries in %.1f s wall (%.0f entries/s)" % (n, c["fill_s"],
                                                                          n / c["fill_s"])
            if args.filter == "BM_Fill":  # else the CPU is the read benchmarks' too
                line += ", %.0f us CPU per entry" % (
                    1e6 * (c["client_s"] + c.get("server_s", 0)) / n)
        print(line)
    print("load average (1 min) at the end: %.1f" % load)
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
    if web:
        print_web(*web)
    if cli:
        print_cli(args.cli, *cli)


if __name__ == "__main__":
    main()
