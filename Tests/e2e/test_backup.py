"""`waymark backup` while the server takes API writes, then `waymark restore` into a fresh
database and a server started on it: every shipment acknowledged before the backup began is
there, its tracking page is served, and the copy passes SQLite's integrity check. A backup never
overwrites a file, and a file that is not a Waymark database is never restored."""
import sqlite3
import threading

import pytest

from conftest import POSTGRES, create_tenant, expect_error, run_cli

if POSTGRES:
    pytest.skip("`waymark backup` and `restore` copy a SQLite file (on PostgreSQL: pg_dump, or `waymark db copy`)",
                allow_module_level=True)


def test_a_backup_taken_under_writes_restores_and_serves(tmp_path, db, server_factory):
    tenant = create_tenant(db, "acme")
    key = tenant["api_key"]
    server = server_factory(db)
    acknowledged = []  # tracking URLs of shipments the API answered 201 for
    stop = threading.Event()

    def write():
        number = 0
        while not stop.is_set() and number < 2_000:
            status, body = server.api("POST", "/shipments", key, {
                "tracking_number": f"1ZBK{number:014d}", "carrier": "ups", "order_number": f"BK-{number}"})
            assert status == 201, body
            acknowledged.append(body["tracking_url"])
            number += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 50:
            stop.wait(0.05)
        before = len(acknowledged)
        backup = tmp_path / "backup.sqlite"
        out = run_cli("backup", str(backup), db=db).stdout
        assert "integrity ok" in out, out
    finally:
        stop.set()
        writer.join(timeout=60)
    assert len(acknowledged) > before, "writes went on during the backup"
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        in_backup = copy.execute("SELECT count(*) FROM shipment").fetchone()[0]
    assert before <= in_backup <= len(acknowledged)

    expect_error(run_cli("backup", str(backup), db=db, check=False), "already exists")

    restored_db = tmp_path / "restored.sqlite"
    assert "integrity ok" in run_cli("restore", str(backup), db=restored_db).stdout
    restored = server_factory(restored_db)
    for url in acknowledged[:before]:
        path = url.split("://", 1)[1].split("/", 1)[1]
        status, _, page = restored.get("/" + path)
        assert status == 200 and "1ZBK" in page, (status, url)


def test_a_file_that_is_not_a_waymark_database_is_never_restored(tmp_path, db):
    create_tenant(db, "acme")
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    expect_error(run_cli("restore", str(junk), db=db, check=False), "is not a Waymark database")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    expect_error(run_cli("restore", str(other), db=db, check=False), "is not a Waymark database")
    assert run_cli("tenant", "create", "--slug", "globex", "--name", "Globex", "--owner-email", "o@globex.test",
                   "--password-stdin", db=db, stdin="a long enough password\n").returncode == 0, "the database still works"
