"""End-to-end tests: the built `waymark` binary, a live server on a random loopback port,
real HTTP, and (in test_browser.py) a real Chromium. Run through scripts/test.

The storage backend is SQLite (a file per test) unless WAYMARK_E2E_BACKEND=postgres: then every
test's database is a fresh PostgreSQL database on the server WAYMARK_TEST_POSTGRES names (created
for the test, dropped after it), and `query` reads and writes it with psycopg."""
import contextlib
import datetime
import decimal
import json
import os
import pathlib
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("WAYMARK_BIN", ROOT / ".build" / "debug" / "waymark"))
BACKEND = os.environ.get("WAYMARK_E2E_BACKEND", "").strip().lower() or "sqlite"
POSTGRES = BACKEND == "postgres"
POSTGRES_SERVER = os.environ.get("WAYMARK_TEST_POSTGRES", "")


def pytest_configure(config):
    if not BIN.exists():
        raise pytest.UsageError(f"{BIN} is missing: build first (swift build), or set WAYMARK_BIN")
    if BACKEND not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"WAYMARK_E2E_BACKEND={BACKEND!r}: it is sqlite (the default) or postgres")
    if POSTGRES:
        if not POSTGRES_SERVER:
            raise pytest.UsageError("WAYMARK_E2E_BACKEND=postgres needs a server: set WAYMARK_TEST_POSTGRES to its admin URL "
                                    "(export WAYMARK_TEST_POSTGRES=$(scripts/postgres start))")
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise pytest.UsageError("WAYMARK_E2E_BACKEND=postgres reads the database with psycopg: pip install 'psycopg[binary]'")


def pytest_report_header(config):
    return f"waymark e2e backend: {BACKEND}" + (f" ({POSTGRES_SERVER})" if POSTGRES else "")


# The test's database, on either backend.

class PostgresDatabase(str):
    """The URL of a throwaway PostgreSQL database (what --db takes), with the folder its servers'
    logs go to (a SQLite test's logs sit next to its file)."""

    def __new__(cls, url, name, folder):
        database = super().__new__(cls, url)
        database.name = name
        database.folder = pathlib.Path(folder)
        return database


_open_databases = []


def _psql_admin(sql):
    result = subprocess.run(["psql", POSTGRES_SERVER, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"psql {sql!r} failed: {result.stderr.strip()}")
    return result.stdout


def new_database(folder, name="waymark"):
    """A new, empty database for a test: `folder/NAME.sqlite`, or under WAYMARK_E2E_BACKEND=postgres
    a fresh PostgreSQL database (dropped by drop_database, or at the end of the session)."""
    if not POSTGRES:
        return pathlib.Path(folder) / f"{name}.sqlite"
    if not POSTGRES_SERVER:
        pytest.fail("WAYMARK_E2E_BACKEND=postgres needs WAYMARK_TEST_POSTGRES (export WAYMARK_TEST_POSTGRES=$(scripts/postgres start))")
    database = "waymark_e2e_" + uuid.uuid4().hex[:12]
    _psql_admin(f"CREATE DATABASE {database}")
    base, _, options = POSTGRES_SERVER.partition("?")
    url = base.rsplit("/", 1)[0] + "/" + database + ("?" + options if options else "")
    created = PostgresDatabase(url, database, folder)
    _open_databases.append(created)
    return created


def drop_database(db):
    """Drops a PostgreSQL test database (its servers' connections too); nothing for a SQLite file."""
    if isinstance(db, PostgresDatabase) and db in _open_databases:
        _open_databases.remove(db)
        _psql_admin(f"DROP DATABASE IF EXISTS {db.name} WITH (FORCE)")


def pytest_sessionfinish(session, exitstatus):
    for db in list(_open_databases):
        with contextlib.suppress(Exception):
            drop_database(db)


def _as_sqlite_holds_it(value):
    """A PostgreSQL value as SQLite holds the same thing, so a test's expectation reads the same
    on both: instants as UTC text 'YYYY-MM-DD HH:MM:SS.SSS', flags as 0/1, whole numbers as int,
    bytes as bytes."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime.datetime):
        utc = value.astimezone(datetime.timezone.utc) if value.tzinfo else value
        return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}"
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def query(db, sql, *params):
    """Runs one SQL statement on a test's database, SQLite or PostgreSQL, and returns its rows as
    tuples ([] for a statement that returns none; a write is committed). `?` marks a parameter on
    both backends. Values come back as SQLite stores them (see _as_sqlite_holds_it); use
    `instant` to read a stored time."""
    if isinstance(db, PostgresDatabase):
        import psycopg
        with psycopg.connect(str(db), autocommit=True) as conn:
            cursor = conn.execute(sql.replace("%", "%%").replace("?", "%s") if params else sql, params or None)
            rows = cursor.fetchall() if cursor.description else []
        return [tuple(_as_sqlite_holds_it(value) for value in row) for row in rows]
    with contextlib.closing(sqlite3.connect(db)) as conn:
        with conn:
            return conn.execute(sql, params).fetchall()


def instant(text):
    """A stored time (as `query` returns it, or ISO 8601) as an aware UTC datetime."""
    parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


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
        if isinstance(db, PostgresDatabase):
            self.log_path = db.folder / f"{db.name}.{self.port}.log"
        else:
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
    """The test's database: tmp_path/waymark.sqlite, or a fresh PostgreSQL database's URL under
    WAYMARK_E2E_BACKEND=postgres (dropped after the test)."""
    database = new_database(tmp_path)
    yield database
    drop_database(database)


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
