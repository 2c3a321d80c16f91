"""Throwaway TLS material for the faults scenarios: a CA and four server certificates (valid,
self-signed, expired, wrong host), made with openssl (and faketime for the expired one).
"""

import os
import subprocess


def _openssl(args, cwd, faketime=None):
    cmd = ["openssl"] + args
    if faketime:
        cmd = ["faketime", faketime] + cmd
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)


def make_tls_material(directory):
    """A throwaway CA and four server certificates in `directory` (never committed):
    valid (from the CA, for 127.0.0.1), self-signed, expired (from the CA), wrong host. Kept
    when they are already there (the scenarios of one run share them)."""
    d = directory
    names = ("valid", "wronghost", "expired", "selfsigned")
    made = {name: (os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"))
            for name in names}
    if all(os.path.exists(p) for pair in made.values() for p in pair):
        return made  # made earlier in this run (key generation takes seconds)
    os.makedirs(d, exist_ok=True)
    _openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
              "ca.pem", "-days", "2", "-subj", "/CN=veille faults CA"], d)

    def leaf(name, san, faketime=None, days="2"):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\n" % san)
        _openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                  name + ".csr", "-subj", "/CN=" + name], d)
        _openssl(["x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                  "-CAcreateserial", "-out", name + ".pem", "-days", days, "-extfile",
                  name + ".ext"], d, faketime=faketime)

    leaf("valid", "IP:127.0.0.1")
    leaf("wronghost", "DNS:wrong.example.invalid")
    # Signed in 2020 for 30 days (faketime moves openssl's clock, not ours).
    leaf("expired", "IP:127.0.0.1", faketime="2020-01-01 00:00:00", days="30")
    _openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "selfsigned.key",
              "-out", "selfsigned.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
              "-addext", "subjectAltName=IP:127.0.0.1"], d)
    return made
