#!/usr/bin/python3
"""The end-to-end benchmark on PostgreSQL (issue 18): the corpus of e2e_bench.py served by a local
nginx, a cold cycle (every feed 200) then a warm cycle (every feed 304) of `veilled --once` with
1,000 rules, on SQLite and on a throwaway PostgreSQL server (tests/system/pg_server.py), with one
and with several daemons sharing the PostgreSQL database (each `veilled --once` polls the feeds it
leases; the cycle ends when the last one exits), in the same run. Both backends get the same
corpus, rules and concurrency; the server has fsync off, as in the tests, so the figures show the
work, not this machine's disk. The feeds sit on 12 hosts (ports of the nginx): one daemon at a time
fetches from a host, so several daemons share the work host by host.

Usage: pg_bench.py --veilled build/bench/daemon/veilled [-n 500] [--daemons 1,2,3] [--rounds K]
Prints one line per measurement, then the medians and each PostgreSQL run's time as a ratio of
SQLite's in the same round.
"""

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "system"))
import e2e_bench  # noqa: E402
from pg_server import PgServer  # noqa: E402

HOSTS = 12


def config_text(a, ports, urls, keywords, database, lock):
    path = tempfile.mktemp(suffix=".toml")
    e2e_bench.write_config(path, a, ports[0], urls, keywords)
    text = open(path, encoding="utf-8").read()
    os.remove(path)
    text = text.replace('allow_private = ["127.0.0.1:%d"]' % ports[0], "allow_private = [%s]"
                        % ", ".join('"127.0.0.1:%d"' % p for p in ports), 1)
    text = text.replace('database = "bench.db"', 'database = "%s"' % database, 1)
    if lock:
        text = text.replace("[daemon]\n", '[daemon]\nlock_file = "%s"\n' % lock, 1)
    return text


def cycle(binaries_and_configs, timeout):
    """Runs every (binary, config) `--once` at the same time; (wall seconds, cpu seconds, ok)."""
    began = time.monotonic()
    procs = [subprocess.Popen([b, "--config", c, "--once"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for b, c in binaries_and_configs]
    cpu = 0.0
    ok = True
    for p in procs:
        _, status, ru = os.wait4(p.pid, 0)
        cpu += ru.ru_utime + ru.ru_stime
        if os.waitstatus_to_exitcode(status) != 0:
            ok = False
            print(p.stderr.read().decode("utf-8", "replace")[-1500:])
    return time.monotonic() - began, cpu, ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--veilled", required=True)
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--daemons", default="1,2,3", help="daemon counts on PostgreSQL (default 1,2,3)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--corpus")
    a = ap.parse_args()
    counts = [int(k) for k in a.daemons.split(",")]
    corpus = a.corpus or "/tmp/feedbench-%d" % a.n
    manifest = os.path.join(corpus, "manifest.json")
    if not os.path.exists(manifest) or json.load(open(manifest)).get("feeds") != a.n:
        subprocess.run(["/usr/bin/python3", os.path.join(e2e_bench.SHARED, "bench", "gen_corpus.py"),
                        "-n", str(a.n), "--out", corpus], check=True)
    feeds = sorted(f for f in os.listdir(os.path.join(corpus, "feeds")) if f.endswith(".xml"))
    keywords = [k.strip().replace("\\", "").replace('"', "")
                for k in open(os.path.join(corpus, "keywords_1000.txt"), encoding="utf-8")
                if k.strip()][:a.rules]
    work = tempfile.mkdtemp(prefix="veille-pgbench-")
    # The feeds on HOSTS hosts (ports of one nginx): one daemon at a time fetches from a host
    # (docs/scaling.md, "Per-host politeness"), so several daemons share the work host by host.
    ports = [e2e_bench.free_port() for _ in range(HOSTS)]
    nginx = e2e_bench.start_nginx(corpus, ports[0], work, ports[1:])
    urls = ["http://127.0.0.1:%d/feeds/%s" % (ports[i % HOSTS], f) for i, f in enumerate(feeds)]
    total = len(urls)
    results = {}
    try:
        with PgServer() as pg:
            print("feeds %d, rules %d, daemons on PostgreSQL %s, rounds %d"
                  % (total, len(keywords), counts, a.rounds), flush=True)
            for rnd in range(1, a.rounds + 1):
                # SQLite, one daemon.
                d = os.path.join(work, "sqlite-%d" % rnd)
                os.makedirs(d)
                cfg = os.path.join(d, "veille.toml")
                with open(cfg, "w", encoding="utf-8") as f:
                    f.write(config_text(a, ports, urls, keywords, os.path.join(d, "bench.db"), None))
                runs = [("sqlite", [(a.veilled, cfg)],
                         lambda d=d: sqlite3.connect(os.path.join(d, "bench.db")).execute(
                             "SELECT COUNT(*) FROM entries").fetchone()[0])]
                for k in counts:
                    name = "bench_%d_%d" % (rnd, k)
                    pg.psql("CREATE DATABASE %s" % name, database="postgres")
                    url = pg.url.rsplit("/", 1)[0] + "/" + name
                    pairs = []
                    for i in range(k):
                        cfg_k = os.path.join(work, "%s-%d.toml" % (name, i))
                        with open(cfg_k, "w", encoding="utf-8") as f:
                            f.write(config_text(a, ports, urls, keywords, url,
                                                os.path.join(work, "%s-%d.lock" % (name, i))))
                        pairs.append((a.veilled, cfg_k))
                    # The schema first, so that the daemons' start-up is measured, not a migration.
                    subprocess.run([a.veilled.replace("veilled", "veille"), "--config", pairs[0][1],
                                    "db", "migrate"], check=True, stdout=subprocess.DEVNULL)
                    runs.append(("postgresql x%d" % k, pairs,
                                 lambda name=name: int(pg.psql("SELECT COUNT(*) FROM entries",
                                                               database=name))))
                for label, pairs, entries in runs:
                    cold_s, cold_cpu, cold_ok = cycle(pairs, 1800)
                    n_entries = entries()
                    warm_s, warm_cpu, warm_ok = cycle(pairs, 600)
                    print("  %-15s cold %.2f s (%.0f feeds/s, %d entries, cpu %.2f s%s); warm %.2f s "
                          "(cpu %.2f s%s)" % (label, cold_s, total / cold_s, n_entries, cold_cpu,
                                              "" if cold_ok else ", FAILED", warm_s, warm_cpu,
                                              "" if warm_ok else ", FAILED"), flush=True)
                    results.setdefault(label, []).append((cold_s, warm_s, cold_cpu, n_entries))
            print("medians of %d round(s):" % a.rounds)
            base = results["sqlite"]
            for label, rs in results.items():
                cold = statistics.median(r[0] for r in rs)
                warm = statistics.median(r[1] for r in rs)
                ratio_cold = statistics.median(r[0] / b[0] for r, b in zip(rs, base))
                ratio_warm = statistics.median(r[1] / b[1] for r, b in zip(rs, base))
                print("  %-15s cold %.2f s (%.2fx SQLite's time), warm %.2f s (%.2fx), cold cpu %.2f s"
                      % (label, cold, ratio_cold, warm, ratio_warm,
                         statistics.median(r[2] for r in rs)))
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
