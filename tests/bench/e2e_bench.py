#!/usr/bin/python3
"""End-to-end polling benchmark (issue 5): the benchmark corpus of ../shared/bench served by a
local nginx on 127.0.0.1, polled by `veilled --once` with 1,000 rules; a cold cycle (all 200) and
a warm cycle (all 304), for N feeds; sfeed_update on the same feeds as the baseline.

Usage: e2e_bench.py --veilled build/bench/daemon/veilled [-n 2000] [--copies 1] [--corpus DIR]
  --copies K serves every corpus file under K URLs (N*K feeds) without more disk.
Prints one line per measurement and a final `N passed, N failed` line against the targets
(cold >= 1,000 feeds/s for N=2,000; warm 10,000 feeds < 3 s; peak RSS < 200 MB).
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_nginx(root, port, work):
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""
worker_processes 2;
error_log %(w)s/error.log warn;
pid %(w)s/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  client_body_temp_path %(w)s/tmp;
  types { application/rss+xml xml; }
  server {
    listen 127.0.0.1:%(p)d;
    root %(r)s;
    etag on;
  }
}
""" % {"w": work, "p": port, "r": root})
    os.makedirs(os.path.join(work, "tmp"), exist_ok=True)
    p = subprocess.Popen(["nginx", "-c", conf, "-p", work, "-g", "daemon off;"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise RuntimeError("nginx did not start: %s" % p.stderr.read().decode())


def run_measured(args, timeout):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    elapsed = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p, elapsed, after.ru_maxrss / 1024.0, after.ru_utime - before.ru_utime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--corpus", default="/tmp/feedbench")
    ap.add_argument("--rules", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--no-sfeed", action="store_true")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work directory (config, database, nginx.conf) for profiling")
    a = ap.parse_args()

    manifest = os.path.join(a.corpus, "manifest.json")
    if not os.path.exists(manifest) or json.load(open(manifest)).get("feeds") != a.n:
        print("generating corpus n=%d in %s" % (a.n, a.corpus), flush=True)
        subprocess.run(["/usr/bin/python3", os.path.join(SHARED, "bench", "gen_corpus.py"),
                        "-n", str(a.n), "--out", a.corpus], check=True)
    feeds = sorted(f for f in os.listdir(os.path.join(a.corpus, "feeds")) if f.endswith(".xml"))
    keywords = [k.strip() for k in open(os.path.join(a.corpus, "keywords_%d.txt" % 1000 if a.rules <= 1000 else "keywords_10000.txt"), encoding="utf-8") if k.strip()][:a.rules]

    work = tempfile.mkdtemp(prefix="veille-e2e-")
    port = free_port()
    nginx = start_nginx(a.corpus, port, work)
    passed = failed = 0
    try:
        urls = ["http://127.0.0.1:%d/feeds/%s%s" % (port, f, "" if k == 0 else "?copy=%d" % k)
                for k in range(a.copies) for f in feeds]
        cfg = os.path.join(work, "veille.toml")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write('[daemon]\ndatabase = "bench.db"\nlog_level = "warn"\n')
            f.write('[polling]\nconcurrency = %d\nper_host = %d\ntimeout = "60s"\n'
                    'host_spacing = "0"\nallow_private = ["127.0.0.1:%d"]\n' % (a.concurrency, a.concurrency, port))
            for u in urls:
                f.write('[[feed]]\nurl = "%s"\nbackfill_alerts = true\n' % u)
            for i, k in enumerate(keywords):
                q = k.replace("\\", "").replace('"', "")
                f.write("[[rule]]\nname = \"r%05d\"\nquery = '''\"%s\"'''\n" % (i, q))
        total = len(urls)
        print("feeds %d, rules %d, corpus %s" % (total, len(keywords), a.corpus), flush=True)

        cold, t_cold, rss_cold, cpu_cold = run_measured([a.veilled, "--config", cfg, "--once"], 1800)
        if cold.returncode != 0:
            print(cold.stderr[-2000:])
        import sqlite3
        db = sqlite3.connect(os.path.join(work, "bench.db"))
        entries = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        mentions = db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
        ok = db.execute("SELECT COUNT(*) FROM feeds WHERE last_outcome = 'ok'").fetchone()[0]
        db.close()
        print("cold cycle: %.2f s, %.0f feeds/s, %.0f entries/s, %d entries, %d mentions, "
              "%d/%d feeds ok, cpu %.2f s, peak RSS %.0f MB"
              % (t_cold, total / t_cold, entries / t_cold, entries, mentions, ok, total, cpu_cold,
                 rss_cold), flush=True)

        warm, t_warm, rss_warm, cpu_warm = run_measured([a.veilled, "--config", cfg, "--once"], 600)
        db = sqlite3.connect(os.path.join(work, "bench.db"))
        nm = db.execute("SELECT COUNT(*) FROM feeds WHERE last_outcome = 'not_modified'").fetchone()[0]
        db.close()
        print("warm cycle: %.2f s, %.0f feeds/s, %d/%d not modified, cpu %.2f s, peak RSS %.0f MB"
              % (t_warm, total / t_warm, nm, total, cpu_warm, rss_warm), flush=True)

        def target(cond, text):
            nonlocal passed, failed
            print(("ok   " if cond else "MISS ") + text)
            if cond:
                passed += 1
            else:
                failed += 1

        target(cold.returncode == 0 and ok == total, "every feed fetched and parsed in the cold cycle")
        if total >= 2000:
            target(total / t_cold >= 1000, "cold cycle >= 1,000 feeds/s (%.0f)" % (total / t_cold))
        if total >= 10000:
            target(t_warm < 3.0, "warm cycle of %d feeds < 3 s (%.2f)" % (total, t_warm))
        target(max(rss_cold, rss_warm) < 200, "peak RSS < 200 MB (%.0f)" % max(rss_cold, rss_warm))

        if not a.no_sfeed and shutil.which("sfeed_update"):
            home = os.path.join(work, "sfeed")
            os.makedirs(home)
            rc = os.path.join(home, "sfeedrc")
            with open(rc, "w") as f:
                f.write("sfeedpath=\"%s/feeds\"\nmaxjobs=8\nfeeds() {\n" % home)
                for i, u in enumerate(urls[:2000]):
                    f.write('  feed "f%05d" "%s"\n' % (i, u))
                f.write("}\n")
            p, t_sf, rss_sf, _ = run_measured(["sfeed_update", rc], 1800)
            n_sf = min(total, 2000)
            lines = 0
            for name in os.listdir(os.path.join(home, "feeds")):
                with open(os.path.join(home, "feeds", name), "rb") as fh:
                    lines += fh.read().count(b"\n")
            print("baseline sfeed_update (8 jobs, %d feeds): %.2f s, %.0f feeds/s, %.0f entries/s"
                  % (n_sf, t_sf, n_sf / t_sf, lines / t_sf), flush=True)
            print("ratio: veilled cold cycle is %.1fx sfeed_update's feeds/s"
                  % ((total / t_cold) / (n_sf / t_sf)))
    finally:
        nginx.terminate()
        nginx.wait()
        if a.keep:
            print("work directory kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
