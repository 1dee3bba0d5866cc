"""The settings pages for providers, the custom domain and after delivery, in a real Chromium, as
a new owner meets them. Providers: an AfterShip secret is set and only ever shown as "set", a
Waymark secret is generated and read once, a bad one is refused naming the rule; a signed and a
forged AfterShip webhook then show as the last event and the last refused webhook. Domain: a
real DNS server (dnslib, in this process) first has no TXT record, so "Verify now" names what is
missing and the host serves nothing; with the record it verifies and a request with that Host
gets the merchant's pages, until the owner stops it. After delivery: an http:// link is refused,
https:// review and product links save, show on a delivered tracking page, redirect (303) through
/<slug>/go/<id> and their clicks reach the dashboard. axe-core finds no serious or critical
violation on the three pages (plain, with errors, with a secret or a claim shown) in English
and German; an agent gets 403 for every page and form; everything works with JavaScript off."""
import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse

import pytest

# test_admin skips this module too when selenium, axe or chromedriver is missing.
from test_admin import AGENT, OWNER, AxeReport, Merchant, Visitor, browser, button, click, heading, http_status, invited_agent, notice, sign_in, wait_for

from conftest import free_port
from peers import DNSPeer

from selenium.webdriver.common.by import By

PROVIDERS = "/admin/settings/providers"
DOMAIN = "/admin/settings/domain"
AFTER = "/admin/settings/after-delivery"
PROVIDER_NAMES = ["track123", "aftership", "17track", "easypost", "shippo", "waymark"]
AFTERSHIP_SECRET = "e2e-aftership-settings-secret"
HOST = "track.acme-shop.test"
RECORD = "_waymark." + HOST
WHEN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"
REVIEW_URL = "https://reviews.acme-outfitters.test/write?shop=acme"
BOOTS_URL = "https://shop.acme-outfitters.test/p/trail-runner-2"
BOOTS_IMAGE = "https://shop.acme-outfitters.test/img/trail-runner-2.jpg"
SOCKS_URL = "https://shop.acme-outfitters.test/p/wool-socks"


@pytest.fixture
def dns():
    """A DNS server on 127.0.0.1 whose TXT records a test changes as it goes."""
    pytest.importorskip("dnslib", reason="dnslib is not installed (pip install dnslib): the custom-domain tests need a real DNS server and are SKIPPED")
    peer = DNSPeer()
    yield peer
    peer.stop()


@pytest.fixture
def merchant(request, tmp_path, server_factory):
    """A merchant of its own (test_admin's). Provider registrations go to a closed local port,
    never to the real providers; a test that uses `dns` gets a server that asks it."""
    dead = f"http://127.0.0.1:{free_port()}"
    extra = {f"WAYMARK_{name}_URL": dead for name in ["TRACK123", "AFTERSHIP", "17TRACK", "EASYPOST", "SHIPPO"]}
    if "dns" in request.fixturenames:
        extra["WAYMARK_DNS_SERVER"] = request.getfixturevalue("dns").address
    return Merchant(tmp_path, lambda db, env=None: server_factory(db, env={**(env or {}), **extra}))


def path_of(driver):
    return urllib.parse.urlparse(driver.current_url).path


def card(driver, provider):
    return driver.find_element(By.ID, f"provider-{provider}")


def facts(element):
    """A card's <dl class="facts"> as {term: description}."""
    terms = element.find_elements(By.CSS_SELECTOR, "dl.facts > dt")
    descriptions = element.find_elements(By.CSS_SELECTOR, "dl.facts > dd")
    assert len(terms) == len(descriptions)
    return {dt.text.strip(): " ".join(dd.get_attribute("textContent").split()) for dt, dd in zip(terms, descriptions)}


def save_provider(driver, provider, secret=None, generate=False, register=None):
    """Fills one provider's form and saves it."""
    form = card(driver, provider).find_element(By.TAG_NAME, "form")
    if secret is not None:
        field = form.find_element(By.NAME, "secret")
        field.clear()
        field.send_keys(secret)
    if generate:
        form.find_element(By.NAME, "generate_secret").click()
    if register is not None:
        box = form.find_element(By.NAME, "register")
        if box.is_selected() != register:
            box.click()
    click(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def domain_form_button(driver):
    """The "Show the DNS records" button (the form around #domain)."""
    return driver.find_element(By.ID, "domain").find_element(By.XPATH, "./ancestor::form//button[@type='submit']")


def ask_for_domain(driver, text):
    field = driver.find_element(By.ID, "domain")
    field.clear()
    field.send_keys(text)
    click(driver, domain_form_button(driver))


def verify_now(driver):
    click(driver, button(driver, f"form[action='{DOMAIN}/verify'] button[type=submit]"))


def record_rows(driver):
    """The claim's table: [[name, type, value], ...]."""
    return [[td.text.strip() for td in row.find_elements(By.TAG_NAME, "td")]
            for row in driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=claim-heading] tbody tr")]


def on_host(merchant, path, host=HOST):
    """A plain HTTP request for `path` as a browser at `host` sends it."""
    return merchant.server.get(path, headers={"Host": host})


def fill(driver, field_id, text):
    field = driver.find_element(By.ID, field_id)
    field.clear()
    if text:
        field.send_keys(text)


def aftership_payload(event_id, tag):
    return json.dumps({
        "event": "tracking_update", "event_id": event_id, "ts": 1795780800,
        "msg": {"tracking_number": "1Z999AA10123456784", "slug": "ups", "tag": tag, "subtag": f"{tag}_001",
                "checkpoints": [{"checkpoint_time": "2026-11-27T08:00:00-07:00", "city": "Denver", "state": "CO", "country_region": "USA",
                                 "message": f"{tag} scan", "tag": tag, "subtag": f"{tag}_001"}]}}).encode()


def aftership_signature(body, secret):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# The flows, the same with or without JavaScript.

def providers_flow(driver, merchant):
    """Sets AfterShip's secret and registration, generates a Waymark secret, has a bad one
    refused; returns the generated secret."""
    driver.get(merchant.url(PROVIDERS))
    assert http_status(driver) == 200 and heading(driver) == "Tracking providers"
    cards = [c.get_attribute("id") for c in driver.find_elements(By.CSS_SELECTOR, "main section.card")]
    assert cards == [f"provider-{name}" for name in PROVIDER_NAMES], cards
    for name in PROVIDER_NAMES:
        shown = facts(card(driver, name))
        assert shown["Inbound URL"].startswith(f"{merchant.server.base}/hooks/{name}/acme"), (name, shown)
        assert shown["Last event received"] == "never", (name, shown)
        assert "Last refused webhook" not in shown, (name, shown)
    aftership = facts(card(driver, "aftership"))
    assert aftership["Webhook secret"] == "not set: webhooks are refused" and aftership["Register new shipments"] == "off", aftership
    assert "API key" not in facts(card(driver, "waymark")), "the generic feed registers nothing and has no API key"
    assert not card(driver, "waymark").find_elements(By.NAME, "register")

    # A secret of one's own: saved, then only ever "set".
    save_provider(driver, "aftership", secret=AFTERSHIP_SECRET, register=True)
    assert path_of(driver) == PROVIDERS and "saved=aftership" in driver.current_url, driver.current_url
    assert "AfterShip saved." in notice(driver)
    aftership = facts(card(driver, "aftership"))
    assert aftership["Webhook secret"] == "set" and aftership["Register new shipments"] == "on", aftership
    assert card(driver, "aftership").find_element(By.NAME, "register").is_selected()
    assert card(driver, "aftership").find_element(By.NAME, "secret").get_attribute("value") == "", "the field is empty again"
    assert AFTERSHIP_SECRET not in driver.page_source, "the secret is write-only"
    assert merchant.sql("SELECT secret, register FROM provider_account WHERE provider = 'aftership'") == [(AFTERSHIP_SECRET, 1)]

    # A generated secret: shown once, in its own field.
    save_provider(driver, "waymark", generate=True)
    assert http_status(driver) == 200 and "Waymark (generic feed) saved." in notice(driver)
    shown = driver.find_element(By.ID, "provider-waymark-new-secret")
    assert shown.get_attribute("readonly") is not None
    generated = shown.get_attribute("value")
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]+=*", generated), generated
    assert 24 <= len(base64.b64decode(generated.removeprefix("whsec_"))) <= 64
    assert len(driver.find_elements(By.CSS_SELECTOR, "[id$='-new-secret']")) == 1, "only the Waymark card shows a new secret"
    assert merchant.sql("SELECT secret FROM provider_account WHERE provider = 'waymark'") == [(generated,)]
    driver.get(merchant.url(PROVIDERS))
    assert not driver.find_elements(By.ID, "provider-waymark-new-secret") and generated not in driver.page_source, "shown only once"
    assert facts(card(driver, "waymark"))["Webhook secret"] == "set"

    # A secret the generic feed cannot use: 422, the rule named, nothing changed.
    save_provider(driver, "waymark", secret="whsec_dG9vIHNob3J0")
    assert http_status(driver) == 422 and path_of(driver) == f"{PROVIDERS}/waymark"
    errors = driver.find_element(By.ID, "provider-waymark-errors")
    assert errors.get_attribute("role") == "alert"
    assert "whsec_ followed by base64 of 24 to 64 bytes" in errors.text, errors.text
    assert card(driver, "waymark").find_element(By.NAME, "secret").get_attribute("aria-invalid") == "true"
    assert not driver.find_elements(By.ID, "provider-aftership-errors"), "only the card posted shows errors"
    assert merchant.sql("SELECT secret FROM provider_account WHERE provider = 'waymark'") == [(generated,)]
    assert generated not in driver.page_source and AFTERSHIP_SECRET not in driver.page_source
    return generated


def domain_flow(driver, merchant, dns):
    """Asks for the domain, verifies without the TXT record (refused, not served), then with it
    (served); returns the record's value."""
    token = urllib.parse.urlparse(merchant.order["tracking_url"]).path.rsplit("/", 1)[1]
    driver.get(merchant.url(DOMAIN))
    assert http_status(driver) == 200
    assert not driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=claim-heading]"), "nothing asked for yet"

    ask_for_domain(driver, "https://track.acme-shop.test/orders")
    assert http_status(driver) == 422
    assert "host name like track.example.com" in driver.find_element(By.ID, "domain-errors").text
    assert driver.find_element(By.ID, "domain").get_attribute("aria-invalid") == "true"
    assert merchant.sql("SELECT count(*) FROM domain_claim")[0][0] == 0

    ask_for_domain(driver, "Track.Acme-Shop.test")
    assert path_of(driver) == DOMAIN and http_status(driver) == 200
    rows = record_rows(driver)
    assert len(rows) == 2 and rows[0][:2] == [RECORD, "TXT"] and rows[1] == [HOST, "CNAME", "127.0.0.1"], rows
    value = rows[0][2]
    assert re.fullmatch(r"waymark-verification=[A-Za-z0-9_-]{22,}", value), value
    assert merchant.sql("SELECT domain, token FROM domain_claim") == [(HOST, value.split("=", 1)[1])]
    assert not driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=claim-heading] [role=status]"), "not checked yet"

    # Verify before the record exists: the problem is shown, the host serves nothing.
    asked = dns.asked(RECORD)
    verify_now(driver)
    assert path_of(driver) == DOMAIN and "verified" not in driver.current_url
    assert dns.asked(RECORD) > asked, "the server asked the DNS server of WAYMARK_DNS_SERVER"
    problem = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=claim-heading] [role=status]").text
    assert re.search(WHEN, problem) and f"no TXT record at {RECORD}" in problem, problem
    assert record_rows(driver)[0] == [RECORD, "TXT", value], "the same record to create"
    for path in ["/", f"/t/{token}"]:
        status, _, body = on_host(merchant, path)
        assert status == 404 and "Acme Outfitters" not in body, (path, status, body[:300])
    assert merchant.sql("SELECT custom_domain FROM tenant WHERE slug = 'acme'") == [(None,)]

    # The record appears: verified, served.
    dns.set(RECORD, ["v=spf1 -all", value])
    verify_now(driver)
    assert path_of(driver) == DOMAIN and "verified=1" in driver.current_url
    assert "Domain verified: your tracking pages are served there now." in notice(driver)
    served = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=served-heading]")
    assert served.find_element(By.CSS_SELECTOR, "a code").text == HOST
    assert served.find_element(By.TAG_NAME, "a").get_attribute("href") == f"http://{HOST}/"
    assert not driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=claim-heading]"), "the claim is done"
    status, _, body = on_host(merchant, "/")
    assert status == 200 and "<title>Track your order from Acme Outfitters</title>" in body, (status, body[:500])
    status, _, body = on_host(merchant, f"/t/{token}")
    assert status == 200 and "WM-20417" in body, (status, body[:500])
    assert on_host(merchant, "/", host=HOST.upper() + f":{merchant.server.port}")[0] == 200, "the Host header's case and port do not matter"
    assert on_host(merchant, "/", host="other.acme-shop.test")[0] == 404, "only the verified host"
    assert merchant.server.get("/acme")[0] == 200, "the Waymark address still serves"
    return value


def stop_serving(driver, merchant):
    click(driver, button(driver, f"section[aria-labelledby=served-heading] form[action='{DOMAIN}'] button[name=remove]"))
    assert path_of(driver) == DOMAIN
    assert not driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=served-heading] a code")
    assert on_host(merchant, "/")[0] == 404, "no longer served"
    assert merchant.sql("SELECT custom_domain FROM tenant WHERE slug = 'acme'") == [(None,)]


def after_delivery_flow(driver, merchant):
    """An http:// link refused, then the review and two products saved."""
    driver.get(merchant.url(AFTER))
    assert http_status(driver) == 200 and heading(driver) == "After delivery"
    assert driver.find_element(By.ID, "review-title").get_attribute("value") == "Leave a review", "a default title"
    fill(driver, "review-url", REVIEW_URL)
    fill(driver, "product-1-title", "Trail Runner 2")
    fill(driver, "product-1-url", BOOTS_URL.replace("https://", "http://"))
    fill(driver, "product-1-image", BOOTS_IMAGE)
    fill(driver, "product-2-title", "Wool Socks")
    fill(driver, "product-2-url", SOCKS_URL)
    click(driver, button(driver, f"main form[action='{AFTER}'] button[type=submit]"))
    assert http_status(driver) == 422 and path_of(driver) == AFTER
    errors = driver.find_element(By.ID, "after-delivery-errors").text
    assert "Product 1" in errors and "https://" in errors and "Product 2" not in errors, errors
    assert driver.find_element(By.ID, "product-1-url").get_attribute("value") == BOOTS_URL.replace("https://", "http://"), "what was typed stays"
    assert driver.find_element(By.ID, "product-2-title").get_attribute("value") == "Wool Socks"
    assert merchant.sql("SELECT count(*) FROM after_delivery_link")[0][0] == 0, "nothing saved"

    fill(driver, "product-1-url", BOOTS_URL)
    click(driver, button(driver, f"main form[action='{AFTER}'] button[type=submit]"))
    assert path_of(driver) == AFTER and "saved=1" in driver.current_url and "Settings saved." in notice(driver)
    assert driver.find_element(By.ID, "review-url").get_attribute("value") == REVIEW_URL
    assert driver.find_element(By.ID, "product-1-image").get_attribute("value") == BOOTS_IMAGE
    assert driver.find_element(By.ID, "product-2-url").get_attribute("value") == SOCKS_URL
    assert driver.find_element(By.ID, "product-3-title").get_attribute("value") == ""
    saved = merchant.sql("SELECT position, kind, title, url, image_url FROM after_delivery_link ORDER BY position")
    assert saved == [(0, "review", "Leave a review", REVIEW_URL, None), (1, "product", "Trail Runner 2", BOOTS_URL, BOOTS_IMAGE),
                     (2, "product", "Wool Socks", SOCKS_URL, None)], saved


# 1. The walkthroughs.

def test_the_owner_sets_provider_secrets_and_sees_webhooks_arrive(merchant):
    driver = browser()
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        # The settings' own menu leads to the three pages.
        click(driver, button(driver, "header nav a", "Settings"))
        labels = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav ul.settings-nav a")]
        assert labels == ["Notifications", "Branding", "After delivery", "Providers", "Domain"], labels
        for label, path in [("Domain", DOMAIN), ("After delivery", AFTER), ("Providers", PROVIDERS)]:
            click(driver, button(driver, "nav ul.settings-nav a", label))
            assert path_of(driver) == path and http_status(driver) == 200
            current = driver.find_elements(By.CSS_SELECTOR, "nav ul.settings-nav a[aria-current=page]")
            assert [a.text for a in current] == [label], [a.text for a in current]

        generated = providers_flow(driver, merchant)

        # AfterShip signs with the secret: one signed webhook, one forged.
        body = aftership_payload("settings-1", "InTransit")
        status, _, text = merchant.server.request("POST", "/hooks/aftership/acme", body,
                                                  {"aftership-hmac-sha256": aftership_signature(body, AFTERSHIP_SECRET)})
        assert status == 200, text
        forged = aftership_payload("settings-2", "Delivered")
        status, _, _ = merchant.server.request("POST", "/hooks/aftership/acme", forged,
                                               {"aftership-hmac-sha256": aftership_signature(forged, "not-the-secret")})
        assert status == 401
        driver.get(merchant.url(PROVIDERS))
        aftership = facts(card(driver, "aftership"))
        assert re.fullmatch(WHEN, aftership["Last event received"]), aftership
        refused = aftership.get("Last refused webhook", "")
        assert re.match(WHEN + ": ", refused), aftership
        assert "aftership-hmac-sha256 header does not match the body signed with the tenant's AfterShip webhook secret" in refused, refused
        assert facts(card(driver, "easypost"))["Last event received"] == "never"
        assert AFTERSHIP_SECRET not in driver.page_source and generated not in driver.page_source

        # The audit log says what changed, never the secrets.
        driver.get(merchant.url("/admin/audit"))
        log = driver.find_element(By.TAG_NAME, "main").text
        for entry in ["provider aftership: set the secret, registration on", "provider waymark: generated a new secret"]:
            assert entry in log, entry
        assert AFTERSHIP_SECRET not in driver.page_source and generated not in driver.page_source
    finally:
        driver.quit()
    assert AFTERSHIP_SECRET not in merchant.server.output() and generated not in merchant.server.output(), "no secret in the log"


def test_the_owner_proves_a_domain_through_dns_and_it_is_served(merchant, dns):
    driver = browser()
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        domain_flow(driver, merchant, dns)
        driver.get(merchant.url("/admin/audit"))
        log = driver.find_element(By.TAG_NAME, "main").text
        assert f"asked to serve the custom domain {HOST}" in log and f"verified the custom domain {HOST}; it is served there" in log
        driver.get(merchant.url(DOMAIN))
        stop_serving(driver, merchant)
    finally:
        driver.quit()


def test_delivered_pages_offer_the_links_and_count_their_clicks(merchant):
    driver = browser()
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        driver.get(merchant.url("/admin"))
        links_card = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=links-heading]")
        assert links_card.find_element(By.TAG_NAME, "h2").text == "Clicks on delivered pages"
        assert "No review or product links yet." in links_card.text
        after_delivery_flow(driver, merchant)

        # Not delivered yet: no links. Delivered: the review and both products.
        tracking = urllib.parse.urlparse(merchant.order["tracking_url"]).path
        driver.get(merchant.url(tracking))
        assert http_status(driver) == 200 and not driver.find_elements(By.CSS_SELECTOR, "section.after-links")
        merchant.event(merchant.order["id"], "delivered")
        driver.get(merchant.url(tracking))
        section = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "section.after-links"), what="the after-delivery links")[0]
        assert section.find_element(By.TAG_NAME, "h2").text == "More from Acme Outfitters"
        review = section.find_element(By.CSS_SELECTOR, "a.button")
        products = section.find_elements(By.CSS_SELECTOR, "ul.products li a")
        assert review.text == "Leave a review" and [p.text for p in products] == ["Trail Runner 2", "Wool Socks"]
        images = [[img.get_attribute("src") for img in p.find_elements(By.TAG_NAME, "img")] for p in products]
        assert images == [[BOOTS_IMAGE], []], images
        hrefs = [urllib.parse.urlparse(a.get_attribute("href")).path for a in [review, *products]]
        assert all(re.fullmatch(r"/acme/go/\d+", h) for h in hrefs) and len(set(hrefs)) == 3, hrefs
        assert REVIEW_URL not in driver.page_source and BOOTS_URL not in driver.page_source, "the page links only to the counting redirect"
        other = urllib.parse.urlparse(merchant.other["tracking_url"]).path
        assert "after-links" not in merchant.server.get(other)[2], "a shipment on its way shows none"

        # The links lead on with a 303 (followed here without a browser: the shop's hosts do not exist).
        review_href, boots_href, socks_href = hrefs
        for href, target, times in [(boots_href, BOOTS_URL, 2), (review_href, REVIEW_URL, 1)]:
            for _ in range(times):
                status, headers, _ = merchant.server.get(href)
                assert status == 303 and headers["Location"] == target and headers["Cache-Control"] == "no-store", (href, status, headers)
        status, headers, _ = merchant.server.request("HEAD", socks_href)
        assert status == 303 and headers["Location"] == SOCKS_URL, "a HEAD answers, but is no click"
        assert merchant.server.get("/acme/go/999999")[0] == 404, "no open redirect"

        # The counts are written from memory every few seconds; then the dashboard shows them.
        def counted():
            rows = merchant.sql("SELECT l.url, sum(c.clicks) FROM after_delivery_click c JOIN after_delivery_link l ON l.id = c.link_id GROUP BY l.url")
            return dict(rows) if dict(rows) == {BOOTS_URL: 2, REVIEW_URL: 1} else None
        wait_for(counted, timeout=30, what="the clicks to be written")
        driver.get(merchant.url("/admin"))
        rows = driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=links-heading] tbody tr")
        shown = [(row.find_element(By.TAG_NAME, "th").text, row.find_element(By.TAG_NAME, "td").text) for row in rows]
        assert shown == [(f"Leave a review {REVIEW_URL}", "1"), (f"Trail Runner 2 {BOOTS_URL}", "2"), (f"Wool Socks {SOCKS_URL}", "0")], shown
    finally:
        driver.quit()


# 2. Accessibility.

@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_settings_pages_are_accessible(merchant, dns, lang):
    report = AxeReport()
    driver = browser()
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        driver.get(merchant.url(f"{PROVIDERS}?lang={lang}"))
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        report.check(driver, f"providers ({lang})")
        save_provider(driver, "waymark", secret="whsec_short")
        assert http_status(driver) == 422 and driver.find_elements(By.ID, "provider-waymark-errors")
        report.check(driver, f"providers with an error ({lang})")
        save_provider(driver, "waymark", generate=True)
        assert driver.find_element(By.ID, "provider-waymark-new-secret").get_attribute("value").startswith("whsec_")
        report.check(driver, f"providers with a new secret ({lang})")

        driver.get(merchant.url(DOMAIN))
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        report.check(driver, f"domain ({lang})")
        ask_for_domain(driver, "not a host name")
        assert http_status(driver) == 422 and driver.find_elements(By.ID, "domain-errors")
        report.check(driver, f"domain with an error ({lang})")
        ask_for_domain(driver, HOST)
        verify_now(driver)
        assert driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=claim-heading] [role=status]")
        report.check(driver, f"domain waiting for DNS, checked ({lang})")
        dns.set(RECORD, [record_rows(driver)[0][2]])
        verify_now(driver)
        assert "verified=1" in driver.current_url
        report.check(driver, f"domain served ({lang})")

        driver.get(merchant.url(AFTER))
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        report.check(driver, f"after delivery ({lang})")
        fill(driver, "review-url", "http://reviews.acme-outfitters.test/")
        fill(driver, "product-1-url", "https://shop.acme-outfitters.test/p/1")
        click(driver, button(driver, f"main form[action='{AFTER}'] button[type=submit]"))
        assert http_status(driver) == 422 and driver.find_elements(By.ID, "after-delivery-errors")
        report.check(driver, f"after delivery with errors ({lang})")
    finally:
        driver.quit()
    report.assert_clean()


# 3. Agents may not.

def test_an_agent_may_not_open_or_post_the_settings(merchant):
    invited_agent(merchant, *AGENT)
    driver = browser()
    try:
        sign_in(driver, merchant, AGENT, lands_on="/admin/shipments")
        assert not driver.find_elements(By.CSS_SELECTOR, "ul.settings-nav")
        for path in [PROVIDERS, DOMAIN, AFTER]:
            driver.get(merchant.url(path))
            assert http_status(driver) == 403 and heading(driver) == "Not allowed", path
            assert not driver.find_elements(By.CSS_SELECTOR, "ul.settings-nav"), path
    finally:
        driver.quit()

    # The forms too, with the agent's own valid CSRF token.
    agent = Visitor(merchant)
    agent.sign_in(AGENT)
    _, _, html = agent.open("/admin/shipments")
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    for action, fields in [(f"{PROVIDERS}/aftership", {"secret": "agent-secret", "register": "on"}), (f"{PROVIDERS}/waymark", {"generate_secret": "on"}),
                           (DOMAIN, {"domain": HOST}), (f"{DOMAIN}/verify", {}), (AFTER, {"review_title": "Review", "review_url": REVIEW_URL})]:
        status, _, _ = agent.open(action, {**fields, "csrf": csrf})
        assert status == 403, (action, status)
    assert merchant.sql("SELECT count(*) FROM provider_account")[0][0] == 0
    assert merchant.sql("SELECT count(*) FROM domain_claim")[0][0] == 0
    assert merchant.sql("SELECT count(*) FROM after_delivery_link")[0][0] == 0


# 4. Without JavaScript.

def test_the_settings_pages_work_without_javascript(merchant, dns):
    driver = browser(javascript=False)
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        providers_flow(driver, merchant)
        driver.get(merchant.url(PROVIDERS))
        save_provider(driver, "waymark", generate=True)
        assert not driver.find_element(By.CSS_SELECTOR, "button.copy[data-copy=provider-waymark-new-secret]").is_displayed(), \
            "no copy button without the script; the field is there to select"
        domain_flow(driver, merchant, dns)
        stop_serving(driver, merchant)
        after_delivery_flow(driver, merchant)
    finally:
        driver.quit()
