"""The PostgreSQL backend from the command line: `waymark migrate` against a real server (the one
scripts/test starts, named by WAYMARK_TEST_POSTGRES), once however often it runs, and never
printing the password."""
import os
import re
import signal
import sqlite3
import subprocess
import time
import urllib.request
import uuid

import pytest

from conftest import BIN, ROOT, create_tenant, free_port, run_cli

SERVER = os.environ.get("WAYMARK_TEST_POSTGRES", "")


def psql(url, sql):
    return subprocess.run(["psql", url, "-XAtq", "-c", sql], capture_output=True, text=True, timeout=60, check=True).stdout


@pytest.fixture
def postgres_url():
    if not SERVER:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must test PostgreSQL: WAYMARK_TEST_POSTGRES is not set (scripts/test starts a server)")
        pytest.skip("no PostgreSQL: set WAYMARK_TEST_POSTGRES (scripts/postgres start prints one)")
    name = "waymark_e2e_" + uuid.uuid4().hex[:12]
    psql(SERVER, f"CREATE DATABASE {name}")
    base, _, query = SERVER.partition("?")
    url = base.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")
    yield url
    psql(SERVER, f"DROP DATABASE {name} WITH (FORCE)")


def with_password(url, password):
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{host}"


def test_migrate_creates_the_schema_once(postgres_url):
    first = run_cli("migrate", db=postgres_url)
    assert "applied v1-schema" in first.stdout
    assert "up to date" in first.stdout
    second = run_cli("migrate", db=postgres_url)
    assert "applied" not in second.stdout
    tables = set(psql(postgres_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split())
    assert {"tenant", "user", "shipment", "checkpoint", "delivery", "inbound_event", "waymark_migration"} <= tables
    assert psql(postgres_url, "SELECT count(*) FROM waymark_migration").strip() == "1"


def test_the_password_is_never_printed(postgres_url):
    # The test server trusts loopback, so any password connects.
    url = with_password(postgres_url, "hunter2-secret")
    result = run_cli("migrate", db=url)
    assert "hunter2-secret" not in result.stdout + result.stderr
    assert ":***@" in result.stdout
    refused = run_cli("migrate", db=url.replace("sslmode=disable", "sslmode=verify-ca"), check=False)
    assert refused.returncode != 0
    assert "hunter2-secret" not in refused.stdout + refused.stderr
    assert "verify-full" in refused.stderr


def test_the_demo_serves_pages_and_sends_webhooks_on_postgres(postgres_url, tmp_path):
    from test_scaleout import Node  # noqa: PLC0415 (it imports this module's fixture)
    log = tmp_path / "demo.log"
    node = Node(postgres_url, "demo", free_port(), log, {"WAYMARK_DEMO_INTERVAL": "0.5"}, "--demo")
    try:
        links = re.findall(r"/acme/t/[A-Za-z0-9_-]+", log.read_text())
        assert links, log.read_text()
        for path in ["/acme", links[0]]:
            with urllib.request.urlopen(node.base + path, timeout=30) as response:
                assert response.status == 200 and "<html" in response.read().decode()
        deadline = time.time() + 60
        while time.time() < deadline:
            delivered = int(psql(postgres_url, "SELECT count(*) FROM delivery WHERE state = 'delivered' AND channel = 'webhook'").strip())
            if delivered > 0:
                break
            time.sleep(0.5)
        assert delivered > 0, "no webhook was delivered"
    finally:
        node.stop()
    assert " error " not in log.read_text()


def test_an_unreachable_server_is_one_clear_error():
    result = run_cli("migrate", db="postgres://waymark:pw@127.0.0.1:1/waymark?sslmode=disable", check=False)
    assert result.returncode != 0
    assert "cannot migrate postgres://waymark:***@127.0.0.1:1/waymark" in result.stderr


def db_copy(*args, check=True):
    """`waymark db copy ARGS` (it takes --from and --to rather than --db)."""
    result = subprocess.run([str(BIN), "db", "copy", *args], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "WAYMARK_RESOURCES": str(ROOT)})
    if check and result.returncode != 0:
        raise AssertionError(f"waymark db copy failed: {result.stderr}")
    return result


def table_counts(db):
    with sqlite3.connect(db) as c:
        names = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'")]
        return {name: c.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


@pytest.fixture
def populated(tmp_path, server_factory):
    """A SQLite install with data in most tables: the demo (tenants, users, keys, shipments,
    checkpoints, subscriptions, deliveries with attempts, templates, settings, audit), plus 20,000
    imported shipments. (A SQLite file whatever WAYMARK_E2E_BACKEND says: it is the copy's source.)"""
    db = tmp_path / "waymark.sqlite"
    server = server_factory(db, "--demo")
    time.sleep(3)
    server.stop()
    create_tenant(db, "bulk")
    path = tmp_path / "bulk.csv"
    path.write_text("tracking_number,email,city\n" + "".join(f"BULK{n:08d},s{n}@example.com,Zürich\n" for n in range(20_000)))
    run_cli("import", "--tenant", "bulk", str(path), db=db)
    return db


def test_db_copy_interrupted_resumed_and_verified(populated, postgres_url):
    counts = table_counts(populated)
    assert counts["shipment"] > 20_000 and counts["checkpoint"] > 0 and counts["delivery"] > 0, counts
    # Interrupted: killed once a few batches have committed.
    proc = subprocess.Popen([str(BIN), "db", "copy", "--from", str(populated), "--to", postgres_url, "--batch", "200"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "WAYMARK_RESOURCES": str(ROOT)})
    deadline = time.time() + 60
    while time.time() < deadline:
        copied = psql(postgres_url, "SELECT coalesce(sum(rows), 0) FROM waymark_copy") if "waymark_copy" in psql(
            postgres_url, "SELECT tablename FROM pg_tables") else "0"
        if int(copied.strip() or 0) > 2_000:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partly = int(psql(postgres_url, "SELECT count(*) FROM shipment").strip())
    assert 0 < partly < counts["shipment"], "the copy should have been stopped part way"
    # Resumed, then verified table by table.
    result = db_copy("--from", str(populated), "--to", postgres_url, "--verify")
    assert "by an earlier run" in result.stdout
    assert "Verified" in result.stdout
    for table, count in counts.items():
        assert int(psql(postgres_url, f'SELECT count(*) FROM "{table}"').strip()) == count, table
    # New rows get new ids after the copied ones.
    assert int(psql(postgres_url, "SELECT nextval(pg_get_serial_sequence('checkpoint', 'id'))").strip()) > counts["checkpoint"]


def test_db_copy_refuses_a_target_with_data_and_verify_finds_a_difference(populated, postgres_url):
    db_copy("--from", str(populated), "--to", postgres_url)
    psql(postgres_url, "UPDATE shipment SET customer_name = 'changed' WHERE id = (SELECT min(id) FROM shipment)")
    check = db_copy("--from", str(populated), "--to", postgres_url, "--verify", check=False)
    assert check.returncode != 0
    assert "DIFFERS" in check.stdout and "shipment" in check.stderr
    other = populated.parent / "other.sqlite"
    create_tenant(other, "other")
    refused = db_copy("--from", str(other), "--to", postgres_url, check=False)
    assert refused.returncode != 0
    assert "holds a copy of" in refused.stderr
