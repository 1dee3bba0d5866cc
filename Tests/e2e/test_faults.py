"""Faults. The server killed with SIGKILL again and again while provider webhooks, API writes and
webhook deliveries flow. After every round the file passes `PRAGMA integrity_check`, every
provider event that got its 200 and every shipment the API answered 201 for is in it, and within
one process lifetime no delivery reaches the merchant's endpoint twice. At the end one clean run
delivers every delivery the rounds committed. `WAYMARK_FAULT_ROUNDS` (default 50) sets how many.
A database whose disk fills up, and one deleted under the server. An SMTP relay that drops the
connection after DATA or answers too slowly, and a merchant endpoint that never answers."""
import base64
import hashlib
import hmac
import json
import os
import random
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import POSTGRES, Server, create_tenant, endpoint, instant, new_shipment, push, query, run_cli
from peers import SMTPPeer, SilentListener, WebhookReceiver, wait_for

SECRET = "fault-aftership-secret"
ROUNDS = int(os.environ.get("WAYMARK_FAULT_ROUNDS", "50"))
ENV = {"WAYMARK_OUTBOUND_ALLOW": "127.0.0.1/32", "WAYMARK_DELIVERY_LEASE": "3"}


def assert_intact(db, what):
    """SQLite's integrity check of the file (PostgreSQL has no counterpart a test can run)."""
    if not POSTGRES:
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", what
        finally:
            conn.close()


def hook(number, n):
    body = json.dumps({"event": "tracking_update", "event_id": f"f-{number}-{n}", "msg": {
        "tracking_number": number, "slug": "ups", "tag": "InTransit", "subtag": "InTransit_001",
        "checkpoints": [{"checkpoint_time": f"2026-11-{1 + n // 1440 % 28:02d}T{n // 60 % 24:02d}:{n % 60:02d}:00Z",
                         "message": f"scan f-{number}-{n}", "tag": "InTransit", "subtag": "InTransit_001"}]}}).encode()
    return f"f-{number}-{n}", body, {"aftership-hmac-sha256": base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()}


def test_repeated_kill_9_loses_nothing_acknowledged_and_sends_nothing_twice_per_lifetime(db):
    receiver = WebhookReceiver()
    key = create_tenant(db, "acme")["api_key"]
    run_cli("provider", "set", "--tenant", "acme", "--provider", "aftership", "--secret", SECRET, db=db)
    acked_events, acked_shipments = set(), set()
    lock = threading.Lock()
    rng = random.Random(20261205)
    servers = []
    try:
        first = Server(db, env=ENV)
        servers.append(first)
        status, body = first.api("POST", "/webhook-endpoints", key, {"url": receiver.url, "events": ["shipment.created"]})
        assert status == 201, body
        counter = [0]

        for round_number in range(ROUNDS):
            server = first if round_number == 0 else Server(db, env=ENV)
            servers.append(server)
            started_at = len(receiver.received())
            stop = threading.Event()

            def send_hooks(sender):
                while not stop.is_set():
                    with lock:
                        counter[0] += 1
                        n = counter[0]
                    event_id, body, headers = hook(f"FAULT{round_number}X{sender}", n)
                    try:
                        status, _, _ = server.request("POST", "/hooks/aftership/acme", body, headers)
                    except OSError:
                        return
                    if status == 200:
                        with lock:
                            acked_events.add(event_id)

            def create_shipments():
                while not stop.is_set():
                    with lock:
                        counter[0] += 1
                        number = f"1ZFAULT{counter[0]:010d}"
                    try:
                        status, _ = server.api("POST", "/shipments", key, {"tracking_number": number, "carrier": "ups"})
                    except OSError:
                        return
                    if status == 201:
                        with lock:
                            acked_shipments.add(number)

            threads = [threading.Thread(target=send_hooks, args=(s,)) for s in range(3)] + [threading.Thread(target=create_shipments)]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.2, 0.8))
            server.proc.kill()
            server.proc.wait(timeout=30)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)

            assert_intact(db, f"round {round_number}")
            stored = {key.removeprefix("id:") for (key,) in query(db, "SELECT event_key FROM inbound_event")}
            numbers = {number for (number,) in query(db, "SELECT tracking_number FROM shipment")}
            with lock:
                assert acked_events <= stored, f"round {round_number}: {len(acked_events - stored)} acknowledged events lost"
                assert acked_shipments <= numbers, f"round {round_number}: {len(acked_shipments - numbers)} acknowledged shipments lost"
            this_life = [request["headers"]["webhook-id"] for request in receiver.received()[started_at:]]
            assert len(this_life) == len(set(this_life)), f"round {round_number}: a delivery arrived twice in one lifetime"

        assert len(acked_events) > ROUNDS and len(acked_shipments) > ROUNDS, "the rounds carried little traffic"

        # One clean run: every committed delivery goes out, at least once.
        final = Server(db, env=ENV)
        servers.append(final)
        ids = {row[0] for row in query(db, "SELECT id FROM delivery WHERE channel = 'webhook'")}
        wait_for(lambda: {r["headers"]["webhook-id"] for r in receiver.received()} >= ids, timeout=120, what="every delivery after the rounds")
        wait_for(lambda: query(db, "SELECT count(*) FROM delivery WHERE channel = 'webhook' AND state <> 'delivered'")[0][0] == 0,
                 timeout=60, what="every delivery recorded as delivered")
        assert final.stop() == 0
        assert_intact(db, "after the clean run")
    finally:
        for server in servers:
            if server.proc.poll() is None:
                server.proc.kill()
        receiver.stop()


def test_a_full_disk_refuses_writes_with_503_keeps_serving_and_recovers(tmp_path):
    """The database on a small tmpfs that fills up: writes answer 503 with Retry-After (never
    500) and keep nothing of themselves, pages are still served from what is stored, the server
    stays up, and writes work again by themselves once space is freed."""
    if POSTGRES:
        pytest.skip("the SQLite file on a full tmpfs: a PostgreSQL server's disk is not the test's to fill")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"⚠️  cannot mount a tmpfs here ({mounted.stderr.strip()}; needs root): the full-disk test is SKIPPED")
    server = None
    try:
        db = disk / "waymark.sqlite"
        key = create_tenant(db, "acme")["api_key"]
        run_cli("provider", "set", "--tenant", "acme", "--provider", "aftership", "--secret", SECRET, db=db)
        server = Server(db, env={"WAYMARK_API_RATE_LIMIT": "1000000"})
        status, shipment = server.api("POST", "/shipments", key, {"tracking_number": "1ZDISK000000000001", "carrier": "ups"})
        assert status == 201, shipment
        page = "/" + shipment["tracking_url"].split("://", 1)[1].split("/", 1)[1]

        filler = disk / "filler"
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass

        statuses, refused = [], None
        for n in range(3_000):
            number = f"1ZDISK{n:012d}"
            body = json.dumps({"tracking_number": number, "carrier": "ups", "order_number": f"FULL-{n}",
                               "customer": {"name": "Disk Full " + "y" * 60, "email": f"full-{n}@example.com"}}).encode()
            status, headers, text = server.request("POST", "/api/v1/shipments", body,
                                                   {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            statuses.append(status)
            assert status in (201, 503), text
            if status == 503:
                refused = number
                assert headers.get("Retry-After") == "30", headers
                assert json.loads(text)["type"] == "urn:waymark:problem:storage-full"
                break
        assert refused, f"the disk never filled: {statuses[-5:]}"
        assert set(statuses[:-1]) <= {201}, f"only 201 before the disk filled, then 503: {sorted(set(statuses))}"

        # Provider webhooks sent together share one group commit: each is refused the same way.
        hooks = [hook("1ZDISKHOOK00000001", n) for n in range(24)]
        answers = [None] * len(hooks)

        def send(index):
            _, body, headers = hooks[index]
            status, response_headers, text = server.request("POST", "/hooks/aftership/acme", body, headers)
            answers[index] = (status, response_headers.get("Retry-After"), text)

        senders = [threading.Thread(target=send, args=(index,)) for index in range(len(hooks))]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        for status, retry_after, text in answers:
            assert (status, retry_after) == (503, "30"), text
            assert json.loads(text)["type"] == "urn:waymark:problem:storage-full"

        assert server.get(page)[0] == 200, "pages are served from what is stored"
        assert server.get("/healthz")[0] == 200
        assert server.proc.poll() is None, "the server stays up"
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT count(*) FROM shipment WHERE tracking_number = ?", (refused,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM inbound_event").fetchone()[0] == 0
        conn.close()

        filler.unlink()
        status, again = server.api("POST", "/shipments", key, {"tracking_number": refused, "carrier": "ups"})
        assert status == 201, again
        assert server.stop() == 0
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    finally:
        if server:
            if server.proc.poll() is None:
                server.proc.kill()
            server.stop()  # closes its log, which lives on the tmpfs
        unmounted = subprocess.run(["umount", str(disk)], capture_output=True, text=True)
        assert unmounted.returncode == 0, f"the test's tmpfs stays mounted: {unmounted.stderr}"


def test_a_database_file_deleted_while_running_is_reported_not_crashed_on(db):
    """The file removed under the running server (an operator's `rm`, a cleanup job): SQLite goes
    on writing to the unlinked inode, so nothing fails by itself. /healthz says so with the path
    within a second or two, the log says it once, pages are still served, the server stays up,
    and it is healthy again when the file is back."""
    if POSTGRES:
        pytest.skip("about the SQLite database file removed under the server; PostgreSQL has no file to remove")
    key = create_tenant(db, "acme")["api_key"]
    server = Server(db)
    try:
        status, shipment = server.api("POST", "/shipments", key, {"tracking_number": "1ZGONE000000000001", "carrier": "ups"})
        assert status == 201, shipment
        page = "/" + shipment["tracking_url"].split("://", 1)[1].split("/", 1)[1]
        aside = db.with_name("aside.sqlite")
        db.rename(aside)

        def unhealthy():
            status, _, text = server.get("/healthz")
            return (status, text) if status == 503 else None
        status, text = wait_for(unhealthy, timeout=10)
        assert f"the database file {db} is gone" in text and "Restart Waymark" in text
        assert server.get(page)[0] == 200, "pages are still served"
        time.sleep(2)
        assert server.proc.poll() is None, "the server stays up"
        assert server.output().count("database unavailable") == 1, server.output()

        aside.rename(db)
        wait_for(lambda: server.get("/healthz")[0] == 200, timeout=10)
        wait_for(lambda: "database available again" in server.output(), timeout=5, what="the log to say so")
        assert server.stop() == 0
    finally:
        if server.proc.poll() is None:
            server.proc.kill()


# The first retry of a delivery comes 5 s ±10 % after the failed attempt ended (RetryPolicy
# .standardWebhooks), plus the dispatcher's pickup; the second waits 5 min ±10 %.
FIRST_RETRY = (4.4, 6.5)
SECOND_RETRY = (269, 331)


def attempts(db, delivery_id):
    """Each attempt at a delivery, oldest first: (outcome, error, seconds since the previous one ended)."""
    rows = query(db, "SELECT attempted_at, latency_ms, outcome, error FROM delivery_attempt WHERE delivery_id = ? ORDER BY attempted_at, id",
                 delivery_id)
    out, previous_end = [], None
    for attempted_at, latency_ms, outcome, error in rows:
        end = instant(attempted_at).timestamp()  # recorded when the attempt ended
        out.append((outcome, error, None if previous_end is None else end - latency_ms / 1000 - previous_end))
        previous_end = end
    return out


def seconds_until_next_attempt(db, delivery_id):
    (next_attempt_at, last_attempted_at), = query(db, """SELECT d.next_attempt_at, max(a.attempted_at)
                                                        FROM delivery d JOIN delivery_attempt a ON a.delivery_id = d.id WHERE d.id = ?
                                                        GROUP BY d.next_attempt_at""", delivery_id)
    return (instant(next_attempt_at) - instant(last_attempted_at)).total_seconds()


@pytest.mark.parametrize("fault, error", [(["--drop-after-data"], "closed"), (["--slow-data", "6"], "no reply within")],
                         ids=["drops-the-connection-after-DATA", "answers-too-slowly"])
def test_an_smtp_relay_failing_mid_message_is_retried_on_schedule_and_holds_up_nothing_else(db, tmp_path, peers, fault, error):
    """The relay takes each of the first three messages' content, then drops the connection
    without a word, or waits past WAYMARK_SMTP_TIMEOUT (2 s here) to answer. Each email is tried
    again 5 s later and then delivered exactly once; meanwhile both tenants' webhooks go out at
    once, the mail tenant's own included."""
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed (pip install aiosmtpd)")
    smtp = peers(SMTPPeer, tmp_path, *fault, "--faults", "3")
    hooks = peers(WebhookReceiver)
    mail_key = create_tenant(db, "mailshop")["api_key"]
    other_key = create_tenant(db, "othershop")["api_key"]
    server = Server(db, env={"WAYMARK_OUTBOUND_ALLOW": "127.0.0.1/32", "WAYMARK_SMTP_URL": smtp.url, "WAYMARK_SMTP_TIMEOUT": "2"})
    try:
        for key in (mail_key, other_key):
            endpoint(server, key, hooks.url, ["shipment.status_changed"])
        mailed = [new_shipment(server, mail_key, f"1ZMAIL{n:012d}", email=f"shopper{n}@example.com") for n in range(3)]
        other = new_shipment(server, other_key, "1ZOTHER000000000001", email=None)
        for shipment in mailed:
            push(server, mail_key, shipment["id"], "in_transit")
        push(server, other_key, other["id"], "in_transit")
        emails = [row[0] for row in query(db, "SELECT id FROM delivery WHERE channel = 'email' ORDER BY recipient")]
        assert len(emails) == 3

        # Every webhook is in before any email's first attempt has even ended (the slow relay
        # holds each for 2 s) — or, for the dropping relay, at least without waiting on a retry.
        wait_for(lambda: len(hooks.received()) == 4, timeout=10, what="all four status_changed webhooks")
        first_ended = query(db, "SELECT count(*) FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.channel = 'email'"
                            )[0][0]
        if "--slow-data" in fault:
            assert first_ended == 0, "the webhooks waited for the slow relay"
        assert smtp.messages() == []

        wait_for(lambda: query(db, "SELECT count(*) FROM delivery WHERE channel = 'email' AND state = 'delivered'")[0][0] == 3,
                 timeout=30, what="every email delivered on its retry")
        for delivery_id in emails:
            (first, first_error, _), (second, _, waited) = attempts(db, delivery_id)
            assert first == "retry" and error in first_error, first_error
            assert second == "delivered"
            assert FIRST_RETRY[0] <= waited <= FIRST_RETRY[1], f"retried {waited:.2f} s after the failure, not 5 s ±10 %"
        assert sorted(m["rcpt_tos"][0] for m in smtp.messages()) == [f"shopper{n}@example.com" for n in range(3)], \
            "each email reached the relay once"
        assert server.stop() == 0
    finally:
        if server.proc.poll() is None:
            server.proc.kill()


def test_an_endpoint_that_accepts_and_never_answers_is_cut_off_retried_on_schedule_and_holds_up_nothing_else(db, peers):
    """A merchant endpoint that takes the TCP connection and then says nothing, ever. Each attempt
    is cut off at WAYMARK_WEBHOOK_TIMEOUT (3 s here) and tried again on the schedule (5 s, then
    5 min); while six of its deliveries hang, another tenant's webhooks and the same tenant's
    healthy endpoint are served at once."""
    silent = peers(SilentListener)
    healthy = peers(WebhookReceiver)
    stuck_key = create_tenant(db, "stuckshop")["api_key"]
    other_key = create_tenant(db, "othershop")["api_key"]
    server = Server(db, env={"WAYMARK_OUTBOUND_ALLOW": "127.0.0.1/32", "WAYMARK_WEBHOOK_TIMEOUT": "3"})
    try:
        endpoint(server, stuck_key, silent.url, ["shipment.created"])
        endpoint(server, stuck_key, healthy.url, ["shipment.status_changed"])
        endpoint(server, other_key, healthy.url, ["shipment.created"])
        stuck = [new_shipment(server, stuck_key, f"1ZSTUCK{n:011d}", email=None) for n in range(6)]
        wait_for(lambda: len(silent.connections()) >= 4, timeout=10, what="the silent endpoint to be connected to")
        hanging_since = time.time()
        for n in range(5):
            new_shipment(server, other_key, f"1ZFREE{n:012d}", email=None)
        push(server, stuck_key, stuck[0]["id"], "in_transit")
        wait_for(lambda: len(healthy.received()) == 6, timeout=10, what="the other deliveries")
        assert time.time() - hanging_since < 3, "the other deliveries waited for the silent endpoint's timeout"

        first = query(db, "SELECT d.id FROM delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id WHERE e.url = ? ORDER BY d.created_at LIMIT 1",
                      silent.url)[0][0]
        wait_for(lambda: len(attempts(db, first)) == 2, timeout=20, what="the second attempt")
        (outcome, error, _), (again, _, waited) = attempts(db, first)
        assert outcome == again == "retry" and "no answer within 3" in error, error
        assert FIRST_RETRY[0] <= waited <= FIRST_RETRY[1], f"retried {waited:.2f} s after the timeout, not 5 s ±10 %"
        assert SECOND_RETRY[0] <= seconds_until_next_attempt(db, first) <= SECOND_RETRY[1], "the next try is 5 min ±10 % later"
        latency = query(db, "SELECT max(latency_ms) FROM delivery_attempt WHERE delivery_id = ?", first)[0][0]
        assert 2900 <= latency < 4500, f"an attempt was cut off after {latency} ms, not at the 3 s timeout"
        assert server.stop() == 0, "a hanging send does not keep the server from stopping"
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
