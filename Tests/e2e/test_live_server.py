"""A live `waymark serve`: two tenants made with the CLI, a shipment posted through the API,
its page opened, right and wrong lookups, isolation, headers, logs, graceful shutdown."""
import json
import re
import time
import urllib.parse

from conftest import create_tenant, query, run_cli, tracking_links


def api(server, method, path, key, body=None):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    status, _, text = server.request(method, path, json.dumps(body).encode() if body is not None else None, headers)
    return status, json.loads(text) if text else None


def test_a_merchant_journey_over_real_http(db, server_factory):
    acme = create_tenant(db, "acme", name="Acme Outfitters")
    globex = create_tenant(db, "globex")
    server = server_factory(db)

    status, shipment = api(server, "POST", "/api/v1/shipments", acme["api_key"], {
        "tracking_number": "1Z999AA10123456784", "carrier": "ups", "order_number": "A-100",
        "customer": {"email": "jane@example.com", "name": "Jane Doe"},
        "destination": {"city": "Denver", "postal_code": "80202", "country": "US"}})
    assert status == 201, shipment
    link = shipment["tracking_url"]
    path = urllib.parse.urlparse(link).path
    token = path.rsplit("/", 1)[1]

    status, headers, html = server.get(path)
    assert status == 200
    assert "Order A-100" in html and "Awaiting carrier update" in html
    assert "jane@example.com" not in html and "Jane Doe" not in html and "80202" not in html
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"

    # Right lookup redirects, wrong one says no without telling which part was wrong.
    form = urllib.parse.urlencode({"order_number": "A-100", "email": "JANE@example.com"}).encode()
    status, headers, _ = server.request("POST", "/acme/lookup", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and headers["Location"].startswith(path)
    form = urllib.parse.urlencode({"order_number": "A-100", "email": "other@example.com"}).encode()
    status, _, html = server.request("POST", "/acme/lookup", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "could not find" in html

    # Isolation: globex's key can't read acme's shipment, acme's token isn't served under globex.
    status, problem = api(server, "GET", f"/api/v1/shipments/{shipment['id']}", globex["api_key"])
    assert status == 404 and problem["status"] == 404
    assert server.get(f"/globex/t/{token}")[0] == 404

    # Logs name routes, never secrets.
    assert server.stop() == 0
    log = server.output()
    # One access line per request, with the route's pattern, the status and the time taken.
    assert re.search(r" info waymark: hb\.request\.id=\w+ \[WaymarkWeb\] request method=GET route=/\{tenant\}/t/\{token\} status=200 ms=\d+\.\d\d$", log, re.M), log
    assert re.search(r"request method=GET route=/\{tenant\}/t/\{token\} status=404 ms=", log)
    assert re.search(r"request method=POST route=/\{tenant\}/lookup status=303 ms=", log)
    for secret in [token, acme["api_key"], globex["api_key"], "jane@example.com"]:
        assert secret not in log


def test_sigterm_stops_the_server_cleanly(db, server_factory):
    create_tenant(db, "acme")
    server = server_factory(db)
    assert server.get("/acme")[0] == 200
    started = time.time()
    assert server.stop() == 0
    assert time.time() - started < 15


def test_demo_seeds_acme_prints_links_and_keeps_shipments_moving(db, server_factory):
    # First start: a still simulator, so the seeded statuses can be checked as they were made.
    server = server_factory(db, "--demo", env={"WAYMARK_DEMO_INTERVAL": "3600"})
    banner = server.output()
    assert "Acme Outfitters" in banner and "owner@acme.test" in banner and "Password:" in banner
    links = tracking_links(banner)
    assert len(links) == 3
    for link in links:
        status, _, html = server.get(urllib.parse.urlparse(link).path)
        assert status == 200 and "Acme Outfitters" in html

    statuses = {row[0] for row in query(db, "SELECT DISTINCT status FROM shipment")}
    assert {"pending", "info_received", "in_transit", "out_for_delivery", "available_for_pickup", "attempt_fail",
            "delivered", "exception", "expired"} <= statuses, statuses
    assert 15 <= query(db, "SELECT count(*) FROM shipment")[0][0] <= 30
    countries = {row[0] for row in query(db, "SELECT DISTINCT country FROM checkpoint")}
    offsets = {row[0] for row in query(db, "SELECT DISTINCT utc_offset_seconds FROM checkpoint")}
    assert len(countries) >= 5 and len(offsets) >= 4
    assert server.stop() == 0

    # Second start: the same demo (no new password), and the simulator moves shipments.
    again = server_factory(db, "--demo", env={"WAYMARK_DEMO_INTERVAL": "0.2"})
    assert "Password:" not in again.output() and len(tracking_links(again.output())) == 3
    assert query(db, "SELECT count(*) FROM tenant")[0][0] == 1

    def checkpoint_count():
        return query(db, "SELECT count(*) FROM checkpoint")[0][0]
    before = checkpoint_count()
    deadline = time.time() + 20
    while checkpoint_count() <= before and time.time() < deadline:
        time.sleep(0.2)
    assert checkpoint_count() > before, "the simulator did not move any shipment"
    assert again.stop() == 0
