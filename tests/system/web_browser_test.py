#!/usr/bin/env python3
"""The web inbox in a real browser (Debian's python3-selenium and chromium-driver, headless)
against `veille serve` on 127.0.0.1 (a free port), started here: a wrong then the right
password, the inbox in English then in French, sign-out; then, with urllib, a POST without
the CSRF token is refused and the security headers are on every response. Kept under ~20 s:
it runs in the ci and asan passes."""
import argparse
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Checks, Workdir  # noqa: E402

PASSWORD = "correct horse battery"



class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser_part(c, base, work):
    from selenium.webdriver.common.by import By

    def wait(condition):
        return harness.browser_wait(driver, condition)

    driver = harness.headless_chromium(os.path.join(work.path, "chromium-profile"))
    try:
        driver.get(base + "/")
        c.check(driver.current_url == base + "/login", "/ sends a stranger to /login")
        c.check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en",
                "the sign-in page follows the browser's language (en)")
        driver.find_element(By.ID, "password").send_keys("not the password")
        driver.find_element(By.ID, "sign-in").click()
        c.check(wait(lambda d: d.find_elements(By.ID, "error")) and
                driver.find_element(By.ID, "error").text == "Wrong user name or password.",
                "a wrong password shows the error on the sign-in page")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "sign-in").click()
        c.check(wait(lambda d: d.current_url == base + "/"),
                "the right password opens the inbox")
        c.check(driver.find_element(By.ID, "user").text == "Signed in as veille"
                and driver.find_element(By.TAG_NAME, "h1").text == "Inbox",
                "the inbox shows the signed-in user, in English")
        c.check(re.search(r"veille \S+ ", driver.find_element(By.TAG_NAME, "footer").text),
                "the footer shows the version")
        c.check("js" in (driver.find_element(By.TAG_NAME, "html").get_attribute("class") or ""),
                "the embedded script ran under the Content-Security-Policy")
        c.check(driver.execute_script(
            "return getComputedStyle(document.querySelector('header.top')).borderBottomStyle")
                == "solid", "the embedded stylesheet applies under the Content-Security-Policy")
        cookies = {k["name"]: k for k in driver.get_cookies()}
        s = cookies.get("veille_session", {})
        c.check(s.get("httpOnly") is True and s.get("sameSite") == "Strict"
                and s.get("path") == "/" and s.get("secure") is False,
                "the session cookie is HttpOnly, SameSite=Strict, Path=/ (not Secure on http): %r"
                % s)
        c.check(driver.execute_script("return document.cookie") == "",
                "scripts cannot read the session cookie")

        driver.find_element(By.CSS_SELECTOR, "footer button[value=fr]").click()
        wait(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr")
        c.check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
                and driver.find_element(By.TAG_NAME, "h1").text == "Boîte de réception"
                and driver.find_element(By.ID, "user").text == "Connecté en tant que veille",
                "the footer's switch shows the inbox in French")
        driver.find_element(By.ID, "logout").click()
        c.check(wait(lambda d: d.current_url == base + "/login")
                and driver.find_element(By.TAG_NAME, "h1").text == "Connexion",
                "signing out leads back to the sign-in page (still in French)")
        driver.get(base + "/")
        c.check(driver.current_url == base + "/login", "after signing out, / asks to sign in")
        violations = [e["message"] for e in driver.get_log("browser")
                      if "Content Security Policy" in e.get("message", "")]
        c.check(not violations, "no Content-Security-Policy violation: %r" % violations)
    finally:
        driver.quit()


def urllib_part(c, base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def send(path, data=None, headers=None):
        req = urllib.request.Request(base + path, data=data, headers=headers or {})
        try:
            with opener.open(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    status, headers, body = send("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    c.check(status == 200 and '<html lang="fr">' in body and "Mot de passe" in body,
            "Accept-Language: fr gives the sign-in page in French")
    csp = headers.get("Content-Security-Policy", "")
    c.check("default-src 'self'" in csp and "frame-ancestors 'none'" in csp
            and "unsafe-inline" not in csp, "the Content-Security-Policy header: %r" % csp)
    c.check(headers.get("X-Content-Type-Options") == "nosniff"
            and headers.get("Referrer-Policy") == "no-referrer"
            and headers.get("Cache-Control") == "no-store", "nosniff, no-referrer, no-store")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
    form = urllib.parse.urlencode({"password": PASSWORD}).encode()
    status, headers, _ = send("/login", data=form)
    c.check(status == 403 and "default-src 'self'" in headers.get("Content-Security-Policy", ""),
            "a POST without the CSRF token is refused (%d)" % status)
    form = urllib.parse.urlencode({"password": PASSWORD, "csrf": "0" * 64}).encode()
    status, _, _ = send("/login", data=form)
    c.check(status == 403, "a POST with a wrong token is refused (%d)" % status)
    form = urllib.parse.urlencode({"password": PASSWORD, "csrf": token}).encode()
    status, headers, _ = send("/login", data=form)
    c.check(status == 303 and headers.get("Location") == "/",
            "the same POST with the token signs in (%d)" % status)
    status, _, body = send("/")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
    status, _, _ = send("/logout", data=b"")
    c.check(status == 403, "sign-out without the token is refused (%d)" % status)
    status, _, _ = send("/")
    c.check(status == 200, "... and the session is still open")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--veille", required=True)
    a = ap.parse_args()
    c = Checks()
    started = time.monotonic()
    with Workdir() as work:
        digest = subprocess.run([a.veille, "serve", "--hash-password"], input=PASSWORD + "\n",
                                capture_output=True, text=True, check=True, timeout=30).stdout
        with open(os.path.join(work.path, "web.users"), "w") as f:
            f.write(digest)
        work.write_config('[web]\npassword_file = "web.users"\n')
        proc, base = harness.start_serve(a.veille, work.config)
        try:
            browser_part(c, base, work)
            urllib_part(c, base)
        finally:
            code = harness.stop(proc)
        c.check(code == 0, "SIGTERM stops veille serve with exit 0 (%r)" % code)
    print("took %.1f s" % (time.monotonic() - started))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
