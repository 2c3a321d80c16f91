"""Shared pieces of the system tests: a local HTTP server, temp configs, running the binaries.

Everything binds to 127.0.0.1 on an ephemeral port; every process has a deadline.
"""

import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time


def content_type(path, body):
    """What a web server would say: by extension, JSON sniffed for extension-less API paths."""
    ext = os.path.splitext(path)[1]
    if ext == ".html":
        return "text/html; charset=utf-8"
    if ext == ".json":
        return "application/feed+json"
    if ext == "" and body.lstrip()[:1] == b"{":
        return "application/json"
    return "application/xml; charset=utf-8"


class FeedServer:
    """Serves files from a directory over HTTP on 127.0.0.1, honouring ETag/If-None-Match, and
    records every request (path, headers) for assertions. A directory is served by its
    index.html or index.xml, so a folder can hold a small web site."""

    def __init__(self, root):
        self.root = root
        self.requests = []
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server.lock:
                    server.requests.append({"path": self.path, "headers": dict(self.headers)})
                path = os.path.join(server.root, self.path.lstrip("/").split("?")[0])
                if os.path.isdir(path):  # a site: /feed/ -> feed/index.xml, / -> index.html
                    for index in ("index.html", "index.xml"):
                        if os.path.isfile(os.path.join(path, index)):
                            path = os.path.join(path, index)
                            break
                if not os.path.isfile(path):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with open(path, "rb") as f:
                    body = f.read()
                etag = '"%x-%d"' % (hash(body) & 0xFFFFFFFF, len(body))
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type(path, body))
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, name):
        return "http://127.0.0.1:%d/%s" % (self.port, name)

    def requests_for(self, name):
        with self.lock:
            return [r for r in self.requests if r["path"].lstrip("/").startswith(name)]


class Workdir:
    """A temporary directory holding a config and a database, removed at the end."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="veille-system-")
        self.config = os.path.join(self.path, "veille.toml")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)

    def write_config(self, text):
        tmp = self.config + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, self.config)


def run(args, timeout=60, check=True):
    """Runs a command, returns CompletedProcess with text output; raises on timeout."""
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("%s exited %d\nstdout:\n%s\nstderr:\n%s"
                             % (args, p.returncode, p.stdout, p.stderr))
    return p


def mentions(veille, config, *extra):
    p = run([veille, "--config", config, "mentions", "--json", "--limit", "0", *extra])
    return json.loads(p.stdout)


class Checks:
    """Collects named checks and prints a final 'N passed, N failed' line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, condition, what):
        if condition:
            self.passed += 1
            print("ok   " + what)
        else:
            self.failed += 1
            print("FAIL " + what)
        return condition

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1


def wait_for(predicate, timeout, step=0.05):
    """Polls `predicate` every `step` seconds until it is true (True) or `timeout` passes (False)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def write_atomic(path, text):
    """Writes `text` to `path` through a rename, so that a reader never sees half a file."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def start_serve(veille, config):
    """`veille serve` on a free loopback port: (process, "http://127.0.0.1:PORT")."""
    proc = subprocess.Popen([veille, "--config", config, "serve", "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line)
    if not m:
        proc.kill()
        raise AssertionError("veille serve did not start: %r %r" % (line, proc.stderr.read()))
    return proc, m.group(1)


def stop(proc):
    """SIGTERM, then SIGKILL after 10 s: the exit status, or None when it had to be killed."""
    proc.terminate()
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def headless_chromium(profile_dir, *extra_args):
    """A headless Chromium (chromium-driver) in English, its console kept for CSP checks, with
    a 15 s page-load timeout. The caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile_dir, "--lang=en-US") + extra_args:
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(15)
    return driver


def browser_wait(driver, condition, timeout=10):
    """True once `condition(driver)` is true (within `timeout` s), False otherwise."""
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)
        return True
    except Exception:  # noqa: BLE001 (a TimeoutException or a vanished element)
        return False
