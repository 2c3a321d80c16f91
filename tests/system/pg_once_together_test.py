#!/usr/bin/python3
"""Three `veilled --once` started together on one throwaway PostgreSQL database (issue 18,
docs/scaling.md "veilled --once"): runs that overlap are one cycle, so between them each feed is
fetched exactly once. Until 2026-12-07 every feed counted as due in a --once run: a run still
polling leased again the feeds another run had already polled and committed (their leases ended
with the commit), and fetched them a second time.

The feeds sit on HOSTS local hosts (one server per port; a daemon leases a feed with its host).
One host answers slowly, so that the run holding it is still claiming when the others have
given their hosts back. One feed answers 500: a failed poll counts as that feed's poll of the
cycle, and no other run fetches it again. Every answer waits until the three runs have each
sent a request (bounded), so the runs overlap however the machine schedules their starts.
Each daemon has its own config file that differs only in its user_agent, by which the server's
log tells them apart. Afterwards:
- each run exits 0, and the three fetched at the same time;
- the server saw each feed exactly once;
- every feed was polled (its outcome stored), every mention and entry stored once, no lease
  left.
"""

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import pg_daemons  # noqa: E402
import pg_server  # noqa: E402

DAEMONS = 3
HOSTS = 6  # each daemon holds at most 2 hosts (concurrency 1, per_host 1)
PER_HOST = 4
FEEDS = HOSTS * PER_HOST  # feed FAILING answers 500, the others two items, one a mention
FAILING = 5  # on host 5
SLOW_HOST = 0
SLOW_S = 0.5  # each answer of the slow host; the others answer at once
GATE_S = 30  # the longest an answer waits for the three runs to have sent a request

CONFIG = """
[daemon]
database = "{url}"
user_agent = "veille-once/{daemon}"
[polling]
allow_private = [{allow}]
interval = "1h"
concurrency = 1
per_host = 1
host_spacing = "0"
timeout = "40s"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    # No answer goes out before every daemon has sent a request (bounded by GATE_S); the slow
    # host then answers after SLOW_S, and feed FAILING answers 500.
    all_in = threading.Event()

    def before_answer(n):
        if len({agent for _, agent, _ in server.fetches()}) >= DAEMONS:
            all_in.set()
        all_in.wait(GATE_S)
        if n % HOSTS == SLOW_HOST:
            time.sleep(SLOW_S)

    server = pg_daemons.FeedHosts(HOSTS, before_answer=before_answer,
                                  status=lambda n: 500 if n == FAILING else 200)
    feeds = server.feeds_toml(FEEDS)
    allow = server.allow_toml()
    try:
        with pg_server.PgServer() as pg, harness.Workdir() as work, \
                pg_daemons.Daemons(a.veilled, work.path) as daemons:
            began = time.monotonic()
            for d in range(DAEMONS):
                daemons.start(str(d), CONFIG.format(url=pg.url, daemon=d, allow=allow,
                                                    feeds=feeds), args=["--once"])
            codes = [daemons[d].wait(120) for d in range(DAEMONS)]
            print("the runs took %.1fs" % (time.monotonic() - began))
            c.check(codes == [0] * DAEMONS, "each --once run exits 0 (%s)" % codes)
            c.check(all_in.is_set(), "the three runs fetched at the same time")

            by_feed = {}
            for path, agent, _ in server.fetches():
                by_feed.setdefault(path, []).append(agent.rsplit("/", 1)[-1])
            twice = {p: agents for p, agents in sorted(by_feed.items()) if len(agents) > 1}
            c.check(len(by_feed) == FEEDS, "the server saw every feed (%d of %d)"
                    % (len(by_feed), FEEDS))
            c.check(not twice, "no feed fetched twice in the cycle (%d were: %s)"
                    % (len(twice), list(twice.items())[:5]))
            c.check(by_feed.get("/f/%d" % FAILING, []) and len(by_feed["/f/%d" % FAILING]) == 1,
                    "the feed that failed was fetched once (%s)" % by_feed.get("/f/%d" % FAILING))
            per_daemon = {}
            for agents in by_feed.values():
                for d in agents:
                    per_daemon[d] = per_daemon.get(d, 0) + 1
            print("fetches per daemon: %s" % sorted(per_daemon.items()))

            outcomes = pg.psql("SELECT count(*) FILTER (WHERE last_outcome = 'ok'), "
                               "count(*) FILTER (WHERE last_status = 500) FROM feeds").strip()
            c.check(outcomes == "%d|1" % (FEEDS - 1),
                    "every feed was polled: %d ok, the failing one recorded 500 (%s)"
                    % (FEEDS - 1, outcomes))
            mentions = pg.psql("SELECT count(*), count(DISTINCT entry_id) FROM mentions").strip()
            c.check(mentions == "%d|%d" % (FEEDS - 1, FEEDS - 1),
                    "every mention stored exactly once (%s)" % mentions)
            entries = pg.psql("SELECT count(*) FROM entries").strip()
            c.check(entries == str(2 * (FEEDS - 1)), "every entry stored once (%s)" % entries)
            held = pg.psql("SELECT (SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL) + "
                           "(SELECT count(*) FROM hosts WHERE owner IS NOT NULL)").strip()
            c.check(held == "0", "no feed or host lease left (%s)" % held)
            runs = pg.psql("SELECT count(*) FROM daemon_configs").strip()
            c.check(runs == "0", "each run removed its row at its end (%s left)" % runs)
            if c.failed:
                daemons.print_tails(25)
    except pg_server.Unavailable as e:
        print("FAIL throwaway PostgreSQL server: %s" % e)
        return 1
    finally:
        server.shutdown()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
