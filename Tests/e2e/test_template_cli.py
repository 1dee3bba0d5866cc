"""`waymark template set/reset/list/check`: a merchant's own wording for a shopper message or section
of the tracking page, through the same check as the admin's editor."""
from conftest import create_tenant, expect_error, query, run_cli


def stored(db):
    return query(db, "SELECT channel, name, locale, subject, body FROM message_template ORDER BY channel")


def test_set_list_and_reset(db, tmp_path):
    create_tenant(db, "acme")
    html = tmp_path / "ofd.html"
    html.write_text("{{<emails.layout}}\n{{$extra}}<p>See you soon, {{merchantName}}</p>{{/extra}}\n{{/emails.layout}}\n")
    sms = tmp_path / "ofd.txt"
    sms.write_text("{{merchantName}}: {{line}} {{trackURL}}")

    run_cli("template", "set", "--tenant", "acme", "--channel", "email", "--name", "out_for_delivery", "--locale", "de",
            "--subject", "{{headline}}!", "--file", str(html), db=db)
    run_cli("template", "set", "--tenant", "acme", "--channel", "sms", "--name", "out_for_delivery", "--locale", "de",
            "--file", str(sms), db=db)
    listed = run_cli("template", "list", "--tenant", "acme", db=db).stdout

    assert stored(db) == [("email", "out_for_delivery", "de", "{{headline}}!", html.read_text()),
                          ("sms", "out_for_delivery", "de", None, sms.read_text())]
    assert "email/out_for_delivery/de\t" in listed and "sms/out_for_delivery/de\t" in listed

    out = run_cli("template", "reset", "--tenant", "acme", "--channel", "email", "--name", "out_for_delivery", "--locale", "de", db=db)
    assert "default" in out.stdout
    assert [row[0] for row in stored(db)] == ["sms"]


def test_bad_templates_are_refused_with_the_line(db, tmp_path):
    create_tenant(db, "acme")
    bad = tmp_path / "bad.html"
    bad.write_text("<p>Hello</p>\n<p>{{{trackURL}}}</p>\n")
    big = tmp_path / "big.html"
    big.write_text("<p>x</p>\n" * 20_000)

    def set_(*args):
        return run_cli("template", "set", "--tenant", "acme", *args, db=db, check=False)

    expect_error(set_("--channel", "email", "--name", "delivered", "--locale", "en", "--file", str(bad)), "line 2", "unescaped")
    expect_error(set_("--channel", "email", "--name", "delivered", "--locale", "en", "--file", str(big)), "65536")
    expect_error(set_("--channel", "fax", "--name", "delivered", "--locale", "en", "--file", str(bad)), "--channel")
    expect_error(set_("--channel", "email", "--name", "nope", "--locale", "en", "--file", str(bad)), "--name", "out_for_delivery")
    expect_error(set_("--channel", "email", "--name", "delivered", "--locale", "sv", "--file", str(bad)), "--locale")
    expect_error(set_("--channel", "sms", "--name", "delivered", "--locale", "en", "--subject", "x", "--file", str(bad)), "--subject")
    expect_error(set_("--channel", "email", "--name", "delivered", "--locale", "en", "--file", str(tmp_path / "missing")), "missing")
    expect_error(run_cli("template", "reset", "--tenant", "nobody", "--channel", "email", "--name", "delivered", "--locale", "en",
                         db=db, check=False), "nobody")
    assert stored(db) == []


def test_sections_are_checked_like_the_editor_and_old_templates_are_reported(db, tmp_path):
    create_tenant(db, "acme")
    banner = tmp_path / "banner.html"
    banner.write_text("<p>Holiday hours</p>\n  <script>alert(1)</script>\n")
    refused = run_cli("template", "set", "--tenant", "acme", "--section", "banner", "--locale", "en", "--file", str(banner), db=db, check=False)
    expect_error(refused, "line 2, column 3", "<script> is not allowed")
    banner.write_text('<p class="holiday">Orders after Dec 18 arrive in January, {{merchantName}}.</p>\n')
    run_cli("template", "set", "--tenant", "acme", "--section", "banner", "--locale", "en", "--file", str(banner), db=db)
    assert "page/banner/en\t" in run_cli("template", "list", "--tenant", "acme", db=db).stdout

    # A template saved before today's rules (written straight into the file, as an older
    # version would have): still stored, and reported by `check` with its place.
    query(db, "INSERT INTO message_template (tenant_id, channel, name, locale, subject, body, updated_at) "
              "SELECT id, 'email', 'delivered', 'en', NULL, ?, '2026-01-01T00:00:00Z' FROM tenant", "<p>Hi</p>\n<img src=x onerror=alert(1)>")
    checked = run_cli("template", "check", db=db, check=False)
    assert checked.returncode == 1, checked
    assert "acme email/delivered/en:" in checked.stdout
    assert "line 2, column 12: event handler attributes such as onerror" in checked.stdout
    assert "2 template(s) checked, 1 would be refused today" in checked.stdout
    assert [row[1] for row in stored(db)] == ["delivered"]
    run_cli("template", "reset", "--tenant", "acme", "--channel", "email", "--name", "delivered", "--locale", "en", db=db)
    assert run_cli("template", "check", "--tenant", "acme", db=db).returncode == 0
