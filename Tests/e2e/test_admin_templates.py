"""The template editor (/admin/templates) in a real Chromium, as a new owner meets it: a tracking-page
banner with a <script> is refused naming its line, a valid one shows in the sandboxed preview frame
and, once saved, on the shipment's live tracking page; an email with an unknown field is refused, a
valid one saves and its test lands in the owner's mail folder with "[Test]"; two banner versions
are compared (an added and a removed line), the first restored and then Waymark's default put back,
each seen on the live page. axe-core finds no serious or critical violation on the list, the email,
text and section editors, the problems and the preview, in English and German; an agent gets 403;
the banner's save and preview work the same with JavaScript turned off."""
import urllib.parse

import pytest

# test_admin skips this module too when selenium, axe or chromedriver is missing.
from test_admin import AGENT, OWNER, AxeReport, Merchant, browser, button, click, heading, http_status, invited_agent, notice, sign_in, wait_for

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BANNER = "/admin/templates/page/banner/en"
EMAIL = "/admin/templates/email/delivered/en"
BROKEN = "<p>Holiday hours</p>\n<script>alert(1)</script>"
HOLIDAY = '<p class="holiday">Orders after Dec 18 arrive in January.</p>'
SECOND = '<p class="holiday">Orders after Dec 20 arrive in January.</p>'
LETTER = '{{<emails.layout}}{{$extra}}<p class="note">Thank you for shopping at {{merchantName}}.</p>{{/extra}}{{/emails.layout}}'


@pytest.fixture
def merchant(tmp_path, server_factory):
    """A merchant of its own (test_admin's: CLI tenant, REST shipments, mail to a folder)."""
    return Merchant(tmp_path, lambda db, env: server_factory(db, env=env))


def path_of(driver):
    return urllib.parse.urlparse(driver.current_url).path


def type_body(driver, text):
    area = driver.find_element(By.ID, "body")
    area.clear()
    area.send_keys(text)


def press(driver, action):
    """Clicks the editor's Preview, Save or Send-a-test button and waits for the answer."""
    click(driver, button(driver, f"form.editor-form button[name=action][value={action}]"))


def problems(driver):
    return driver.find_element(By.CSS_SELECTOR, "#problems").text


def preview_banner(driver):
    """The banner's text inside the sandboxed preview frame."""
    frame = driver.find_element(By.CSS_SELECTOR, "iframe.preview-frame")
    assert frame.get_attribute("sandbox") == "", "sandboxed, nothing allowed"
    driver.switch_to.frame(frame)
    try:
        return wait_for(lambda: " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".merchant-banner")), what="the banner in the preview")
    finally:
        driver.switch_to.default_content()


def live_banner(driver, merchant):
    """The banner on the shipment's live tracking page ("" when there is none)."""
    driver.get(merchant.url(urllib.parse.urlparse(merchant.order["tracking_url"]).path))
    assert http_status(driver) == 200
    return " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".merchant-banner"))


def save_refused_then_preview_then_save(driver, merchant):
    """The banner's way through the editor, the same with or without JavaScript."""
    driver.get(merchant.url(BANNER))
    type_body(driver, BROKEN)
    press(driver, "save")
    assert http_status(driver) == 422 and path_of(driver) == BANNER
    assert "line 2" in problems(driver) and "<script> is not allowed" in problems(driver), problems(driver)
    assert driver.find_element(By.ID, "body").get_attribute("aria-invalid") == "true"
    assert not driver.find_elements(By.CSS_SELECTOR, "iframe.preview-frame"), "no preview of a refused template"
    assert merchant.sql("SELECT count(*) FROM template_version")[0][0] == 0, "a refused template saves no version"

    type_body(driver, HOLIDAY)
    Select(driver.find_element(By.ID, "status")).select_by_value("delivered")
    press(driver, "preview")
    src = driver.find_element(By.CSS_SELECTOR, "iframe.preview-frame").get_attribute("src")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(src).query)
    assert urllib.parse.urlparse(src).path == BANNER + "/preview" and query["status"] == ["delivered"] and query.get("draft"), src
    assert "Orders after Dec 18 arrive in January." in preview_banner(driver)
    assert merchant.sql("SELECT count(*) FROM template_version")[0][0] == 0, "a preview saves nothing"

    # The frame's document, fetched with the browser's session: no script may run in it.
    session = driver.get_cookie("waymark_session")["value"]
    status, headers, html = merchant.server.get(urllib.parse.urlparse(src).path + "?" + urllib.parse.urlparse(src).query,
                                                headers={"Cookie": f"waymark_session={session}"})
    policy = headers.get("Content-Security-Policy", "")
    assert status == 200 and policy.startswith("sandbox; default-src 'none'") and "script-src" not in policy, policy
    assert '<div class="merchant-banner"><p class="holiday">Orders after Dec 18 arrive in January.</p>' in html

    assert driver.find_element(By.ID, "body").get_attribute("value") == HOLIDAY, "the draft stays in the form"
    press(driver, "save")
    assert path_of(driver) == BANNER and "saved=1" in driver.current_url and "Template saved." in notice(driver)
    assert driver.find_element(By.ID, "body").get_attribute("value").strip() == HOLIDAY
    assert live_banner(driver, merchant) == "Orders after Dec 18 arrive in January."


# 1. The walkthrough.

def test_a_new_owner_edits_the_banner_and_an_email_then_rolls_back(merchant):
    driver = browser()
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        click(driver, button(driver, "header nav a[href='/admin/templates']"))
        assert not driver.find_elements(By.CSS_SELECTOR, "main .tag"), "nothing customized yet"
        click(driver, button(driver, f"main a[href='{BANNER}']"))
        assert path_of(driver) == BANNER
        save_refused_then_preview_then_save(driver, merchant)
        driver.get(merchant.url("/admin/templates?locale=en"))
        banner_row = button(driver, "section[aria-labelledby=sections-heading] tbody tr", "Banner")
        assert "Customized" in banner_row.text, banner_row.text

        # An email: an unknown field is refused by name, a valid one saves, a test goes to the owner.
        driver.get(merchant.url(EMAIL))
        assert driver.find_element(By.ID, "subject") and driver.find_element(By.ID, "text")
        type_body(driver, LETTER.replace("{{merchantName}}", "{{shopperName}}"))
        press(driver, "save")
        assert http_status(driver) == 422 and "{{shopperName}} is not a field" in problems(driver), problems(driver)
        assert driver.find_element(By.ID, "body").get_attribute("aria-invalid") == "true"
        type_body(driver, LETTER)
        press(driver, "save")
        assert "saved=1" in driver.current_url and "Template saved." in notice(driver)
        before = len(merchant.emails_to(OWNER[0]))
        press(driver, "test")
        assert f"A test email was sent to {OWNER[0]}." in notice(driver)
        test = wait_for(lambda: merchant.emails_to(OWNER[0])[before:], what="the test email")[-1]
        raw = [p.read_text("latin-1").lower() for p in merchant.mail.glob("*.eml") if OWNER[0] in p.read_text("latin-1")]
        assert len(raw) == 1 and "\nsubject: =?utf-8?" in raw[0], "the subject (with its dash) is RFC 2047-encoded"
        assert str(test["Subject"]) == "[Test] Your package has been delivered – order 1001", test["Subject"]
        assert "Thank you for shopping at Acme Outfitters." in test.get_body(preferencelist=("html",)).get_content()

        # Roll back: a second banner, the diff of the two, the first restored, then the default.
        driver.get(merchant.url(BANNER))
        type_body(driver, SECOND)
        press(driver, "save")
        assert live_banner(driver, merchant) == "Orders after Dec 20 arrive in January."
        driver.get(merchant.url(BANNER))
        first = driver.find_element(By.CSS_SELECTOR, "input[type=radio][name=from]:checked").get_attribute("value")
        newest = driver.find_element(By.CSS_SELECTOR, "input[type=radio][name=to]:checked").get_attribute("value")
        assert len(driver.find_elements(By.CSS_SELECTOR, "input[type=radio][name=from]")) == 2 and first != newest
        click(driver, button(driver, "section[aria-labelledby=history-heading] form[method=get] button", "Compare"))
        removed = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "table.diff tr.diff-removed")]
        added = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "table.diff tr.diff-added")]
        assert any("Dec 18" in r for r in removed) and any("Dec 20" in a for a in added), (removed, added)
        Select(driver.find_element(By.ID, "restore-version")).select_by_value(first)
        click(driver, button(driver, "section[aria-labelledby=history-heading] form[method=post] button", "Restore"))
        assert "restored=1" in driver.current_url and "Template restored." in notice(driver)
        assert driver.find_element(By.ID, "body").get_attribute("value").strip() == HOLIDAY
        assert live_banner(driver, merchant) == "Orders after Dec 18 arrive in January."
        driver.get(merchant.url(BANNER))
        click(driver, button(driver, "form.reset button", "Reset to Waymark's default"))
        assert not driver.find_elements(By.CSS_SELECTOR, "form.reset"), "nothing left to reset"
        assert live_banner(driver, merchant) == "", "the default shows no banner"
    finally:
        driver.quit()


# 2. Accessibility.

@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_template_pages_are_accessible(merchant, lang):
    report = AxeReport()
    driver = browser()
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        driver.get(merchant.url(f"/admin/templates?locale=en&lang={lang}"))
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        assert len(driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=sections-heading] tbody tr")) == 4
        report.check(driver, f"template list ({lang})")
        for path in [EMAIL, "/admin/templates/sms/out_for_delivery/en"]:
            driver.get(merchant.url(path))
            assert http_status(driver) == 200 and driver.find_elements(By.CSS_SELECTOR, "iframe.preview-frame"), path
            report.check(driver, f"{path} ({lang})")
        driver.get(merchant.url(BANNER))
        type_body(driver, BROKEN)
        press(driver, "save")
        assert http_status(driver) == 422 and driver.find_elements(By.CSS_SELECTOR, "#problems ol.listing li.has-problem")
        report.check(driver, f"banner editor with problems ({lang})")
        type_body(driver, HOLIDAY)
        press(driver, "preview")
        assert "January" in preview_banner(driver)
        report.check(driver, f"banner editor with a preview ({lang})")
    finally:
        driver.quit()
    report.assert_clean()


# 3. Agents may not.

def test_an_agent_may_not_edit_templates(merchant):
    invited_agent(merchant, *AGENT)
    driver = browser()
    try:
        sign_in(driver, merchant, AGENT, lands_on="/admin/shipments")
        assert "/admin/templates" not in [a.get_attribute("pathname") for a in driver.find_elements(By.CSS_SELECTOR, "header nav a")]
        for path in ["/admin/templates", BANNER, EMAIL, BANNER + "/preview?status=in_transit"]:
            driver.get(merchant.url(path))
            assert http_status(driver) == 403 and heading(driver) == "Not allowed", path
    finally:
        driver.quit()


# 4. Without JavaScript.

def test_the_banner_saves_and_previews_without_javascript(merchant):
    driver = browser(javascript=False)
    try:
        sign_in(driver, merchant, OWNER, lands_on="/admin")
        save_refused_then_preview_then_save(driver, merchant)
    finally:
        driver.quit()
