"""Webhook endpoints and the shopper's unsubscribe link against the live server: what a
merchant's integration and a mail client actually send."""
import json

from conftest import create_tenant, query


def api(server, key, method, path, body=None):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    status, headers, text = server.request(method, path, json.dumps(body).encode() if body is not None else None, headers)
    return status, headers, json.loads(text) if text else None


def test_webhook_endpoint_lifecycle_and_ssrf_refusal(db, server_factory):
    key = create_tenant(db, "acme")["api_key"]
    server = server_factory(db)
    status, headers, created = api(server, key, "POST", "/api/v1/webhook-endpoints",
                                   {"url": "https://hooks.example.com/waymark", "events": ["shipment.status_changed"]})
    assert status == 201, created
    assert created["secret"].startswith("whsec_")
    assert headers["Location"] == f"/api/v1/webhook-endpoints/{created['id']}"

    status, _, listed = api(server, key, "GET", "/api/v1/webhook-endpoints")
    assert status == 200 and [e["id"] for e in listed["data"]] == [created["id"]]
    assert "secret" not in listed["data"][0]

    status, _, problem = api(server, key, "POST", "/api/v1/webhook-endpoints",
                             {"url": "http://169.254.169.254/latest/meta-data", "events": ["shipment.created"]})
    assert status == 422 and problem["errors"][0]["field"] == "url"

    status, _, deliveries = api(server, key, "GET", f"/api/v1/webhook-endpoints/{created['id']}/deliveries")
    assert status == 200 and deliveries == {"data": [], "next_cursor": None}

    assert api(server, key, "DELETE", f"/api/v1/webhook-endpoints/{created['id']}")[0] == 204
    assert server.stop() == 0


def test_one_click_unsubscribe_from_a_mail_client(db, server_factory):
    key = create_tenant(db, "acme")["api_key"]
    server = server_factory(db)
    status, _, shipment = api(server, key, "POST", "/api/v1/shipments",
                              {"tracking_number": "1Z999AA10123456784", "customer": {"email": "jane@example.com"}})
    assert status == 201, shipment
    (token,), = query(db, "SELECT unsubscribe_token FROM subscription WHERE shipment_id = ? AND channel = 'email'", shipment["id"])

    status, headers, page = server.get(f"/acme/unsubscribe/{token}")
    assert status == 200 and "Stop all messages from Acme" in page
    assert headers["Referrer-Policy"] == "no-referrer"
    (unsubscribed,), = query(db, "SELECT unsubscribed_at FROM subscription WHERE unsubscribe_token = ?", token)
    assert unsubscribed is None, "a GET (a mail scanner following the link) must not unsubscribe"

    status, _, page = server.request("POST", f"/acme/unsubscribe/{token}", b"List-Unsubscribe=One-Click",
                                     {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    (unsubscribed,), = query(db, "SELECT unsubscribed_at FROM subscription WHERE unsubscribe_token = ?", token)
    assert unsubscribed is not None
    assert server.stop() == 0
