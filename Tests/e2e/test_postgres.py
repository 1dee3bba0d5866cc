"""The PostgreSQL backend from the command line: `waymark migrate` against a real server (the one
scripts/test starts, named by WAYMARK_TEST_POSTGRES), once however often it runs, and never
printing the password."""
import os
import subprocess
import uuid

import pytest

from conftest import run_cli

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


def test_commands_not_yet_on_postgres_say_so(postgres_url):
    result = run_cli("serve", "--port", "0", db=postgres_url, check=False)
    assert result.returncode != 0
    assert "only `waymark migrate` runs on PostgreSQL" in result.stderr


def test_an_unreachable_server_is_one_clear_error():
    result = run_cli("migrate", db="postgres://waymark:pw@127.0.0.1:1/waymark?sslmode=disable", check=False)
    assert result.returncode != 0
    assert "cannot migrate postgres://waymark:***@127.0.0.1:1/waymark" in result.stderr
