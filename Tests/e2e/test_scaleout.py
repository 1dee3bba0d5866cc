"""Several nodes on one PostgreSQL database behind nginx (issue: scale-out). 20,000 signed provider
webhooks go through nginx to two `waymark serve` nodes while one node is killed with SIGKILL and
started again: every acknowledged event is stored once, every due webhook delivery reaches the
merchant at least once and never from two nodes at the same moment, and nothing is left stuck
once the killed node's leases have run out."""
import base64
import collections
import hashlib
import hmac
import http.client
import json
import os
import shutil
import subprocess
import threading
import time

import pytest

from conftest import BIN, ROOT, create_tenant, endpoint, free_port, run_cli
from peers import WebhookReceiver
from test_postgres import postgres_url, psql  # noqa: F401  (the fixture)

SECRET = "scaleout-aftership-secret"
SHIPMENTS = 2_000
EVENTS_PER_SHIPMENT = 10
STATUSES = ["InfoReceived", "InTransit", "InTransit", "InTransit", "OutForDelivery", "InTransit", "InTransit", "OutForDelivery",
            "InTransit", "Delivered"]
LEASE = 5

NGINX_CONF = """
daemon off;
worker_processes 1;
error_log %(dir)s/error.log warn;
pid %(dir)s/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(dir)s/body;
    proxy_temp_path %(dir)s/proxy;
    upstream waymark {
        server 127.0.0.1:%(a)d max_fails=1 fail_timeout=2s;
        server 127.0.0.1:%(b)d max_fails=1 fail_timeout=2s;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:%(port)d;
        location / {
            proxy_pass http://waymark;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }
    }
}
"""


def event(number, n):
    status = STATUSES[n]
    when = f"2026-11-20T{8 + n:02d}:00:00Z"
    body = json.dumps({"event": "tracking_update", "event_id": f"e-{number}-{n}", "msg": {
        "tracking_number": number, "slug": "ups", "tag": status, "subtag": f"{status}_001",
        "checkpoints": [{"checkpoint_time": when, "message": f"Scan {n}", "tag": status, "subtag": f"{status}_001",
                         "city": "Denver", "country_region": "USA"}]}}).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return body, signature


class Node:
    """`waymark serve` on the shared database, on a given port, logging to `log`."""

    def __init__(self, db, name, port, log, env, *extra):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(log, "a")
        self.proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--db", db, *extra], stdout=self.log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "WAYMARK_RESOURCES": str(ROOT), "WAYMARK_NODE_ID": name, **env})
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            assert self.proc.poll() is None, f"node {name} exited early (see {log})"
            time.sleep(0.1)
        raise AssertionError(f"node {name} did not become healthy (see {log})")

    def api(self, method, path, key, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(method, "/api/v1" + path, body=json.dumps(body).encode() if body is not None else None,
                           headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        response = connection.getresponse()
        text = response.read().decode()
        return response.status, (json.loads(text) if text.strip() else None)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()


class Sender:
    """Posts events through nginx from `threads` keep-alive connections, each until it gets a 2xx
    (a provider retries), and counts what happened."""

    def __init__(self, port, events, threads=16):
        self.port, self.events, self.threads = port, events, threads
        self.acked = 0
        self.retries = collections.Counter()
        self.lock = threading.Lock()
        self.next = 0

    def run(self):
        workers = [threading.Thread(target=self.work) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def take(self):
        with self.lock:
            if self.next >= len(self.events):
                return None
            self.next += 1
            return self.events[self.next - 1]

    def work(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (item := self.take()) is not None:
            body, signature = item
            for attempt in range(200):
                try:
                    connection.request("POST", "/hooks/aftership/acme", body=body,
                                       headers={"aftership-hmac-sha256": signature, "Content-Type": "application/json"})
                    response = connection.getresponse()
                    response.read()
                    if 200 <= response.status < 300:
                        with self.lock:
                            self.acked += 1
                        break
                    with self.lock:
                        self.retries[response.status] += 1
                except (OSError, http.client.HTTPException) as error:
                    with self.lock:
                        self.retries[type(error).__name__] += 1
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                time.sleep(min(0.5, 0.01 * (attempt + 1)))
            else:
                raise AssertionError("an event was refused 200 times")
        connection.close()


@pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx (apt-get install nginx)")
def test_two_nodes_behind_nginx_survive_a_kill(postgres_url, tmp_path):
    run_cli("migrate", db=postgres_url)
    key = create_tenant(postgres_url, "acme")["api_key"]
    run_cli("provider", "set", "--tenant", "acme", "--provider", "aftership", "--secret", SECRET, db=postgres_url)
    # The merchant's endpoint holds each webhook a moment, so two sends of one at once would overlap.
    receipts = []
    receipts_lock = threading.Lock()

    def answer(index, request):
        start = time.time()
        time.sleep(0.01)
        with receipts_lock:
            receipts.append((request["headers"]["webhook-id"], start, time.time()))
        return 204, {}

    receiver = WebhookReceiver(answer)
    env = {"WAYMARK_OUTBOUND_ALLOW": "127.0.0.1/32", "WAYMARK_DELIVERY_LEASE": str(LEASE), "WAYMARK_DB_POOL": "12"}
    logs = {name: tmp_path / f"{name}.log" for name in ["node-a", "node-b"]}
    nodes = {name: Node(postgres_url, name, free_port(), logs[name], env) for name in ["node-a", "node-b"]}
    nginx_dir = tmp_path / "nginx"
    nginx_dir.mkdir()
    port = free_port()
    (nginx_dir / "nginx.conf").write_text(NGINX_CONF % {"dir": nginx_dir, "a": nodes["node-a"].port, "b": nodes["node-b"].port, "port": port})
    nginx = subprocess.Popen(["nginx", "-c", str(nginx_dir / "nginx.conf"), "-p", str(nginx_dir)], stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)
        assert nginx.poll() is None, nginx.stderr.read().decode()
        endpoint(nodes["node-a"], key, receiver.url, events=["shipment.status_changed"])
        numbers = [f"1ZSCALE{n:011d}" for n in range(SHIPMENTS)]
        events = [event(number, n) for n in range(EVENTS_PER_SHIPMENT) for number in numbers]
        sender = Sender(port, events)
        sending = threading.Thread(target=sender.run)
        sending.start()
        # Kill node A once a quarter of the events are in, start it again two seconds later.
        deadline = time.time() + 600
        while sender.acked < len(events) // 4 and time.time() < deadline:
            time.sleep(0.05)
        nodes["node-a"].proc.kill()
        nodes["node-a"].proc.wait()
        time.sleep(2)
        nodes["node-a"].log.close()
        nodes["node-a"] = Node(postgres_url, "node-a", nodes["node-a"].port, logs["node-a"], env)
        sending.join(timeout=900)
        assert not sending.is_alive(), "the sender did not finish"
        assert sender.acked == len(events)
        # Every acknowledged event stored once.
        assert int(psql(postgres_url, "SELECT count(*) FROM inbound_event")) == len(events)
        assert int(psql(postgres_url, "SELECT count(*) FROM checkpoint")) == len(events)
        assert int(psql(postgres_url, "SELECT count(*) FROM shipment WHERE status = 'delivered'")) == SHIPMENTS
        # Nothing stuck once the dead node's leases ran out: every delivery delivered.
        due = int(psql(postgres_url, "SELECT count(*) FROM delivery"))
        assert due >= SHIPMENTS * 3
        deadline = time.time() + LEASE * 6 + 120
        while time.time() < deadline:
            left = int(psql(postgres_url, "SELECT count(*) FROM delivery WHERE state <> 'delivered'"))
            if left == 0:
                break
            time.sleep(0.5)
        assert left == 0, psql(postgres_url, "SELECT state, lease_owner, count(*) FROM delivery WHERE state <> 'delivered' GROUP BY 1, 2")
        time.sleep(1)
        with receipts_lock:
            seen = list(receipts)
        ids = psql(postgres_url, "SELECT id FROM delivery").split()
        by_id = collections.defaultdict(list)
        for webhook_id, start, end in seen:
            by_id[webhook_id].append((start, end))
        missing = [i for i in ids if i not in by_id]
        assert not missing, f"{len(missing)} deliveries never arrived"
        # Never from two nodes at once: no two receipts of one webhook overlap in time.
        overlapping = [i for i, spans in by_id.items()
                       if any(a[1] > b[0] for a, b in zip(sorted(spans), sorted(spans)[1:]))]
        assert not overlapping, f"sent twice at the same moment: {overlapping[:5]}"
        duplicates = sum(len(spans) - 1 for spans in by_id.values())
        print(f"\nscale-out: {len(events)} events acknowledged ({dict(sender.retries)} retried), {len(ids)} deliveries, "
              f"{duplicates} delivered again after the kill")
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        receiver.stop()
        for node in nodes.values():
            node.stop()

