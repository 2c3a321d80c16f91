#!/usr/bin/python3
"""The web inbox end to end: veilled --once fills an archive from the sample feeds (a local HTTP
server), `veille serve` (loopback, no authentication) serves it, and one headless Chromium
session (Debian's python3-selenium and chromium-driver) opens the inbox, filters it by rule,
marks a mention handled with the keyboard (j then h), which `veille mentions --status handled`
then sees, opens a story page with its sources and explanations, and types a query into the
rule tester (hits, then a syntax error at its column, as it is typed), with no
Content-Security-Policy violation. urllib checks the search error at its column, a triage POST
without the token refused, and the escaping of a hostile feed. Kept under ~10 s."""
import argparse
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

CONFIG = """
[daemon]
database = "veille.db"
[polling]
allow_private = ["127.0.0.1:{port}"]
timeout = "10s"
{feeds}
[[rule]]
name = "marque"
category = "brand"
query = '''Orélia OR "Orelia Paris"'''
[[rule]]
name = "concurrents"
category = "competitor"
query = '''Bellacosa OR Naturéa'''
"""
FEEDS = ["blog-marketing.xml", "news-en.xml", "presse-atom.xml", "google-alerts.xml",
         "hostile.xml"]
HOSTILE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>&lt;script&gt;alert(1)&lt;/script&gt; feed</title>
<link>https://hostile.example/</link><description>x</description>
<item><title>&lt;img src=x onerror=alert(1)&gt; Orélia</title>
<link>javascript:alert(1)</link><guid>h1</guid>
<description>&lt;b&gt;Orélia&lt;/b&gt; &quot;&gt;&lt;svg/onload=alert(1)&gt;</description></item>
</channel></rss>
"""



def send(base, path, data=None):
    req = urllib.request.Request(base + path, data=data)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def urllib_part(c, base):
    status, body = send(base, "/inbox")
    c.check(status == 200 and body.count('<li class="mention') >= 3,
            "the inbox lists the mentions (%d)" % status)
    c.check("<img" not in body and "<svg" not in body and "&lt;img src=x onerror=alert(1)&gt;"
            in body and 'href="javascript' not in body,
            "a hostile feed's title, snippet and link are text")
    status, body = send(base, "/inbox?q=" + urllib.parse.quote("Orélia NEAR/3"))
    c.check(status == 400 and "column" in body, "a malformed search is shown with its column")
    status, _ = send(base, "/triage", data=b"act=handled:1")
    c.check(status == 403, "a triage POST without the CSRF token is refused (%d)" % status)


def browser_part(c, base, work, veille):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    def wait(condition):
        return harness.browser_wait(driver, condition)

    driver = harness.headless_chromium(os.path.join(work.path, "chromium-profile"))
    try:
        driver.get(base + "/")
        c.check(driver.find_element(By.TAG_NAME, "h1").text == "Inbox"
                and len(driver.find_elements(By.CSS_SELECTOR, "li.mention")) >= 3,
                "/ is the inbox")
        Select(driver.find_element(By.ID, "filter-rule")).select_by_value("marque")
        driver.find_element(By.ID, "apply-filters").click()
        wait(lambda d: "rule=marque" in d.current_url)
        rules = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "li.mention .rule")]
        c.check("rule=marque" in driver.current_url and rules and
                all(r == "marque" for r in rules), "filtering by rule: %r" % rules)
        first = driver.find_element(By.CSS_SELECTOR, "li.mention")
        ids = first.find_element(By.CSS_SELECTOR, "input[type=checkbox]").get_attribute("value")
        ActionChains(driver).send_keys("j").perform()
        c.check("current" in first.get_attribute("class"), "j selects the first mention")
        ActionChains(driver).send_keys("h").perform()
        wait(lambda d: d.find_elements(By.CSS_SELECTOR, "li.mention.status-handled"))
        c.check("rule=marque" in driver.current_url, "triage returns to the filtered list")
        handled = {str(m["id"]) for m in
                   harness.mentions(veille, work.config, "--status", "handled")}
        c.check(set(ids.split(",")) <= handled and handled,
                "h marked the row handled, as `veille mentions --status handled` sees (%s)" % ids)
        driver.refresh()
        c.check(driver.find_elements(By.CSS_SELECTOR, "li#m%s.status-handled" % ids.split(",")[0]),
                "the status persists across a reload")
        driver.find_element(By.CSS_SELECTOR, "li.mention a.title").click()
        wait(lambda d: "/story/" in d.current_url)
        c.check("/story/" in driver.current_url
                and driver.find_elements(By.CSS_SELECTOR, "#sources li")
                and "query: matched" in driver.find_element(By.TAG_NAME, "main").text,
                "the story page lists its sources and explains the rule")
        driver.get(base + "/tester")
        driver.find_element(By.ID, "tester-q").send_keys("Orélia")
        c.check(wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#tester-hits li.hit")),
                "the rule tester lists hits as the query is typed (no submit)")
        driver.find_element(By.ID, "tester-q").send_keys(" NEAR/3")
        c.check(wait(lambda d: d.find_elements(By.ID, "tester-error")
                     and "column " in d.find_element(By.ID, "tester-error").text),
                "a syntax error is shown at its column")
        entries = driver.get_log("browser")
        violations = [e["message"] for e in entries
                      if "Content Security Policy" in e.get("message", "")
                      or (e.get("level") == "SEVERE" and "favicon.ico" not in e["message"])]
        c.check(not violations, "no Content-Security-Policy violation or error: %r" % violations)
    finally:
        driver.quit()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    ap.add_argument("--feeds", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    started = time.monotonic()
    with harness.Workdir() as work:
        feeds_dir = os.path.join(work.path, "feeds")
        os.mkdir(feeds_dir)
        for name in FEEDS[:-1]:
            with open(os.path.join(a.feeds, name), "rb") as src, \
                    open(os.path.join(feeds_dir, name), "wb") as dst:
                dst.write(src.read())
        with open(os.path.join(feeds_dir, "hostile.xml"), "w", encoding="utf-8") as f:
            f.write(HOSTILE)
        with harness.FeedServer(feeds_dir) as server:
            feeds = "".join('[[feed]]\nurl = "%s"\n' % server.url(f) for f in FEEDS)
            work.write_config(CONFIG.format(port=server.port, feeds=feeds))
            harness.run([a.veilled, "--config", work.config, "--once"])
        proc, base = harness.start_serve(a.veille, work.config)
        try:
            urllib_part(c, base)
            browser_part(c, base, work, a.veille)
        finally:
            code = harness.stop(proc)
        c.check(code == 0, "SIGTERM stops veille serve with exit 0 (%r)" % code)
    print("took %.1f s" % (time.monotonic() - started))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
