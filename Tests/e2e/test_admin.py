"""The merchant admin in a real Chromium, as a new user meets it: the demo's owner signs in,
invites an agent who joins by the emailed link, the agent finds an order three ways, copies its
reply in German and sends its last message again; the owner reads the dashboard, makes and revokes
an API key and switches merchants. axe-core checks every admin page for serious or critical
violations, in English, German and Japanese."""
import email
import email.policy
import pathlib
import re
import shutil
import sqlite3
import time
import urllib.parse
import urllib.request

import pytest

from conftest import run_cli

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
axe_module = pytest.importorskip("axe_selenium_python", reason="axe-selenium-python is not installed")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver")
if CHROMEDRIVER is None:
    pytest.skip("chromium-driver is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)


def browser(javascript=True):
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400"]:
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)


class Demo:
    """`serve --demo` with its mail going to a folder, and the logins its banner prints."""

    def __init__(self, tmp):
        from conftest import Server
        self.db = tmp / "waymark.sqlite"
        self.mail = tmp / "mail"
        self.server = Server(self.db, "--demo", env={"WAYMARK_DEMO_INTERVAL": "3600", "WAYMARK_MAIL_DIR": str(self.mail)})
        time.sleep(0.3)
        banner = self.server.output()
        self.owner = ("owner@acme.test", re.search(r"Owner login:.*\n\s+Password:\s+(\S+)", banner).group(1))
        self.agent = ("agent@acme.test", re.search(r"Agent login:.*\n\s+Password:\s+(\S+)", banner).group(1))
        assert f"{self.server.base}/admin/login" in banner

    def url(self, path):
        return self.server.base + path

    def shipment(self, where="1"):
        """(id, order number, email, tracking number) of a demo shipment."""
        return sqlite3.connect(self.db).execute(
            f"SELECT id, order_number, customer_email, tracking_number FROM shipment WHERE {where} ORDER BY order_number LIMIT 1").fetchone()

    def mailed_link(self, to):
        """The admin link in the newest email to `to`."""
        for _ in range(100):
            for path in sorted(self.mail.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if to in str(message["To"]):
                    text = message.get_body(preferencelist=("plain",)).get_content()
                    return re.search(r"https?://\S+/admin/\S+", text).group(0)
            time.sleep(0.1)
        raise AssertionError(f"no email to {to} in {self.mail}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    demo = Demo(tmp_path_factory.mktemp("admin"))
    yield demo
    demo.server.stop()


def sign_in(driver, demo, login):
    driver.get(demo.url("/admin/login"))
    driver.find_element(By.ID, "email").send_keys(login[0])
    driver.find_element(By.ID, "password").send_keys(login[1])
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    assert "/admin/login" not in driver.current_url, driver.page_source[:2000]


def serious_violations(driver):
    axe = axe_module.Axe(driver)
    axe.inject()
    results = axe.run()
    return [(v["id"], v["impact"], [(node["target"], node["html"][:200], node.get("failureSummary", "")[:300]) for node in v["nodes"]][:2])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")]


def assert_accessible(driver, path):
    violations = serious_violations(driver)
    assert violations == [], f"{path}: {violations}"


def create_key(driver, demo, name, scope):
    """Creates an API key on the admin's page; returns it as shown (once)."""
    driver.get(demo.url("/admin/api-keys"))
    driver.find_element(By.ID, "key-name").send_keys(name)
    Select(driver.find_element(By.ID, "key-scope")).select_by_value(scope)
    driver.find_element(By.CSS_SELECTOR, "form[action='/admin/api-keys'] button").click()
    key = driver.find_element(By.ID, "new-key").get_attribute("value")
    assert key.startswith("wm_")
    return key


def search(driver, demo, text):
    driver.get(demo.url("/admin/shipments"))
    field = driver.find_element(By.ID, "q")
    field.clear()
    field.send_keys(text)
    field.submit()
    return [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "table tbody th a")]


OWNER_PAGES = ["/admin", "/admin/shipments", "/admin/shipments?status=out_for_delivery", "/admin/shipments/{id}", "/admin/team",
               "/admin/data", "/admin/api-keys", "/admin/audit", "/admin/sessions", "/admin?lang=de", "/admin/shipments/{id}?lang=de",
               "/admin?lang=ja", "/admin/shipments/{id}?lang=ja&reply=ja", "/admin/shipments?q=zzzz-nothing"]


def test_every_admin_page_is_accessible(demo):
    shipment_id = demo.shipment()[0]
    driver = browser()
    try:
        for path in ["/admin/login", "/admin/password/forgot", "/admin/password/reset/" + "A" * 43, "/admin/invitations/" + "A" * 43]:
            driver.get(demo.url(path))
            assert driver.find_elements(By.TAG_NAME, "h1"), path
            assert_accessible(driver, path)
        sign_in(driver, demo, demo.owner)
        for path in OWNER_PAGES:
            path = path.replace("{id}", shipment_id)
            driver.get(demo.url(path))
            assert len(driver.find_elements(By.TAG_NAME, "h1")) == 1, path
            assert_accessible(driver, path)
        driver.get(demo.url("/admin?lang=en"))
    finally:
        driver.quit()

    agent = browser()
    try:
        sign_in(agent, demo, demo.agent)
        for path in ["/admin/shipments", f"/admin/shipments/{shipment_id}", "/admin/team"]:
            agent.get(demo.url(path))
            assert_accessible(agent, path)
        assert "Not allowed" in agent.find_element(By.TAG_NAME, "h1").text
    finally:
        agent.quit()


def test_reset_and_invitation_pages_with_live_links_are_accessible(demo):
    driver = browser()
    try:
        driver.get(demo.url("/admin/password/forgot"))
        driver.find_element(By.ID, "email").send_keys(demo.agent[0])
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        assert "a link is on its way" in driver.page_source
        link = demo.mailed_link(demo.agent[0])
        driver.get(link)
        assert driver.find_elements(By.ID, "password") and driver.find_elements(By.ID, "confirm")
        assert_accessible(driver, "reset page")
    finally:
        driver.quit()


def test_a_new_agent_joins_finds_an_order_copies_the_reply_and_resends(demo):
    owner = browser()
    agent = browser()
    try:
        sign_in(owner, demo, demo.owner)
        owner.get(demo.url("/admin/team"))
        owner.find_element(By.ID, "invite-email").send_keys("new.agent@acme.test")
        Select(owner.find_element(By.ID, "invite-role")).select_by_value("agent")
        owner.find_element(By.CSS_SELECTOR, "form[action='/admin/team/invitations'] button").click()
        shown = owner.find_element(By.ID, "invitation-link").get_attribute("value")
        assert shown == demo.mailed_link("new.agent@acme.test")

        agent.get(shown)
        assert "Acme Outfitters" in agent.page_source
        assert_accessible(agent, "invitation page")
        agent.find_element(By.ID, "password").send_keys("new agent password")
        agent.find_element(By.ID, "confirm").send_keys("new agent password")
        agent.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        assert "You joined the team" in agent.page_source
        sign_in(agent, demo, ("new.agent@acme.test", "new agent password"))
        assert agent.current_url.endswith("/admin/shipments")

        shipment_id, order, shopper, number = demo.shipment("customer_email IS NOT NULL AND status <> 'delivered'")
        target = f"/admin/shipments/{shipment_id}"
        # The carrier delivers it (through the API, with a key the owner makes): a message goes out.
        key = create_key(owner, demo, "Carrier feed", "read_write")
        occurred = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        code, body = demo.server.api("POST", f"/shipments/{shipment_id}/events", key, {
            "status": "delivered", "message": "Delivered", "occurred_at": occurred, "location": {"city": "Denver", "country": "US"}})
        assert code in (200, 201), body
        for text in [shopper.upper(), order, number[:7]]:
            found = search(agent, demo, text)
            assert any(href.endswith(target) for href in found), f"{text}: {found}"
        agent.get(demo.url(target))
        assert shopper not in agent.page_source, "the contact is masked"
        agent.find_element(By.CSS_SELECTOR, "a[hreflang=de][href*='reply=de']").click()
        reply = agent.find_element(By.ID, "reply-text").get_attribute("value")
        link = agent.find_element(By.ID, "reply-link").get_attribute("value")
        assert reply == f"Sie können die Bestellung #{order} hier verfolgen: {link}"
        assert link.endswith("?src=support") and "/acme/t/" in link

        # The copy button: shown by the script, puts the reply on the clipboard.
        agent.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": demo.server.base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        button = agent.find_element(By.CSS_SELECTOR, "button.copy[data-copy=reply-text]")
        assert button.is_displayed()
        button.click()
        status = agent.find_element(By.CSS_SELECTOR, "#reply [data-copied]")
        for _ in range(50):
            if status.text:
                break
            time.sleep(0.1)
        assert status.text == "Copied."
        clipboard = agent.execute_async_script("navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))")
        assert clipboard in (reply, None), clipboard  # headless Chromium may refuse to read it back

        # Send the newest message again.
        before = sqlite3.connect(demo.db).execute("SELECT count(*) FROM delivery WHERE shipment_id = ?", (shipment_id,)).fetchone()[0]
        assert before > 0, "the demo shipment has messages"
        agent.find_element(By.CSS_SELECTOR, "form[action$='/resend'] button").click()
        assert "will be sent again" in agent.page_source
        after = sqlite3.connect(demo.db).execute("SELECT count(*) FROM delivery WHERE shipment_id = ?", (shipment_id,)).fetchone()[0]
        assert after == before + 1

        agent.get(demo.url("/admin/team"))
        assert "Not allowed" in agent.find_element(By.TAG_NAME, "h1").text
        agent.get(demo.url("/admin/api-keys"))
        assert "Not allowed" in agent.find_element(By.TAG_NAME, "h1").text
    finally:
        owner.quit()
        agent.quit()


def test_the_owner_reads_the_dashboard_manages_keys_and_switches_merchants(demo):
    driver = browser()
    try:
        sign_in(driver, demo, demo.owner)
        driver.get(demo.url("/admin"))
        chart = driver.find_element(By.CSS_SELECTOR, "svg.chart")
        assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent").startswith("Tracking-page views per day")
        assert chart.find_element(By.TAG_NAME, "desc").get_attribute("textContent")
        assert len(chart.find_elements(By.TAG_NAME, "rect")) == 30
        assert re.search(r"\d+ %", driver.find_element(By.ID, "deflection-heading").find_element(By.XPATH, "..").text)

        key = create_key(driver, demo, "Help desk", "read_only")

        def api_status(method="GET"):
            request = urllib.request.Request(demo.url("/api/v1/shipments"), method=method, headers={"Authorization": f"Bearer {key}"},
                                             data=b"{}" if method == "POST" else None)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        assert api_status() == 200
        assert api_status("POST") == 403, "read-only"
        driver.get(demo.url("/admin/api-keys"))
        row = [tr for tr in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if "Help desk" in tr.text][0]
        row.find_element(By.CSS_SELECTOR, "button").click()
        assert api_status() == 401, "refused on the very next request"

        # A second merchant with the same owner: the header offers both.
        run_cli("tenant", "create", "--slug", "globex", "--name", "Globex", "--owner-email", "owner@acme.test", "--password-stdin",
                db=demo.db, stdin="ignored for an existing user\n")
        driver.get(demo.url("/admin"))
        Select(driver.find_element(By.ID, "tenant-switch")).select_by_visible_text("Globex")
        driver.find_element(By.CSS_SELECTOR, "form[action='/admin/tenant'] button").click()
        assert "Globex" in driver.find_element(By.CSS_SELECTOR, ".admin-brand").text
        Select(driver.find_element(By.ID, "tenant-switch")).select_by_visible_text("Acme Outfitters")
        driver.find_element(By.CSS_SELECTOR, "form[action='/admin/tenant'] button").click()
        assert "Acme Outfitters" in driver.find_element(By.CSS_SELECTOR, ".admin-brand").text
    finally:
        driver.quit()


def test_signing_in_and_searching_work_without_javascript(demo):
    driver = browser(javascript=False)
    try:
        sign_in(driver, demo, demo.agent)
        shipment_id, order, _, _ = demo.shipment()
        assert any(href.endswith(f"/admin/shipments/{shipment_id}") for href in search(driver, demo, order))
        driver.get(demo.url(f"/admin/shipments/{shipment_id}"))
        assert not driver.find_element(By.CSS_SELECTOR, "button.copy").is_displayed(), "no copy button without the script"
        assert driver.find_element(By.ID, "reply-text").get_attribute("value").startswith("You can follow order")
    finally:
        driver.quit()
