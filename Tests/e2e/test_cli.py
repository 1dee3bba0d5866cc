"""The operator's command line: every command works with --db, and every mistake is one clear
line on stderr with a non-zero exit."""
import json
import re
import sqlite3
import subprocess

import pytest

from conftest import POSTGRES, create_tenant, expect_error, query, run_cli
from peers import DNSPeer


def dump(db):
    """Everything stored, as text: SQLite's .dump, or pg_dump of the PostgreSQL database."""
    if POSTGRES:
        return subprocess.run(["pg_dump", "--no-owner", str(db)], capture_output=True, text=True, timeout=120, check=True).stdout
    return "\n".join(sqlite3.connect(db).iterdump())


def tables(db):
    if POSTGRES:
        return {r[0] for r in query(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    return {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type='table'")}


def test_tenant_create_prints_tenant_and_a_key_that_is_stored_only_hashed(db):
    out = create_tenant(db, "acme", name="Acme Outfitters")
    assert out["tenant"]["slug"] == "acme"
    assert out["tenant"]["name"] == "Acme Outfitters"
    key = out["api_key"]
    assert key.startswith("wm_") and len(key) >= 40
    stored = dump(db)
    assert "tenant" in stored and "acme" in stored, "the dump holds the data"
    assert key not in stored
    assert "a long enough password" not in stored


def test_migrate_creates_the_schema(db):
    result = run_cli("migrate", db=db)
    assert "up to date" in result.stdout
    assert {"tenant", "user", "membership", "api_key", "shipment", "checkpoint", "subscription"} <= tables(db)


def test_tenant_create_errors_are_one_clear_line(db):
    create_tenant(db, "acme")
    args = ["tenant", "create", "--name", "X", "--password-stdin"]
    expect_error(run_cli(*args, "--slug", "acme", "--owner-email", "a@b.test", db=db, stdin="long password 1\n", check=False), "already exists")
    expect_error(run_cli(*args, "--slug", "admin", "--owner-email", "a@b.test", db=db, stdin="long password 1\n", check=False), "reserved")
    expect_error(run_cli(*args, "--slug", "Bad_Slug", "--owner-email", "a@b.test", db=db, stdin="long password 1\n", check=False), "lowercase")
    expect_error(run_cli(*args, "--slug", "newco", "--owner-email", "not-an-email", db=db, stdin="long password 1\n", check=False), "email")
    expect_error(run_cli(*args, "--slug", "newco", "--owner-email", "a@b.test", db=db, stdin="short\n", check=False), "at least")
    expect_error(run_cli(*args, "--slug", "newco", "--owner-email", "a@b.test", db=db, stdin="", check=False), "password")
    # Nothing half-written.
    assert query(db, "SELECT count(*) FROM tenant")[0][0] == 1


def test_shipment_create_prints_the_api_shape_and_link(db):
    create_tenant(db, "acme")
    out = json.loads(run_cli("shipment", "create", "--tenant", "acme", "--tracking-number", "1Z999AA10123456784",
                             "--carrier", "ups", "--order-number", "A-1", "--email", "jane@example.com", "--json",
                             "--base-url", "https://track.example.com", db=db).stdout)
    assert out["id"].startswith("shp_")
    assert out["status"] == "pending"
    assert out["carrier"] == "ups"
    assert out["tracking_url"].startswith("https://track.example.com/acme/t/")
    assert out["checkpoints"] == []
    for key in ["tracking_number", "order_number", "customer", "destination", "created_at", "updated_at", "metadata"]:
        assert key in out


def test_shipment_create_errors(db):
    create_tenant(db, "acme")
    base = ["shipment", "create", "--tracking-number", "ABC123"]
    expect_error(run_cli(*base, "--tenant", "ghost", db=db, check=False), "no tenant", "ghost")
    expect_error(run_cli(*base, "--tenant", "acme", "--email", "nope", db=db, check=False), "--email")
    expect_error(run_cli(*base, "--tenant", "acme", "--carrier", "pigeon", db=db, check=False), "carrier")
    expect_error(run_cli("shipment", "create", "--tenant", "acme", "--tracking-number", "<script>", db=db, check=False), "tracking")
    run_cli(*base, "--tenant", "acme", db=db)
    expect_error(run_cli(*base, "--tenant", "acme", db=db, check=False), "already exists")


def test_set_domain_asks_for_a_txt_record_and_verify_domain_looks_it_up(db):
    """set-domain only records the claim and prints the TXT record; verify-domain asks a real
    DNS server (dnslib, in this process) and serves the domain only when the record is there."""
    pytest.importorskip("dnslib", reason="dnslib is not installed (pip install dnslib): verify-domain needs a real DNS server; SKIPPED")
    create_tenant(db, "acme")
    create_tenant(db, "globex")
    out = run_cli("tenant", "set-domain", "--tenant", "acme", "--domain", "Track.Acme.Test", db=db).stdout
    match = re.search(r'^  (\S+)  TXT  "(waymark-verification=[A-Za-z0-9_-]{22,})"$', out, re.M)
    assert match, out
    name, value = match.groups()
    assert name == "_waymark.track.acme.test" and "verify-domain --tenant acme" in out, out
    assert query(db, "SELECT domain, token FROM domain_claim") == [("track.acme.test", value.split("=", 1)[1])]
    assert query(db, "SELECT custom_domain FROM tenant WHERE slug = 'acme'") == [(None,)], "not served before the proof"

    dns = DNSPeer()
    try:
        verify = ["tenant", "verify-domain", "--tenant", "acme", "--dns-server", dns.address]
        expect_error(run_cli(*verify, db=db, check=False), "track.acme.test is not verified", f"no TXT record at {name}")
        assert dns.asked(name) >= 1, "the lookup went to --dns-server"
        dns.set(name, ["waymark-verification=someone-elses-token-0000"])
        expect_error(run_cli(*verify, db=db, check=False), f"do not hold {value}", "someone-elses-token")
        assert query(db, "SELECT custom_domain FROM tenant WHERE slug = 'acme'") == [(None,)]
        problem, = query(db, "SELECT checked_at, problem FROM domain_claim")
        assert problem[0] and "do not hold" in problem[1], "the failed check is kept for the admin page"

        dns.set(name, ["v=spf1 -all", value])
        # WAYMARK_DNS_SERVER names the server when --dns-server does not.
        out = run_cli("tenant", "verify-domain", "--tenant", "acme", db=db, env={"WAYMARK_DNS_SERVER": dns.address}).stdout
        assert "Tenant 'acme' is served at" in out and "track.acme.test" in out, out
        assert query(db, "SELECT custom_domain FROM tenant WHERE slug = 'acme'") == [("track.acme.test",)]
        assert query(db, "SELECT count(*) FROM domain_claim") == [(0,)], "the claim is done"
        expect_error(run_cli(*verify, db=db, check=False), "asked for no domain", "set-domain")

        # Another tenant cannot claim it, nor prove it; nothing changes.
        expect_error(run_cli("tenant", "set-domain", "--tenant", "globex", "--domain", "track.acme.test", db=db, check=False),
                     "track.acme.test", "already serves another tenant")
        assert query(db, "SELECT count(*) FROM domain_claim") == [(0,)]
        expect_error(run_cli("tenant", "verify-domain", "--tenant", "globex", "--dns-server", dns.address, db=db, check=False), "asked for no domain")
    finally:
        dns.stop()

    # An empty --domain stops serving; then globex may ask for it.
    assert "no longer has a custom domain" in run_cli("tenant", "set-domain", "--tenant", "acme", "--domain", "", db=db).stdout
    assert query(db, "SELECT custom_domain FROM tenant WHERE slug = 'acme'") == [(None,)]
    assert "_waymark.track.acme.test  TXT" in run_cli("tenant", "set-domain", "--tenant", "globex", "--domain", "track.acme.test", db=db).stdout


def test_set_domain_and_verify_domain_errors(db):
    create_tenant(db, "acme")
    expect_error(run_cli("tenant", "set-domain", "--tenant", "acme", "--domain", "https://x.test/path", db=db, check=False), "host name")
    expect_error(run_cli("tenant", "set-domain", "--tenant", "acme", "--domain", "192.168.1.10", db=db, check=False), "host name")
    expect_error(run_cli("tenant", "set-domain", "--tenant", "ghost", "--domain", "x.test", db=db, check=False), "no tenant")
    expect_error(run_cli("tenant", "verify-domain", "--tenant", "ghost", "--dns-server", "127.0.0.1:53", db=db, check=False), "no tenant")
    expect_error(run_cli("tenant", "verify-domain", "--tenant", "acme", "--dns-server", "127.0.0.1:53", db=db, check=False), "asked for no domain")
    expect_error(run_cli("tenant", "verify-domain", "--tenant", "acme", "--dns-server", "not-an-address", db=db, check=False), "not-an-address")
    assert query(db, "SELECT count(*) FROM domain_claim") == [(0,)]


def test_provider_set_stores_credentials_without_echoing_secrets(db):
    create_tenant(db, "acme")
    out = run_cli("provider", "set", "--tenant", "acme", "--provider", "aftership", "--secret", "s3cret-value",
                  "--api-key", "as-key-123", "--register", "on", db=db).stdout
    assert "secret set" in out and "registration on" in out and "/hooks/aftership/acme" in out
    assert "s3cret-value" not in out and "as-key-123" not in out
    row = query(db, "SELECT secret, api_key, register FROM provider_account WHERE provider='aftership'")
    assert row == [("s3cret-value", "as-key-123", 1)]
    # Unset options stay as they were.
    run_cli("provider", "set", "--tenant", "acme", "--provider", "aftership", "--register", "off", db=db)
    row = query(db, "SELECT secret, api_key, register FROM provider_account WHERE provider='aftership'")
    assert row == [("s3cret-value", "as-key-123", 0)]
    generated = run_cli("provider", "set", "--tenant", "acme", "--provider", "waymark", "--generate-secret", db=db).stdout
    assert "whsec_" in generated


def test_provider_set_errors(db):
    create_tenant(db, "acme")
    base = ["provider", "set", "--tenant", "acme"]
    expect_error(run_cli(*base, "--provider", "fedex", db=db, check=False), "unknown provider")
    expect_error(run_cli(*base, "--provider", "aftership", "--register", "maybe", db=db, check=False), "on or off")
    expect_error(run_cli(*base, "--provider", "waymark", "--secret", "plain", db=db, check=False), "whsec_")
    expect_error(run_cli("provider", "set", "--tenant", "ghost", "--provider", "shippo", "--secret", "x", db=db, check=False), "no tenant")


def test_tenant_configure(db):
    create_tenant(db, "acme")
    out = run_cli("tenant", "configure", "--tenant", "acme", "--auto-create", "off", "--retention-days", "30", db=db).stdout
    assert "auto-create off" in out and "30 days" in out
    assert query(db, "SELECT auto_create_shipments, delivered_retention_days FROM tenant") == [(0, 30)]
    expect_error(run_cli("tenant", "configure", "--tenant", "acme", "--retention-days", "0", db=db, check=False), "1 to 3650")


def test_tenant_notifications_changes_rules_and_sender(db):
    create_tenant(db, "shop")
    out = run_cli("tenant", "notifications", "--tenant", "shop", "--email-statuses", "delivered,exception", "--sms-statuses", "none",
                  "--quiet-hours", "22-7", "--sender-name", "Shop Team", "--reply-to", "help@shop.test", db=db).stdout
    assert "email on:           exception, delivered" in out
    assert "22:00-7:00" in out
    row, = query(db, "SELECT notification_rules, quiet_hours_start, quiet_hours_end, sender_name, reply_to FROM tenant WHERE slug = 'shop'")
    assert set(json.loads(row[0])["email_statuses"]) == {"exception", "delivered"}
    assert json.loads(row[0])["sms_statuses"] == []
    assert row[1:] == (22, 7, "Shop Team", "help@shop.test")

    expect_error(run_cli("tenant", "notifications", "--tenant", "shop", "--email-statuses", "shipped", db=db, check=False), "shipped", "in_transit")
    expect_error(run_cli("tenant", "notifications", "--tenant", "shop", "--quiet-hours", "9pm-8am", db=db, check=False), "--quiet-hours")
    expect_error(run_cli("tenant", "notifications", "--tenant", "shop", "--sender-email", "nobody", db=db, check=False), "--sender-email")
    expect_error(run_cli("tenant", "notifications", "--tenant", "ghost", db=db, check=False), "ghost")


def test_serve_refuses_a_port_its_links_could_not_name(db):
    # Port 0 would bind somewhere, but every tracking link would say ":0".
    for port in ["0", "70000"]:
        expect_error(run_cli("serve", "--port", port, db=db, check=False), f"port '{port}'", "1 to 65535")
    expect_error(run_cli("serve", db=db, check=False, env={"WAYMARK_PORT": "0"}), "port '0'")
