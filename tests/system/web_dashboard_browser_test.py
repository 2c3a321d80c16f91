#!/usr/bin/env python3
"""The dashboard, feeds and alerts pages in a real browser (headless Chromium through Debian's
python3-selenium and chromium-driver), one session, over an archive filled by `veilled --once`:
the dashboard's SVG charts render with a size, "poll now" goes round (the redirect, the notice,
the request in the database), "retry every dead alert" too, hostile titles show as text, and
the browser reports no Content-Security-Policy violation. A few seconds."""
import argparse
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import web_archive  # noqa: E402


def browser_part(c, base, work):
    from selenium.webdriver.common.by import By

    def wait(condition):
        return harness.browser_wait(driver, condition)

    driver = harness.headless_chromium(os.path.join(work.path, "chromium-profile"), "--window-size=1200,900")
    try:
        driver.get(base + "/dashboard")
        chart = driver.find_element(By.CSS_SELECTOR, "#volume svg.chart")
        c.check(chart.size["width"] > 300 and chart.size["height"] > 50,
                "the volume chart renders (%r)" % chart.size)
        bars = driver.find_elements(By.CSS_SELECTOR, "#volume svg.chart rect")
        c.check(len(bars) >= 2, "... with its columns (%d rects)" % len(bars))
        donut = driver.find_element(By.CSS_SELECTOR, "#voice svg.donut")
        c.check(donut.size["width"] >= 100, "the share of voice's donut renders (%r)"
                % donut.size)
        c.check(driver.find_element(By.CSS_SELECTOR, "#voice svg.swatch").size["width"] > 0,
                "the legend's SVG swatches render")
        c.check("Journal <b>Économie</b>" in driver.find_element(By.ID, "sources").text,
                "the hostile feed name shows as text among the top sources")
        driver.find_element(By.ID, "period-7d").click()
        c.check(wait(lambda d: d.current_url.endswith("/dashboard?period=7d")),
                "the 7-day preset is a link")

        driver.get(base + "/feeds")
        button = driver.find_element(
            By.XPATH, "//tr[td[contains(@title, 'a.xml')]]//button[starts-with(@id, 'poll-')]")
        feed_id = button.get_attribute("id")[len("poll-"):]
        button.click()
        c.check(wait(lambda d: d.current_url.endswith("/feeds?asked=" + feed_id)),
                "poll now: redirected to the feeds page")
        c.check(wait(lambda d: d.find_elements(By.ID, "notice")) and
                driver.find_element(By.ID, "notice").text
                == "Asked veilled to poll Journal <b>Économie</b> now.",
                "... which confirms the request, the feed's name as text")
        c.check(driver.find_elements(By.CSS_SELECTOR, "#feed-%s .asked" % feed_id),
                "... and shows the request on the feed's row")
        db = sqlite3.connect(os.path.join(work.path, "veille.db"))
        asked = db.execute("SELECT poll_requested_at FROM feeds WHERE id = ?",
                           (int(feed_id),)).fetchone()[0]
        db.close()
        c.check(asked is not None, "the poll request is in the database")

        driver.get(base + "/alerts")
        titles = driver.find_element(By.ID, "dead-alerts").text
        c.check("<script>alert(1)</script> Orélia" in titles or "onerror" in titles,
                "the dead alert's hostile text shows as text")
        driver.find_element(By.ID, "retry-all-dead").click()
        c.check(wait(lambda d: d.find_elements(By.ID, "notice")) and
                driver.find_element(By.ID, "notice").text == "1 alert queued for delivery.",
                "retry every dead alert: the notice")
        c.check(not driver.find_elements(By.ID, "dead-alerts"), "... and no dead alert is left")
        c.check(not driver.find_elements(By.CSS_SELECTOR, "script:not([src])"),
                "no inline script on the page")
        violations = [e["message"] for e in driver.get_log("browser")
                      if "Content Security Policy" in e.get("message", "")]
        c.check(not violations, "no Content-Security-Policy violation: %r" % violations)
    finally:
        driver.quit()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veilled", required=True)
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = harness.Checks()
    with harness.Workdir() as work:
        root = os.path.join(work.path, "feeds")
        os.makedirs(root)
        web_archive.write_feeds(root)
        with harness.FeedServer(root) as server:
            web_archive.prepare(work, server, a.veilled, a.veille)
        serve, base = harness.start_serve(a.veille, work.config)
        try:
            browser_part(c, base, work)
        finally:
            harness.stop(serve)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
