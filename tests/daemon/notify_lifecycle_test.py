#!/usr/bin/python3
"""The real veilled speaks the sd_notify protocol the way veilled.service (Type=notify,
WatchdogSec=) expects, checked against a datagram socket this test owns in place of systemd:

  READY=1 with a STATUS= line once started, sent by the main pid; WATCHDOG=1 pings at about half
  of WATCHDOG_USEC; SIGHUP -> RELOADING=1 + MONOTONIC_USEC, then READY=1; a broken config on
  SIGHUP -> READY=1 with the FILE:LINE reason in STATUS=; SIGTERM -> STOPPING=1 and exit 0.
  Without NOTIFY_SOCKET, veilled runs and stops the same way.

usage: notify_lifecycle_test.py --veilled PATH --feeds DIR
"""

import argparse
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

CONFIG = """
[daemon]
database = "veille.db"
[polling]
interval = "30m"
[[feed]]
url = "feeds/blog-marketing.xml"
name = "Le Carnet du Marketing"
[[rule]]
name = "marque"
query = '''Orélia'''
channels = ["journal"]
[[channel]]
name = "journal"
type = "log"
"""

WATCHDOG_USEC = 2_000_000  # pings expected about every second


class Manager:
    """The service manager's end: a bound SOCK_DGRAM socket with SO_PASSCRED."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(path)
        self.path = path

    def receive(self, timeout):
        """(fields dict, sender pid) of the next datagram, or None after `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            data, ancdata, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            return None
        pid = None
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid, _, _ = struct.unpack("iII", payload[:12])
        fields = {}
        for line in data.decode("utf-8").split("\n"):
            key, _, value = line.partition("=")
            fields[key] = value
        return fields, pid

    def wait_for(self, key, timeout, skip=("WATCHDOG", "STATUS")):
        """The next datagram carrying `key`, ignoring pings and bare status updates."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.receive(max(0.01, deadline - time.time()))
            if got is None:
                return None
            fields, pid = got
            if key in fields:
                return fields, pid
            if not set(fields) <= set(skip):
                raise AssertionError(f"unexpected message while waiting for {key}: {fields}")
        return None

    def close(self):
        self.sock.close()


class Checks:
    def __init__(self):
        self.failures = 0

    def check(self, condition, what):
        print(("ok   " if condition else "FAIL ") + what, flush=True)
        if not condition:
            self.failures += 1
        return condition


def start(veilled, config, env):
    return subprocess.Popen([veilled, "--config", config], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(proc, c, what):
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = None
    c.check(code == 0, f"{what}: SIGTERM -> exit 0 (got {code})")
    return proc.stderr.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = Checks()

    work = tempfile.mkdtemp(prefix="veille-notify-")
    try:
        shutil.copytree(a.feeds, os.path.join(work, "feeds"))
        config = os.path.join(work, "veille.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(CONFIG)

        manager = Manager(os.path.join(work, "notify"))
        env = {k: v for k, v in os.environ.items()
               if k not in ("JOURNAL_STREAM", "WATCHDOG_PID", "NOTIFY_SOCKET")}
        env["NOTIFY_SOCKET"] = manager.path
        env["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
        proc = start(a.veilled, config, env)

        ready = manager.wait_for("READY", 20)
        if c.check(ready is not None, "READY=1 after start"):
            fields, pid = ready
            c.check(fields["READY"] == "1", "READY value is 1")
            c.check(pid == proc.pid, f"READY=1 comes from the main pid ({pid} vs {proc.pid})")
            c.check("feeds" in fields.get("STATUS", ""),
                    f"READY=1 carries a STATUS= line ({fields.get('STATUS')!r})")

        pings = []
        deadline = time.time() + 3.5 * WATCHDOG_USEC / 1e6
        while time.time() < deadline:
            got = manager.receive(deadline - time.time())
            if got and "WATCHDOG" in got[0]:
                pings.append(time.time())
        c.check(len(pings) >= 2, f"WATCHDOG=1 pinged within the watchdog period ({len(pings)} "
                                 f"pings in {3.5 * WATCHDOG_USEC / 1e6:.1f}s)")
        if len(pings) >= 2:
            gap = max(b - a_ for a_, b in zip(pings, pings[1:]))
            c.check(gap < WATCHDOG_USEC / 1e6, f"pings closer than WATCHDOG_USEC (max gap {gap:.2f}s)")

        before = time.monotonic_ns() // 1000
        proc.send_signal(signal.SIGHUP)
        reloading = manager.wait_for("RELOADING", 10)
        after = time.monotonic_ns() // 1000
        if c.check(reloading is not None, "SIGHUP -> RELOADING=1"):
            stamp = int(reloading[0].get("MONOTONIC_USEC", "0"))
            c.check(before <= stamp <= after,
                    f"MONOTONIC_USEC is CLOCK_MONOTONIC at the reload ({before} <= {stamp} <= {after})")
        again = manager.wait_for("READY", 10)
        c.check(again is not None and "feeds" in again[0].get("STATUS", ""),
                "READY=1 with a status after a valid reload")

        with open(config, "a", encoding="utf-8") as f:
            f.write("\n[polling]\nintervall = \"5m\"\n")
        proc.send_signal(signal.SIGHUP)
        c.check(manager.wait_for("RELOADING", 10) is not None, "SIGHUP with a broken file -> RELOADING=1")
        rejected = manager.wait_for("READY", 10)
        status = rejected[0].get("STATUS", "") if rejected else ""
        c.check(rejected is not None and "veille.toml:" in status,
                f"READY=1 after a rejected reload, with FILE:LINE in STATUS= ({status!r})")
        c.check(proc.poll() is None, "a rejected reload keeps the daemon running")

        proc.send_signal(signal.SIGTERM)
        stopping = manager.wait_for("STOPPING", 15)
        c.check(stopping is not None and stopping[0]["STOPPING"] == "1", "SIGTERM -> STOPPING=1")
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        c.check(code == 0, f"exit 0 after SIGTERM (got {code})")
        manager.close()

        # Without a manager: same life cycle, nothing to notify, no complaint in the log.
        with open(config, "w", encoding="utf-8") as f:
            f.write(CONFIG)
        env.pop("NOTIFY_SOCKET")
        env.pop("WATCHDOG_USEC")
        proc = start(a.veilled, config, env)
        time.sleep(1.5)
        c.check(proc.poll() is None, "runs without NOTIFY_SOCKET")
        log = stop(proc, c, "without NOTIFY_SOCKET")
        c.check("sd_notify" not in log, "no sd_notify warning without NOTIFY_SOCKET")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"notify_lifecycle: {c.failures} failure(s)")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
