"""The shopper's pages in a real Chromium: three languages, the lookup form with JavaScript
turned off, and axe-core finding no serious or critical accessibility violation."""
import shutil
import urllib.parse

import pytest

from conftest import query, tracking_links

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
axe_module = pytest.importorskip("axe_selenium_python", reason="axe-selenium-python is not installed")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver")
if CHROMEDRIVER is None:
    pytest.skip("chromium-driver is not installed (apt-get install chromium chromium-driver)", allow_module_level=True)


def browser(javascript=True, width=1200):
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},1400"]:
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from conftest import Server, drop_database, new_database
    db = new_database(tmp_path_factory.mktemp("browser"))
    server = Server(db, "--demo", env={"WAYMARK_DEMO_INTERVAL": "3600"})
    import time
    time.sleep(0.3)
    links = [urllib.parse.urlparse(link).path for link in tracking_links(server.output())]
    yield server, links, db
    server.stop()
    drop_database(db)


def serious_violations(driver):
    axe = axe_module.Axe(driver)
    axe.inject()
    results = axe.run()
    return [(v["id"], v["impact"], v["help"]) for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang,headline_word", [("en", "Order"), ("de", "Bestellung"), ("ja", "注文")])
def test_tracking_page_in_three_languages_is_accessible(demo, lang, headline_word):
    server, links, _ = demo
    driver = browser()
    try:
        driver.get(f"{server.base}{links[2]}?lang={lang}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        assert len(driver.find_elements(By.TAG_NAME, "h1")) == 1
        assert headline_word in driver.find_element(By.CLASS_NAME, "order").text
        assert driver.find_elements(By.CSS_SELECTOR, "ol.timeline time[datetime]")
        assert driver.find_elements(By.CSS_SELECTOR, "main") and driver.find_elements(By.CSS_SELECTOR, "header") and driver.find_elements(By.CSS_SELECTOR, "footer")
        assert serious_violations(driver) == []
    finally:
        driver.quit()


@pytest.mark.parametrize("path", ["/acme", "/acme?lang=zh-Hans", "/acme/t/AAAAAAAAAAAAAAAAAAAAAAAA", "/nobody"])
def test_other_shopper_pages_are_accessible(demo, path):
    server, _, _ = demo
    driver = browser(width=390)
    try:
        driver.get(server.base + path)
        assert serious_violations(driver) == []
    finally:
        driver.quit()


def test_lookup_form_works_without_javascript(demo):
    server, _, db = demo
    order, email = query(db, "SELECT order_number, customer_email FROM shipment WHERE status = 'out_for_delivery' LIMIT 1")[0]
    driver = browser(javascript=False)
    try:
        driver.get(server.base + "/acme?lang=fr")
        driver.find_element(By.ID, "order_number").send_keys(order)
        driver.find_element(By.ID, "email").send_keys(email.upper())
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        # A click on a submit button returns before the POST and its 303 have finished loading.
        WebDriverWait(driver, 15).until(expected_conditions.url_contains("/acme/t/"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "En cours de livraison"
        assert order in driver.find_element(By.CLASS_NAME, "order").text

        driver.get(server.base + "/acme")
        driver.find_element(By.ID, "order_number").send_keys(order)
        driver.find_element(By.ID, "email").send_keys("wrong@example.com")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        alert = WebDriverWait(driver, 15).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[role=alert]")))
        assert "could not find" in alert.text
    finally:
        driver.quit()


def unsubscribe_path(db):
    token, = query(db,
        "SELECT s.unsubscribe_token FROM subscription s JOIN shipment h ON h.id = s.shipment_id JOIN tenant t ON t.id = h.tenant_id "
        "WHERE t.slug = 'acme' AND s.channel = 'email' ORDER BY s.id LIMIT 1")[0]
    return f"/acme/unsubscribe/{token}"


@pytest.mark.parametrize("lang", ["en", "pl", "zh-Hans"])
def test_unsubscribe_page_is_accessible(demo, lang):
    server, _, db = demo
    driver = browser(width=390)
    try:
        driver.get(f"{server.base}{unsubscribe_path(db)}?lang={lang}")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        assert len(driver.find_elements(By.CSS_SELECTOR, "form.unsubscribe-form button[type=submit]")) == 2
        assert serious_violations(driver) == []
    finally:
        driver.quit()


def test_subscribe_form_works_without_javascript(demo):
    server, links, _ = demo
    driver = browser(javascript=False)
    try:
        driver.get(f"{server.base}{links[2]}?lang=en")
        driver.find_element(By.ID, "subscribe-email").send_keys("browser.shopper@example.com")
        driver.find_element(By.CSS_SELECTOR, "form.subscribe-form button[type=submit]").click()
        WebDriverWait(driver, 15).until(expected_conditions.url_contains("subscribed=1"))
        assert "Thank you" in driver.find_element(By.CSS_SELECTOR, "section.subscribe [role=status]").text
    finally:
        driver.quit()
