"""The merchant admin in a real Chromium, as a new merchant meets it: the owner made with the CLI
signs in, invites an agent who joins in a second browser, the agent finds an order three ways,
reveals the contact, copies the German reply (read back from the clipboard) and sends the last
message again; the owner reads the dashboard's chart and deflection figures, makes and revokes an
API key and switches merchants. axe-core checks every admin page (signed out, owner, agent, live
reset and invitation links, 403) in English, German and Japanese for serious or critical
violations; cookies, CSRF and the language choice are checked in the browser; the core flows run
with JavaScript turned off. Shipments come through the REST API; mail goes to a folder."""
import email
import email.policy
import http.cookiejar
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import Server, create_tenant, new_database, query, run_cli

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
axe_module = pytest.importorskip("axe_selenium_python", reason="axe-selenium-python is not installed")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver")
if CHROMEDRIVER is None:
    pytest.skip("chromium-driver is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)

OWNER = ("owner@acme.test", "owner's own long password")
AGENT = ("agent@acme.test", "agent's own long password")
SHOPPER = "jane.doe@example.com"


def browser(javascript=True, width=1280):
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},1400"]:
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)


def wait_for(condition, timeout=20, what="the condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# The merchant, set up as a new one would be: the CLI makes the tenant and its owner, the REST API
# the shipments, the carrier's scan arrives as an event, and the shopper's email goes to a folder.

class Merchant:
    def __init__(self, tmp, start):
        self.db = new_database(tmp)
        self.mail = tmp / "mail"
        created = create_tenant(self.db, "acme", name="Acme Outfitters", email=OWNER[0], password=OWNER[1])
        self.key = created["api_key"]
        self.server = start(self.db, env={"WAYMARK_MAIL_DIR": str(self.mail)})
        # The shipment the walkthrough is about: an email, a phone, an English-speaking shopper.
        self.order = self.shipment("WM-20417", "1Z999AA10123456784", "ups", {"email": SHOPPER, "phone": "+4915112345678", "locale": "en", "name": "Jane Doe"})
        # Others the searches must leave out.
        self.other = self.shipment("WM-31002", "9400111899223397846301", "usps", {"email": "max.muster@example.org", "locale": "de"})
        self.quiet = self.shipment("WM-31003", "00340434161094042557", "dhl-paket", {})
        self.event(self.order["id"], "out_for_delivery")
        # The email that status change sends, written to the folder.
        wait_for(lambda: self.emails_to(SHOPPER), what="the shopper's out-for-delivery email")

    def url(self, path):
        return self.server.base + path

    def shipment(self, order, number, carrier, customer):
        status, body = self.server.api("POST", "/shipments", self.key, {
            "order_number": order, "tracking_number": number, "carrier": carrier, "customer": customer,
            "destination": {"city": "Berlin", "country": "DE"}})
        assert status == 201, body
        return body

    def event(self, shipment_id, status):
        code, body = self.server.api("POST", f"/shipments/{shipment_id}/events", self.key, {
            "status": status, "message": f"Now {status}", "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "location": {"city": "Berlin", "country": "DE"}})
        assert code in (200, 201), body

    def sql(self, sql, *args):
        return query(self.db, sql, *args)

    def emails_to(self, to):
        """The emails written to the folder for `to`, oldest first, as parsed messages."""
        found = []
        for path in sorted(self.mail.glob("*.eml"), key=lambda p: p.stat().st_mtime) if self.mail.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to in str(message["To"]):
                found.append(message)
        return found

    def mailed_admin_link(self, to, kind):
        """The link to /admin/`kind`/… in the newest email to `to` that has one."""
        def link():
            for message in reversed(self.emails_to(to)):
                match = re.search(r"https?://\S+/admin/" + kind + r"/\S+", message.get_body(preferencelist=("plain",)).get_content())
                if match:
                    return match.group(0)
        return wait_for(link, what=f"an email with an admin link to {to}")


class Visitor:
    """The admin over plain HTTP, for setting things up: a cookie jar, and every form posted with
    the CSRF token of the page it is on (as a browser would)."""

    def __init__(self, merchant):
        self.merchant = merchant
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.merchant.url(path), data=data), timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()

    def submit(self, page, action, fields):
        _, _, html = self.open(page)
        token = re.search(r'<form method="post" action="' + re.escape(action) + r'"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"', html)
        assert token, f"no form posting to {action} on {page}"
        return self.open(action, {**fields, "csrf": token.group(1)})

    def sign_in(self, login):
        status, url, html = self.submit("/admin/login", "/admin/login", {"email": login[0], "password": login[1]})
        assert status == 200 and "/admin/login" not in url, html[:2000]

    def invite(self, address, role):
        status, _, html = self.submit("/admin/team", "/admin/team/invitations", {"email": address, "role": role})
        assert status == 200, html[:2000]
        return re.search(r'id="invitation-link" class="copyable" readonly value="([^"]+)"', html).group(1)


def invited_agent(merchant, address, password):
    """An agent account made the way the team page makes one: invited by the owner, accepted by link."""
    owner = Visitor(merchant)
    owner.sign_in(OWNER)
    link = owner.invite(address, "agent")
    path = urllib.parse.urlparse(link).path
    status, url, html = Visitor(merchant).submit(path, path, {"password": password, "confirm": password})
    assert status == 200 and url.endswith("/admin/login?done=invitation"), html[:2000]


# The browser side.

def settle(driver, old_html):
    """Waits until the page of `old_html` has been replaced and the new one has loaded."""
    def replaced(_):
        try:
            old_html.is_enabled()
            return False
        except WebDriverException:  # stale, or (mid-navigation) "node does not belong to the document"
            return True
    WebDriverWait(driver, 15).until(replaced)
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def click(driver, element):
    """Clicks a link or a submit button and waits for the page it leads to (a click returns
    before a form's POST and its 303 have finished loading)."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    settle(driver, old)


def button(driver, selector, label=None):
    """The one button (or link) matching `selector`, with `label` in its text if given."""
    found = [b for b in driver.find_elements(By.CSS_SELECTOR, selector) if label is None or label in b.text]
    assert len(found) == 1, f"{len(found)} matches for {selector!r} {label!r} on {driver.current_url}"
    return found[0]


def sign_in(driver, merchant, login, lands_on):
    driver.get(merchant.url("/admin/login"))
    driver.find_element(By.ID, "email").send_keys(login[0])
    driver.find_element(By.ID, "password").send_keys(login[1])
    click(driver, button(driver, "main form button[type=submit]"))
    assert urllib.parse.urlparse(driver.current_url).path == lands_on, (driver.current_url, heading(driver), driver.page_source[:1500])


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def http_status(driver):
    """The status of the page's own response, as Chromium recorded it."""
    return driver.execute_script("const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : null;")


def notice(driver):
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "main [role=status].notice"))


def serious_violations(driver):
    axe = axe_module.Axe(driver)
    axe.inject()
    results = axe.run()
    return [(v["id"], v["impact"], v["help"], [(node["target"], node["html"][:160]) for node in v["nodes"]][:3])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


class AxeReport:
    """Runs axe on each page visited and collects what it finds, so one failure lists every page."""

    def __init__(self):
        self.failures = []
        self.pages = []

    def check(self, driver, label):
        self.pages.append(label)
        violations = serious_violations(driver)
        if violations:
            self.failures.append((label, urllib.parse.urlparse(driver.current_url).path, violations))

    def assert_clean(self):
        lines = []
        for label, path, violations in self.failures:
            lines.append(f"{label} ({path}):")
            for rule, impact, help_text, nodes in violations:
                lines.append(f"  {rule} [{impact}] {help_text}")
                lines += [f"    {target}: {html}" for target, html in nodes]
        assert not self.failures, f"serious/critical axe violations on {len(self.failures)} of {len(self.pages)} pages:\n" + "\n".join(lines)


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    """One merchant for the accessibility tests, with an agent who joined by invitation."""
    servers = []

    def start(db, env):
        servers.append(Server(db, env=env))
        return servers[-1]

    try:
        merchant = Merchant(tmp_path_factory.mktemp("admin"), start)
        invited_agent(merchant, *AGENT)
        yield merchant
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def merchant(tmp_path, server_factory):
    """A merchant of its own for a test that changes things."""
    return Merchant(tmp_path, lambda db, env: server_factory(db, env=env))


# 1. Accessibility: every admin page, 0 serious or critical violations.

def test_signed_out_pages_are_accessible(acme):
    report = AxeReport()
    driver = browser()
    try:
        driver.get(acme.url("/admin"))
        assert urllib.parse.urlparse(driver.current_url).path == "/admin/login", "signed out, the dashboard sends to the sign-in page"
        for lang, title in [("en", "Sign in"), ("de", "Anmelden"), ("ja", "ログイン")]:
            driver.get(acme.url(f"/admin/login?lang={lang}"))
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
            assert heading(driver) == title
            report.check(driver, f"sign-in page ({lang})")
        driver.get(acme.url("/admin/login?lang=en"))
        driver.find_element(By.ID, "email").send_keys(OWNER[0])
        driver.find_element(By.ID, "password").send_keys("not the password at all")
        click(driver, button(driver, "main form button[type=submit]"))
        assert "The email or password is wrong." in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
        assert driver.find_element(By.ID, "email").get_attribute("value") == OWNER[0]
        report.check(driver, "sign-in page with an error")

        driver.get(acme.url("/admin/password/forgot"))
        assert heading(driver) == "Reset your password"
        report.check(driver, "forgot-password page")
        driver.find_element(By.ID, "email").send_keys("nobody@acme.test")
        click(driver, button(driver, "main form button[type=submit]"))
        assert "If an account uses that email, a link is on its way." in notice(driver)
        report.check(driver, "forgot-password page, sent")

        for path in ["/admin/password/reset/" + "A" * 43, "/admin/invitations/" + "A" * 43]:
            driver.get(acme.url(path))
            assert http_status(driver) == 410 and "This link has been used or has expired." in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
            report.check(driver, f"dead link page {path[:24]}…")
    finally:
        driver.quit()
    report.assert_clean()


def test_reset_and_invitation_pages_with_live_links_are_accessible(acme):
    report = AxeReport()
    reset = Visitor(acme)
    status, _, html = reset.submit("/admin/password/forgot", "/admin/password/forgot", {"email": AGENT[0]})
    assert status == 200 and "a link is on its way" in html
    reset_link = acme.mailed_admin_link(AGENT[0], "password/reset")
    owner = Visitor(acme)
    owner.sign_in(OWNER)
    invitation_link = owner.invite("someone.new@acme.test", "admin")
    driver = browser()
    try:
        for link, title in [(reset_link, "Choose a new password"), (invitation_link, "Join the team")]:
            for lang in ["en", "de", "ja"]:
                driver.get(f"{link}?lang={lang}")
                assert http_status(driver) == 200, link
                assert driver.find_element(By.ID, "password").get_attribute("autocomplete") == "new-password"
                assert driver.find_elements(By.ID, "confirm")
                if lang == "en":
                    assert heading(driver) == title
                report.check(driver, f"{title} ({lang}, live link)")
        # A mistake on the live invitation: the error is announced, and the page stays accessible.
        driver.get(f"{invitation_link}?lang=en")
        assert "Acme Outfitters" in driver.find_element(By.TAG_NAME, "main").text
        driver.find_element(By.ID, "password").send_keys("short")
        driver.find_element(By.ID, "confirm").send_keys("short")
        driver.execute_script("document.getElementById('password').removeAttribute('minlength')")
        click(driver, button(driver, "main form button[type=submit]"))
        assert "at least 10 characters" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
        report.check(driver, "invitation page with an error")
    finally:
        driver.quit()
    report.assert_clean()


OWNER_PAGES = ["/admin", "/admin/shipments", "/admin/shipments?q=WM-2&status=out_for_delivery&carrier=ups&sort=oldest",
               "/admin/shipments?q=zzz-no-such-order", "/admin/shipments/{id}", "/admin/shipments/{id}?reply={lang}#reply",
               "/admin/team", "/admin/data", "/admin/api-keys", "/admin/audit", "/admin/sessions"]
DASHBOARD = {"en": "Dashboard", "de": "Dashboard", "ja": "ダッシュボード"}
SHIPMENT = {"en": "Shipment", "de": "Sendung", "ja": "配送"}
SESSIONS = {"en": "Your sessions", "de": "Ihre Sitzungen", "ja": "ログインセッション"}
CHART = {"en": "Tracking-page views per day, last 30 days", "de": "Aufrufe der Tracking-Seite pro Tag, letzte 30 Tage",
         "ja": "追跡ページの1日あたりの閲覧数（過去30日間）"}


@pytest.mark.parametrize("lang", ["en", "de", "ja"])
def test_owner_pages_are_accessible(acme, lang):
    report = AxeReport()
    driver = browser()
    try:
        sign_in(driver, acme, OWNER, lands_on="/admin")
        # The language is picked once and remembered by its cookie for every page after.
        driver.get(acme.url(f"/admin?lang={lang}"))
        assert heading(driver) == DASHBOARD[lang]
        assert driver.find_element(By.CSS_SELECTOR, "svg.chart > title").get_attribute("textContent") == CHART[lang]
        for path in OWNER_PAGES:
            path = path.replace("{id}", acme.order["id"]).replace("{lang}", lang)
            driver.get(acme.url(path))
            assert http_status(driver) == 200, path
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, path
            assert len(driver.find_elements(By.TAG_NAME, "h1")) == 1, path
            report.check(driver, f"{path} ({lang})")
        assert heading(driver) == SESSIONS[lang]

        # The pages after an action: the contact in full, a message sent again, a new key, an invitation link.
        driver.get(acme.url(f"/admin/shipments/{acme.order['id']}"))
        assert heading(driver) == SHIPMENT[lang]
        click(driver, button(driver, f"form[action='/admin/shipments/{acme.order['id']}/reveal'] button"))
        assert SHOPPER in driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=contact-heading]").text
        report.check(driver, f"shipment with the contact in full ({lang})")
        click(driver, driver.find_elements(By.CSS_SELECTOR, f"form[action='/admin/shipments/{acme.order['id']}/resend'] button")[0])
        assert notice(driver), "the resend notice"
        report.check(driver, f"shipment after sending again ({lang})")
        driver.get(acme.url("/admin/api-keys"))
        driver.find_element(By.ID, "key-name").send_keys(f"Accessibility {lang}")
        click(driver, button(driver, "form[action='/admin/api-keys'] button"))
        assert driver.find_element(By.ID, "new-key").get_attribute("value").startswith("wm_")
        report.check(driver, f"API keys with a new key ({lang})")
        driver.get(acme.url("/admin/team"))
        driver.find_element(By.ID, "invite-email").send_keys(f"invitee.{lang}@acme.test")
        click(driver, button(driver, "form[action='/admin/team/invitations'] button"))
        assert "/admin/invitations/" in driver.find_element(By.ID, "invitation-link").get_attribute("value")
        report.check(driver, f"team with an invitation link ({lang})")
    finally:
        driver.quit()
    report.assert_clean()


@pytest.mark.parametrize("lang", ["en", "de", "ja"])
def test_agent_pages_and_the_403_page_are_accessible(acme, lang):
    forbidden = {"en": "Not allowed", "de": "Nicht erlaubt", "ja": "権限がありません"}[lang]
    report = AxeReport()
    driver = browser(width=390)
    try:
        sign_in(driver, acme, AGENT, lands_on="/admin/shipments")
        driver.get(acme.url(f"/admin?lang={lang}"))
        assert urllib.parse.urlparse(driver.current_url).path == "/admin/shipments", "an agent's home is the shipment list"
        nav = [a.get_attribute("pathname") for a in driver.find_elements(By.CSS_SELECTOR, "header nav a")]
        assert nav == ["/admin/shipments"], nav
        for path in ["/admin/shipments", f"/admin/shipments?q={SHOPPER}", f"/admin/shipments/{acme.order['id']}",
                     f"/admin/shipments/{acme.order['id']}?reply=ja#reply", "/admin/sessions"]:
            driver.get(acme.url(path))
            assert http_status(driver) == 200, path
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, path
            report.check(driver, f"agent: {path} ({lang})")
        for path in ["/admin/team", "/admin/api-keys", "/admin/audit", "/admin/data"]:
            driver.get(acme.url(path))
            assert http_status(driver) == 403 and heading(driver) == forbidden, path
        report.check(driver, f"403 page ({lang})")
    finally:
        driver.quit()
    report.assert_clean()


# 2. The walkthrough of the issue, as a new agent would go through it.

def test_a_new_agent_joins_finds_an_order_copies_the_german_reply_and_resends(merchant):
    target = f"/admin/shipments/{merchant.order['id']}"
    owner = browser()
    agent = browser()
    try:
        sign_in(owner, merchant, OWNER, lands_on="/admin")
        assert "Acme Outfitters" in owner.find_element(By.CSS_SELECTOR, ".admin-brand").text
        click(owner, button(owner, "header nav a", "Team"))
        owner.find_element(By.ID, "invite-email").send_keys("new.agent@acme.test")
        Select(owner.find_element(By.ID, "invite-role")).select_by_value("agent")
        click(owner, button(owner, "form[action='/admin/team/invitations'] button"))
        assert "Invitation sent to new.agent@acme.test." in notice(owner)
        invitation = owner.find_element(By.ID, "invitation-link").get_attribute("value")
        assert re.fullmatch(re.escape(merchant.server.base) + r"/admin/invitations/[A-Za-z0-9_-]{43}", invitation), invitation
        assert merchant.mailed_admin_link("new.agent@acme.test", "invitations") == invitation, "the emailed link is the one shown"

        # The agent, in a browser of their own, follows the link and picks a password.
        agent.get(invitation)
        assert heading(agent) == "Join the team"
        assert "Acme Outfitters" in agent.find_element(By.TAG_NAME, "main").text and "new.agent@acme.test" in agent.find_element(By.TAG_NAME, "main").text
        agent.find_element(By.ID, "password").send_keys("new agent's password")
        agent.find_element(By.ID, "confirm").send_keys("new agent's password")
        click(agent, button(agent, "main form button[type=submit]"))
        assert "You joined the team. Sign in to start." in notice(agent)
        agent.get(invitation)
        assert http_status(agent) == 410, "the invitation link works once"
        sign_in(agent, merchant, ("new.agent@acme.test", "new agent's password"), lands_on="/admin/shipments")
        assert "(agent)" in agent.find_element(By.CSS_SELECTOR, ".admin-account").text

        # Find the order by the shopper's email (any case), by its order number and by the start of its tracking number.
        def search(text):
            field = agent.find_element(By.ID, "q")
            field.clear()
            field.send_keys(text)
            click(agent, button(agent, "form[role=search] button[type=submit]"))
            assert agent.find_element(By.ID, "q").get_attribute("value") == text
            return [urllib.parse.urlparse(a.get_attribute("href")).path for a in agent.find_elements(By.CSS_SELECTOR, "main table tbody th a")]

        assert len(search("")) == 3
        for text in [SHOPPER.upper(), "WM-20417", "1Z9"]:
            assert search(text) == [target], text
        assert search("zzz-no-such-order") == [] and "No shipment matches" in agent.find_element(By.TAG_NAME, "main").text
        search("WM-20417")
        click(agent, button(agent, "main table tbody th a"))
        assert urllib.parse.urlparse(agent.current_url).path == target
        assert "Order #WM-20417" in agent.find_element(By.ID, "summary-heading").text

        # The contact is masked until "Show in full".
        contact = agent.find_element(By.CSS_SELECTOR, "section[aria-labelledby=contact-heading]").text
        assert SHOPPER not in agent.page_source and "j•••@example.com" in contact and "J. D." in contact
        click(agent, button(agent, "section[aria-labelledby=contact-heading] button", "Show in full"))
        contact = agent.find_element(By.CSS_SELECTOR, "section[aria-labelledby=contact-heading]").text
        assert SHOPPER in contact and "+4915112345678" in contact and "Jane Doe" in contact

        # The reply in the shopper's language (English), then in German.
        reply = agent.find_element(By.ID, "reply-text").get_attribute("value")
        tracking = merchant.order["tracking_url"] + "?src=support"
        assert reply == f"You can follow order #WM-20417 here: {tracking}"
        click(agent, button(agent, "#reply nav a[hreflang=de]"))
        assert agent.current_url.endswith(f"{target}?reply=de#reply")
        assert button(agent, "#reply nav a[hreflang=de]").get_attribute("aria-current") == "true"
        link = agent.find_element(By.ID, "reply-link").get_attribute("value")
        reply = agent.find_element(By.ID, "reply-text").get_attribute("value")
        assert link == tracking, "the link is the shipment's, marked as from support"
        assert reply == f"Sie können die Bestellung #WM-20417 hier verfolgen: {link}"
        assert agent.find_element(By.ID, "reply-text").get_attribute("lang") == "de"
        assert f'<a href="{link}">{link}</a>' in agent.find_element(By.ID, "reply-html").get_attribute("value")
        status, _, _ = merchant.server.request("GET", urllib.parse.urlparse(link).path + "?src=support")
        assert status == 200, "the link in the reply opens the shopper's page"

        # Copy: the script shows the button, the clipboard gets the reply, the status says so.
        agent.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": merchant.server.base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        copy = button(agent, "button.copy[data-copy=reply-text]")
        assert copy.is_displayed() and copy.text == "Copy"
        status_text = agent.find_element(By.CSS_SELECTOR, "#reply [data-copied]")
        assert status_text.text == ""
        copy.click()
        WebDriverWait(agent, 10).until(lambda _: status_text.text == "Copied.")
        clipboard = agent.execute_async_script("navigator.clipboard.readText().then(arguments[0], e => arguments[0]('refused: ' + e))")
        assert clipboard == reply

        # Send the newest message again: a notice, a new delivery, and the email really goes out again.
        before = merchant.sql("SELECT count(*) FROM delivery WHERE shipment_id = ?", merchant.order["id"])[0][0]
        emails = len(merchant.emails_to(SHOPPER))
        rows = agent.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=messages-heading] tbody tr")
        email_rows = [row for row in rows if "Email" in row.text]
        assert len(email_rows) == 1 and "j•••@example.com" in email_rows[0].text, [r.text for r in rows]
        click(agent, email_rows[0].find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "resent=email" in agent.current_url
        assert "The email message will be sent again in a moment." in notice(agent)
        assert merchant.sql("SELECT count(*) FROM delivery WHERE shipment_id = ?", merchant.order["id"])[0][0] == before + 1
        wait_for(lambda: len(merchant.emails_to(SHOPPER)) == emails + 1, what="the email sent again")

        # What an agent may not do.
        for path in ["/admin/team", "/admin/api-keys"]:
            agent.get(merchant.url(path))
            assert http_status(agent) == 403 and heading(agent) == "Not allowed", path

        # The owner sees it all in the audit log.
        owner.get(merchant.url("/admin/audit"))
        log = owner.find_element(By.TAG_NAME, "main").text
        for entry in ["invited new.agent@acme.test as agent", "accepted invitation as agent", "revealed shopper contact", "resent email message"]:
            assert entry in log, entry
    finally:
        owner.quit()
        agent.quit()


# 3. The owner: dashboard, API keys, merchants.

def test_the_owner_reads_the_dashboard_manages_keys_and_switches_merchants(merchant):
    # The shopper opens the page from the email's link, another shopper straight, the third not at all.
    wait_for(lambda: merchant.sql("SELECT count(*) FROM delivery WHERE shipment_id = ? AND channel = 'email' AND state = 'delivered'",
                                  merchant.order["id"])[0][0], what="the email to be sent")
    for shipment, source in [(merchant.order, "?src=email"), (merchant.other, "")]:
        assert merchant.server.get(urllib.parse.urlparse(shipment["tracking_url"]).path + source)[0] == 200
    day, views, from_messages = wait_for(lambda: merchant.sql("SELECT day, views, message_views FROM page_view_day"),
                                         what="the page views to be written")[0]
    assert (views, from_messages) == (2, 1)

    driver = browser()
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        assert heading(driver) == "Dashboard"
        chart = driver.find_element(By.CSS_SELECTOR, "svg.chart")
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-labelledby") == "chart-title chart-desc"
        assert driver.find_element(By.CSS_SELECTOR, "svg.chart > title#chart-title").get_attribute("textContent") == "Tracking-page views per day, last 30 days"
        assert driver.find_element(By.CSS_SELECTOR, "svg.chart > desc#chart-desc").get_attribute("textContent").startswith("Bar chart of 2 page views over 30 days")
        bars = chart.find_elements(By.TAG_NAME, "rect")
        assert len(bars) == 30
        assert bars[-1].find_element(By.TAG_NAME, "title").get_attribute("textContent") == f"{day}: 2"
        assert int(bars[-1].get_attribute("height")) > 0 and all(int(bar.get_attribute("height")) == 0 for bar in bars[:-1])
        figures = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=views-heading] table.visually-hidden")
        # Hidden from sight (clipped), not from assistive technology.
        assert driver.execute_script("const s = getComputedStyle(arguments[0]); return [s.position, s.clip, s.display];", figures) == \
            ["absolute", "rect(0px, 0px, 0px, 0px)", "table"]
        cells = [td.get_attribute("textContent") for td in figures.find_elements(By.CSS_SELECTOR, "tbody tr:last-child > *")]
        assert cells == [day, "2", "1"], cells
        deflection = " ".join(driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=deflection-heading]").text.split())
        # 1 of 3 shipments: the shopper had the email before opening the page; 1 of 2 opened pages came from a message.
        assert "33 % of the 3 shipments of the last 30 days: the shopper got an email or text before opening the tracking page (1)." in deflection, deflection
        assert "50 % of the opened tracking pages were opened from a message's link (1 of 2)." in deflection, deflection

        # An API key: shown once, works at its scope, refused on the very next request after revoking.
        click(driver, button(driver, "header nav a", "API keys"))
        driver.find_element(By.ID, "key-name").send_keys("Help desk")
        Select(driver.find_element(By.ID, "key-scope")).select_by_value("read_only")
        click(driver, button(driver, "form[action='/admin/api-keys'] button"))
        key = driver.find_element(By.ID, "new-key").get_attribute("value")
        assert re.fullmatch(r"wm_\S{20,}", key), key
        driver.get(merchant.url("/admin/api-keys"))
        assert not driver.find_elements(By.ID, "new-key") and key not in driver.page_source, "the key is shown only once"
        assert merchant.server.api("GET", "/shipments", key)[0] == 200
        assert merchant.server.api("POST", "/shipments", key, {"tracking_number": "1Z999AA10123456785"})[0] == 403, "read only"
        row = button(driver, "main tbody tr", "Help desk")
        assert "read only" in row.text
        click(driver, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert merchant.server.api("GET", "/shipments", key)[0] == 401, "refused right after revoking"
        assert "revoked" in button(driver, "main tbody tr", "Help desk").text
        assert merchant.server.api("GET", "/shipments", merchant.key)[0] == 200, "the other key still works"

        # A second merchant with the same owner (the CLI still wants a password on stdin).
        assert not driver.find_elements(By.ID, "tenant-switch"), "no switch with one merchant"
        refused = run_cli("tenant", "create", "--slug", "globex", "--name", "Globex Corporation", "--owner-email", OWNER[0],
                          "--password-stdin", db=merchant.db, stdin="", check=False)
        assert refused.returncode != 0 and "password" in refused.stderr
        run_cli("tenant", "create", "--slug", "globex", "--name", "Globex Corporation", "--owner-email", OWNER[0], "--password-stdin",
                "--json", db=merchant.db, stdin="another long password\n")
        driver.get(merchant.url("/admin"))
        switch = Select(driver.find_element(By.ID, "tenant-switch"))
        assert sorted(o.text for o in switch.options) == ["Acme Outfitters", "Globex Corporation"]
        assert switch.first_selected_option.text == "Acme Outfitters"
        switch.select_by_visible_text("Globex Corporation")
        click(driver, button(driver, "form[action='/admin/tenant'] button"))
        assert driver.find_element(By.CSS_SELECTOR, ".admin-brand").text == "Waymark · Globex Corporation"
        assert "of the 0 shipments" in driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=deflection-heading]").text
        click(driver, button(driver, "header nav a", "Shipments"))
        assert "No shipments yet." in driver.find_element(By.TAG_NAME, "main").text, "Globex has none of Acme's shipments"
        Select(driver.find_element(By.ID, "tenant-switch")).select_by_visible_text("Acme Outfitters")
        click(driver, button(driver, "form[action='/admin/tenant'] button"))
        assert driver.find_element(By.CSS_SELECTOR, ".admin-brand").text == "Waymark · Acme Outfitters"

        # The owner's password is still their own, in a fresh browser.
        other = browser()
        try:
            sign_in(other, merchant, OWNER, lands_on="/admin")
        finally:
            other.quit()
    finally:
        driver.quit()


# Cookies, CSRF and the language, as the browser holds them.

def test_cookies_csrf_and_the_language_choice(acme):
    driver = browser()
    try:
        driver.get(acme.url("/admin/login"))
        form_cookie = driver.get_cookie("waymark_form")
        assert form_cookie and form_cookie["httpOnly"] and form_cookie["sameSite"] == "Lax" and not form_cookie["secure"]
        assert not [c for c in driver.get_cookies() if c["name"].startswith("__Host-")], "plain http on loopback: no __Host- prefix"
        sign_in(driver, acme, OWNER, lands_on="/admin")
        session = driver.get_cookie("waymark_session")
        assert session and session["httpOnly"] and session["sameSite"] == "Lax" and not session["secure"]
        assert driver.get_cookie("waymark_form") is None, "the sign-in form's cookie ends with the sign-in"

        driver.get(acme.url("/admin/shipments?lang=de"))
        assert driver.get_cookie("waymark_lang")["value"] == "de"
        driver.get(acme.url("/admin/team"))
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de" and heading(driver) == "Team"
        assert "Person einladen" in driver.find_element(By.TAG_NAME, "main").text
        click(driver, button(driver, "footer a[hreflang=ja]"))
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja" and driver.get_cookie("waymark_lang")["value"] == "ja"
        driver.get(acme.url("/admin/api-keys?lang=en"))

        # A form without its CSRF field is refused with 403, and nothing is made.
        keys = acme.sql("SELECT count(*) FROM api_key")[0][0]
        driver.find_element(By.ID, "key-name").send_keys("Forged")
        driver.execute_script("document.querySelector(\"form[action='/admin/api-keys'] input[name=csrf]\").remove()")
        click(driver, button(driver, "form[action='/admin/api-keys'] button"))
        assert http_status(driver) == 403 and heading(driver) == "Not allowed"
        assert acme.sql("SELECT count(*) FROM api_key")[0][0] == keys
        report = AxeReport()
        report.check(driver, "403 after a form without its CSRF field")
        report.assert_clean()
        # The same form with its field goes through.
        driver.get(acme.url("/admin/api-keys"))
        driver.find_element(By.ID, "key-name").send_keys("Not forged")
        click(driver, button(driver, "form[action='/admin/api-keys'] button"))
        assert http_status(driver) == 200 and driver.find_element(By.ID, "new-key").get_attribute("value").startswith("wm_")
        assert acme.sql("SELECT count(*) FROM api_key")[0][0] == keys + 1
    finally:
        driver.quit()


# 4. Without JavaScript.

def test_the_core_flows_work_without_javascript(merchant):
    owner = browser(javascript=False)
    agent = browser(javascript=False)
    try:
        sign_in(owner, merchant, OWNER, lands_on="/admin")
        owner.get(merchant.url("/admin/team"))
        owner.find_element(By.ID, "invite-email").send_keys("plain.agent@acme.test")
        click(owner, button(owner, "form[action='/admin/team/invitations'] button"))
        link = owner.find_element(By.ID, "invitation-link").get_attribute("value")
        assert not button(owner, "button.copy[data-copy=invitation-link]").is_displayed(), "no copy button without the script"

        agent.get(link)
        agent.find_element(By.ID, "password").send_keys("plain agent password")
        agent.find_element(By.ID, "confirm").send_keys("plain agent password")
        click(agent, button(agent, "main form button[type=submit]"))
        assert "You joined the team" in notice(agent)
        sign_in(agent, merchant, ("plain.agent@acme.test", "plain agent password"), lands_on="/admin/shipments")

        agent.find_element(By.ID, "q").send_keys("WM-20417")
        Select(agent.find_element(By.ID, "status")).select_by_value("out_for_delivery")
        click(agent, button(agent, "form[role=search] button[type=submit]"))
        query = urllib.parse.parse_qs(urllib.parse.urlparse(agent.current_url).query)
        assert query["q"] == ["WM-20417"] and query["status"] == ["out_for_delivery"]
        click(agent, button(agent, "main table tbody th a"))
        assert urllib.parse.urlparse(agent.current_url).path == f"/admin/shipments/{merchant.order['id']}"
        assert not any(b.is_displayed() for b in agent.find_elements(By.CSS_SELECTOR, "button.copy")), "no copy buttons without the script"
        assert agent.find_element(By.ID, "reply-text").get_attribute("value").startswith("You can follow order #WM-20417")
        click(agent, button(agent, "#reply nav a[hreflang=ja]"))
        assert agent.find_element(By.ID, "reply-text").get_attribute("value").startswith("ご注文 #WM-20417")
        click(agent, button(agent, "section[aria-labelledby=contact-heading] button"))
        assert SHOPPER in agent.find_element(By.CSS_SELECTOR, "section[aria-labelledby=contact-heading]").text
        click(agent, agent.find_elements(By.CSS_SELECTOR, f"form[action='/admin/shipments/{merchant.order['id']}/resend'] button")[0])
        assert "will be sent again" in notice(agent)

        click(agent, button(agent, "header form[action='/admin/logout'] button"))
        assert urllib.parse.urlparse(agent.current_url).path == "/admin/login"
        agent.get(merchant.url("/admin/shipments"))
        assert urllib.parse.urlparse(agent.current_url).path == "/admin/login", "signed out for good"
    finally:
        owner.quit()
        agent.quit()
