#!/usr/bin/env python3
"""veille serve without a browser: the refusal to listen beyond loopback without
authentication (one clear line, exit 2), --hash-password, a password file that holds a
password instead of a hash refused at start, and SIGHUP reading the password file again."""
import argparse
import os
import re
import select
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, Workdir, run  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = Checks()
    with Workdir() as work:
        work.write_config("[web]\n")
        for listen in ("0.0.0.0:0", "[::]:0", "192.0.2.1:8080"):
            p = run([a.veille, "--config", work.config, "serve", "--listen", listen],
                    timeout=20, check=False)
            lines = p.stderr.strip().splitlines()
            c.check(p.returncode == 2 and len(lines) == 1 and
                    lines[0].startswith("veille: refusing to listen on ") and
                    "without authentication" in lines[0] and "password_file" in lines[0],
                    "serve --listen %s without authentication is refused in one line: %r"
                    % (listen, p.stderr))
        p = run([a.veille, "--config", work.config, "serve", "--listen", "localhost"],
                timeout=20, check=False)
        c.check(p.returncode == 2 and "--listen must be" in p.stderr,
                "a listen address without a port is a usage error: %r" % p.stderr)

        p = subprocess.run([a.veille, "serve", "--hash-password"], input="s3cret pw\n",
                           capture_output=True, text=True, timeout=30)
        digest = p.stdout.strip()
        c.check(p.returncode == 0 and digest.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
                and "s3cret" not in p.stdout,
                "serve --hash-password prints an argon2id hash: %r" % p.stdout)
        p = subprocess.run([a.veille, "serve", "--hash-password"], input="",
                           capture_output=True, text=True, timeout=30)
        c.check(p.returncode == 2, "an empty password is refused (exit %d)" % p.returncode)

        users = os.path.join(work.path, "web.users")
        with open(users, "w") as f:
            f.write("hunter2\n")
        work.write_config('[web]\nlisten = "0.0.0.0:0"\npassword_file = "web.users"\n')
        p = run([a.veille, "--config", work.config, "serve"], timeout=20, check=False)
        c.check(p.returncode == 2 and users + ":1: expected an argon2id hash" in p.stderr
                and "hunter2" not in p.stderr,
                "a password file holding a password is refused at start: %r" % p.stderr)

        with open(users, "w") as f:
            f.write(digest + "\n")
        work.write_config('[web]\npassword_file = "web.users"\n')
        proc = subprocess.Popen([a.veille, "--config", work.config, "serve", "--listen",
                                 "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            started = re.search(r"listening on http://127\.0\.0\.1:\d+/", proc.stdout.readline())
            c.check(started is not None, "serve starts with a password file")

            def next_error_line():
                ready, _, _ = select.select([proc.stderr], [], [], 10)
                return proc.stderr.readline() if ready else ""

            with open(users, "w") as f:
                f.write("not a hash\n")
            proc.send_signal(signal.SIGHUP)
            line = next_error_line()
            c.check("SIGHUP" in line and "previous password file stays in force" in line,
                    "SIGHUP with a broken password file keeps the previous one: %r" % line)
            with open(users, "w") as f:
                f.write("alice:" + digest + "\n")
            proc.send_signal(signal.SIGHUP)
            line = next_error_line()
            c.check(line.strip() == "veille serve: password file read again",
                    "SIGHUP reads the password file again: %r" % line)
            c.check(proc.poll() is None, "... and serve keeps running")
        finally:
            proc.terminate()
            code = proc.wait(timeout=10)
        c.check(code == 0, "SIGTERM stops serve with exit 0 (%r)" % code)

        work.write_config('[web]\nlisten = "0.0.0.0:8080"\n')
        p = run([a.veille, "--config", work.config, "check-config"], timeout=20, check=False)
        c.check(p.returncode != 0 and work.config + ":2:" in p.stderr + p.stdout,
                "check-config names the line of a listen address without authentication: %r"
                % (p.stderr + p.stdout))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
