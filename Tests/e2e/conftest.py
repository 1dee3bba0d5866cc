"""End-to-end tests: the built `waymark` binary, a live server on a random loopback port,
real HTTP, and (in test_browser.py) a real Chromium. Run through scripts/test."""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("WAYMARK_BIN", ROOT / ".build" / "debug" / "waymark"))


def pytest_configure(config):
    if not BIN.exists():
        raise pytest.UsageError(f"{BIN} is missing: build first (swift build), or set WAYMARK_BIN")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, db, stdin=None, env=None, check=True):
    """Runs `waymark ARGS --db DB`; returns the CompletedProcess."""
    result = subprocess.run(
        [str(BIN), *args, "--db", str(db)], input=stdin, capture_output=True, text=True, timeout=120,
        env={**os.environ, "WAYMARK_RESOURCES": str(ROOT), **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"waymark {' '.join(args)} failed: {result.stderr}")
    return result


def expect_error(result, *words):
    """A failed command: non-zero exit and exactly one stderr line containing every word."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {result.stderr!r}"
    for word in words:
        assert word in lines[0], lines[0]


def create_tenant(db, slug, name=None, email=None, password="a long enough password"):
    out = run_cli("tenant", "create", "--slug", slug, "--name", name or slug.title(), "--owner-email",
                  email or f"owner@{slug}.test", "--password-stdin", "--json", db=db, stdin=password + "\n")
    return json.loads(out.stdout)


# The API calls the notification and fault tests share.
ALL_EVENTS = ["shipment.created", "shipment.status_changed", "shipment.checkpoint_added", "shipment.stalled", "shipment.eta_changed"]


def new_shipment(server, key, number, email="shopper@example.com"):
    """A shipment through the API; `email=None` leaves the shopper without an address."""
    status, shipment = server.api("POST", "/shipments", key, {
        "tracking_number": number, "carrier": "ups", "order_number": f"ORD-{number[-4:]}",
        "customer": {"locale": "en", **({"email": email} if email else {})}, "destination": {"city": "Leeds", "country": "GB"}})
    assert status == 201, shipment
    return shipment


def push(server, key, shipment_id, status, minutes=0):
    occurred = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600 + minutes * 60))
    code, body = server.api("POST", f"/shipments/{shipment_id}/events", key, {
        "status": status, "message": f"now {status}", "occurred_at": occurred, "location": {"city": "Leeds", "country": "GB"}})
    assert code in (200, 201), body


def endpoint(server, key, url, events=ALL_EVENTS):
    status, body = server.api("POST", "/webhook-endpoints", key, {"url": url, "events": events})
    assert status == 201, body
    assert body["secret"].startswith("whsec_")
    return body


class Server:
    def __init__(self, db, *extra, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = pathlib.Path(str(db) + f".{self.port}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(BIN), "serve", "--port", str(self.port), "--db", str(db), *extra],
            stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, "WAYMARK_RESOURCES": str(ROOT), **(env or {})})
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.output()}")
            time.sleep(0.1)
        raise AssertionError(f"server did not become healthy:\n{self.output()}")

    def request(self, method, path, body=None, headers=None):
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def api(self, method, path, key, body=None):
        """Calls the REST API with a tenant's key; returns (status, parsed JSON or None)."""
        data = json.dumps(body).encode() if body is not None else None
        status, _, text = self.request(method, "/api/v1" + path, body=data,
                                       headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        return status, (json.loads(text) if text.strip() else None)

    def output(self):
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text()

    def stop(self):
        """SIGTERM, then the exit status; the log file is closed (a test's tmpfs can be unmounted)."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    return self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    raise AssertionError("server ignored SIGTERM for 30 s")
            return self.proc.returncode
        finally:
            self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def db(tmp_path):
    return tmp_path / "waymark.sqlite"


@pytest.fixture
def peers():
    """Starts peers (peers.py) for a test and stops them after it: `peers(SMTPPeer, tmp_path)`."""
    started = []

    def start(kind, *args, **kwargs):
        peer = kind(*args, **kwargs)
        started.append(peer)
        return peer

    yield start
    for peer in started:
        peer.stop()


@pytest.fixture
def server_factory():
    servers = []

    def start(db, *extra, env=None):
        server = Server(db, *extra, env=env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def tracking_links(text):
    """The links the demo banner lists under "Tracking links:" (not those in later log lines,
    such as a text message the log transport prints)."""
    block = text.split("Tracking links:", 1)[1] if "Tracking links:" in text else ""
    lines = []
    for line in block.splitlines()[1:]:
        if not line.startswith("    "):
            break
        lines.append(line)
    return re.findall(r"http://127\.0\.0\.1:\d+/acme/t/[A-Za-z0-9_-]+", "\n".join(lines))
