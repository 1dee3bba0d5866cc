"""Provider webhooks against a live server: a signed AfterShip update moves the shipment, a
flipped byte is refused and writes nothing, a replay changes nothing, the stored payload can be
processed again with `waymark replay`, and no acknowledged event is lost to a kill -9."""
import base64
import hashlib
import hmac
import json
import sqlite3
import threading
import time

from conftest import POSTGRES, create_tenant, query, run_cli

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

    assert query(db, "SELECT status FROM shipment") == [("out_for_delivery",)]
    assert query(db, "SELECT count(*) FROM checkpoint")[0][0] == 1
    assert query(db, "SELECT count(*) FROM inbound_event")[0][0] == 1

    out = run_cli("replay", "--tenant", "acme", db=db).stdout
    assert "Replayed 1 of 1" in out and "0 new checkpoint" in out
    assert server.stop() == 0
    assert SECRET not in server.output()


def test_every_acknowledged_event_survives_kill_9_under_concurrent_load(db, server_factory):
    """Webhooks that arrive together commit together (group commit); a 200 must still mean
    "stored". Eight senders post until the server is killed mid-stream; every event that got its
    200 is in the file, the file is intact, and after a restart the rest are taken exactly once."""
    create_tenant(db, "acme")
    run_cli("provider", "set", "--tenant", "acme", "--provider", "aftership", "--secret", SECRET, db=db)
    server = server_factory(db)

    def event(sender, n):
        body = json.dumps({"event": "tracking_update", "event_id": f"k-{sender}-{n}", "msg": {
            "tracking_number": f"KILL{sender}X{n % 5}", "slug": "ups", "tag": "InTransit", "subtag": "InTransit_001",
            "checkpoints": [{"checkpoint_time": f"2026-11-{1 + n // 1440 % 28:02d}T{n // 60 % 24:02d}:{n % 60:02d}:00Z",
                             "message": f"scan k-{sender}-{n}", "tag": "InTransit", "subtag": "InTransit_001"}]}}).encode()
        return f"k-{sender}-{n}", body

    acked, attempted, lock = set(), {}, threading.Lock()

    def send(sender):
        for n in range(10_000):
            event_id, body = event(sender, n)
            with lock:
                attempted[event_id] = body
            try:
                status, _, _ = server.request("POST", "/hooks/aftership/acme", body, {"aftership-hmac-sha256": signature(body)})
            except OSError:
                return  # the server is gone
            if status == 200:
                with lock:
                    acked.add(event_id)

    senders = [threading.Thread(target=send, args=(sender,)) for sender in range(8)]
    for thread in senders:
        thread.start()
    deadline = time.time() + 30
    while time.time() < deadline:
        with lock:
            if len(acked) >= 300:
                break
        time.sleep(0.02)
    server.proc.kill()
    server.proc.wait(timeout=30)
    for thread in senders:
        thread.join(timeout=60)
    assert len(acked) >= 300

    if not POSTGRES:  # SQLite's check of the file; PostgreSQL has no counterpart a test can run
        rows = sqlite3.connect(db)
        assert rows.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows.close()
    stored = {key.removeprefix("id:") for (key,) in query(db, "SELECT event_key FROM inbound_event WHERE processed_at IS NOT NULL")}
    messages = {message.removeprefix("scan ") for (message,) in query(db, "SELECT message FROM checkpoint")}
    assert acked <= stored, f"{len(acked - stored)} acknowledged events were lost"
    assert acked <= messages

    # After a restart the senders retry everything they tried: what was stored is a duplicate,
    # the rest is stored now, and nothing is stored twice.
    again = server_factory(db)
    for event_id, body in attempted.items():
        status, _, text = again.request("POST", "/hooks/aftership/acme", body, {"aftership-hmac-sha256": signature(body)})
        assert status == 200, text
        assert json.loads(text)["duplicate"] is (event_id in stored)
    assert query(db, "SELECT count(*) FROM inbound_event")[0][0] == len(attempted)
    assert query(db, "SELECT count(*) FROM checkpoint")[0][0] == len(attempted)
    assert again.stop() == 0
