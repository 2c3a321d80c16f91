#!/usr/bin/python3
"""How much a hung SMTP server slows polling (issue 17: "the cycle time stays within 10 % of a run
without it"). A measurement, not a test: run it by hand, runs alternate between the two cases.

Each run starts `veilled` on one feed whose entry alerts an email channel, waits until the SMTP
server (tests/alert/smtp_sink.py) has the message, then reloads with N more feeds on a local HTTP
server and times the reload until all N are polled and committed. Case "hung": the server never
answers after DATA (the send stays open for the whole run). Case "ok": it answers at once.

  hung_peer_cycle.py --veilled build/ci/daemon/veilled [--feeds 200] [--runs 5]
"""

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "system"))
import alerts_hung_smtp_test as hung_test  # noqa: E402  (its config, feeds and RSS)
import harness  # noqa: E402

SINK = os.path.join(os.path.dirname(HERE), "alert", "smtp_sink.py")

def one_run(veilled, site, server, feeds, hung):
    with harness.Workdir() as work:
        record = os.path.join(work.path, "smtp.jsonl")
        mode = "hang-until:" + os.path.join(work.path, "never") if hung else "accept"
        sink = subprocess.Popen(["/usr/bin/python3", SINK, "--record", record, "--mode", mode],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        smtp_port = int(sink.stdout.readline().split()[1])
        base = (hung_test.CONFIG.format(port=server.port, smtp_port=smtp_port) +
                hung_test.feed_block(server.url("alert.xml"), "Alerte", True))
        work.write_config(base)
        log_path = os.path.join(work.path, "veilled.log")
        with open(log_path, "w") as out:
            daemon = subprocess.Popen([veilled, "--config", work.config], stdout=out, stderr=out)
        try:
            if not harness.wait_for(lambda: os.path.exists(record), 30):
                raise RuntimeError("the alert never reached the SMTP server")
            db_path = os.path.join(work.path, "veille.db")

            def polled():
                db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
                try:
                    return db.execute("SELECT COUNT(*) FROM feeds WHERE last_fetch_at IS NOT "
                                      "NULL AND name LIKE 'Flux %'").fetchone()[0]
                finally:
                    db.close()

            work.write_config(base + "".join(
                hung_test.feed_block(server.url("f%04d.xml" % i), "Flux %d" % i, False)
                for i in range(feeds)))
            start = time.monotonic()
            daemon.send_signal(signal.SIGHUP)
            if not harness.wait_for(lambda: polled() == feeds, 120, step=0.02):
                raise RuntimeError("only %d of %d feeds polled" % (polled(), feeds))
            return time.monotonic() - start
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
            sink.stdin.close()
            sink.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with harness.Workdir() as sitedir:
        site = sitedir.path
        harness.write_atomic(os.path.join(site, "alert.xml"),
                             hung_test.rss("Presse", [("a1", "Orélia ouvre une boutique")]))
        for i in range(a.feeds):
            harness.write_atomic(os.path.join(site, "f%04d.xml" % i), hung_test.rss(
                "Flux %d" % i, [("f%d-%d" % (i, k), "Article %d du flux %d" % (k, i))
                                for k in range(3)]))
        times = {"ok": [], "hung": []}
        with harness.FeedServer(site) as server:
            for run in range(a.runs):
                for case in (("ok", "hung") if run % 2 == 0 else ("hung", "ok")):
                    t = one_run(a.veilled, site, server, a.feeds, case == "hung")
                    times[case].append(t)
                    print("run %d %-4s %d feeds polled and committed in %.3f s"
                          % (run + 1, case, a.feeds, t), flush=True)
    ok, hung = statistics.median(times["ok"]), statistics.median(times["hung"])
    print("median: ok %.3f s, hung %.3f s, hung/ok = %.2f (runs %s / %s)"
          % (ok, hung, hung / ok, " ".join("%.2f" % t for t in times["ok"]),
             " ".join("%.2f" % t for t in times["hung"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
