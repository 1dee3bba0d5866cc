"""Provider webhooks against a live server: a signed AfterShip update moves the shipment, a
flipped byte is refused and writes nothing, a replay changes nothing, and the stored payload
can be processed again with `waymark replay`."""
import base64
import hashlib
import hmac
import json
import sqlite3

from conftest import create_tenant, run_cli

SECRET = "e2e-aftership-secret"


def payload(event_id, tag, subtag, when):
    return json.dumps({
        "event": "tracking_update", "event_id": event_id, "ts": 1795780800,
        "msg": {"tracking_number": "1Z999AA10123456784", "slug": "ups", "tag": tag, "subtag": subtag,
                "checkpoints": [{"checkpoint_time": when, "city": "Denver", "state": "CO", "country_region": "USA",
                                 "message": f"{tag} scan", "tag": tag, "subtag": subtag}]}}).encode()


def signature(body):
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def test_signed_updates_flow_in_and_can_be_replayed(db, server_factory):
    create_tenant(db, "acme")
    run_cli("provider", "set", "--tenant", "acme", "--provider", "aftership", "--secret", SECRET, db=db)
    server = server_factory(db)

    body = payload("e-1", "OutForDelivery", "OutForDelivery_001", "2026-11-27T08:00:00-07:00")
    status, _, text = server.request("POST", "/hooks/aftership/acme", body, {"aftership-hmac-sha256": signature(body)})
    assert status == 200, text
    assert json.loads(text)["results"][0]["created"] is True

    tampered = body.replace(b"Denver", b"Denvex")
    status, _, _ = server.request("POST", "/hooks/aftership/acme", tampered, {"aftership-hmac-sha256": signature(body)})
    assert status == 401

    status, _, text = server.request("POST", "/hooks/aftership/acme", body, {"aftership-hmac-sha256": signature(body)})
    assert status == 200 and json.loads(text)["duplicate"] is True

    db_rows = sqlite3.connect(db)
    assert db_rows.execute("SELECT status FROM shipment").fetchall() == [("out_for_delivery",)]
    assert db_rows.execute("SELECT count(*) FROM checkpoint").fetchone()[0] == 1
    assert db_rows.execute("SELECT count(*) FROM inbound_event").fetchone()[0] == 1

    out = run_cli("replay", "--tenant", "acme", db=db).stdout
    assert "Replayed 1 of 1" in out and "0 new checkpoint" in out
    assert server.stop() == 0
    assert SECRET not in server.output()
