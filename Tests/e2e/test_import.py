"""`waymark import`: a 100,000-row CSV with 1% bad rows is imported with an exact per-row report,
a second import of the same file changes nothing, and memory stays bounded because the file is
streamed in batches rather than read whole."""
import csv
import hashlib
import json
import os
import pty
import re
import select
import subprocess
import time

import pytest

from conftest import BIN, ROOT, create_tenant, expect_error, query, run_cli

ROWS = 100_000
# Columns in an unusual order and case, plus one Waymark does not know (warned, ignored).
HEADER = ["order_number", "Tracking_Number", "carrier", "email", "phone", "name", "postal_code", "city", "country",
          "locale", "gift_note"]
CARRIERS = ["ups", "fedex", "dhl", ""]
CITIES = ["Zürich", "東京", "São Paulo", "Kraków", "New York, NY"]
NAMES = ["Doe, Jane", 'Jane "JJ" Doe', "Zoë Ångström", "O'Brien"]
# Every 100th row is bad, in one of four ways; each gives exactly one error, named by its column.
BAD_KINDS = ["email", "tracking_number", None, "country"]

# Memory bounds. The importer holds one 64 KiB chunk of the file, one 500-row batch and SQLite's
# page cache, so its peak RSS does not grow with the file: measured here at about 42 MiB for a
# 1,000-row file and 44 MiB for the 100,000-row one (debug build). An importer that held the
# 100,000 parsed rows (ten strings each) or their shipments at once would grow by 40 MiB or more,
# so the growth bound fails it; the absolute bound leaves room for allocator noise.
PEAK_RSS_LIMIT_MIB = 100
PEAK_RSS_GROWTH_LIMIT_MIB = 25


def write_csv(path, rows):
    """Writes `rows` data rows; returns {row number: field} for the bad ones (None: field count)."""
    bad = {}
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(HEADER)
        for i in range(1, rows + 1):
            row = [f"A-{i}", f"wm{i:08d}", CARRIERS[i % 4], f"shopper{i}@Example.com",
                   f"+1 415 555 {i % 10000:04d}" if i % 3 == 0 else "", NAMES[i % len(NAMES)],
                   f"{10000 + i % 90000}", CITIES[i % len(CITIES)], "de", "de-AT" if i % 2 else "",
                   "leave at the\ndoor" if i % 7 == 0 else ""]
            if i % 100 == 0:
                kind = BAD_KINDS[(i // 100) % len(BAD_KINDS)]
                bad[i + 1] = kind
                if kind == "email":
                    row[3] = "not-an-email"
                elif kind == "tracking_number":
                    row[1] = ""
                elif kind == "country":
                    row[8] = "12"
                else:
                    row.pop()
            out.writerow(row)
    return bad


def peak_rss_kib(pid):
    """The kernel's high-water mark of a running process's resident memory (VmHWM), or 0."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_import(db, path, *extra):
    """Runs `waymark import` and returns (exit code, stdout, stderr, seconds, peak RSS in MiB).

    The peak is sampled from /proc while the process runs: VmHWM only grows, so the last sample
    is the peak up to the final few milliseconds. (wait4's ru_maxrss would also count the memory
    of the forked Python parent before exec.)"""
    out_path, err_path = f"{path}.out", f"{path}.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        started = time.monotonic()
        proc = subprocess.Popen([str(BIN), "import", "--tenant", "acme", str(path), "--db", str(db), *extra],
                                stdout=out, stderr=err, env={**os.environ, "WAYMARK_RESOURCES": str(ROOT)})
        peak = 0
        while proc.poll() is None:
            peak = max(peak, peak_rss_kib(proc.pid))
            time.sleep(0.01)
        seconds = time.monotonic() - started
    with open(out_path) as out, open(err_path) as err:
        return proc.returncode, out.read(), err.read(), seconds, peak / 1024


def table_checksum(db):
    """SHA-256 of every shipment and subscription row, timestamps included."""
    digest = hashlib.sha256()
    for table in ["shipment", "subscription"]:
        for row in query(db, f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture
def acme_db(db):
    create_tenant(db, "acme")
    return db


def test_import_100k_rows_twice_in_bounded_memory(acme_db, tmp_path, capsys):
    path = tmp_path / "shipments.csv"
    bad = write_csv(path, ROWS)
    assert len(bad) == ROWS // 100
    small = tmp_path / "small.csv"
    write_csv(small, 1_000)

    code, out, err, seconds, peak = run_import(acme_db, path, "--json")
    assert code == 1, err
    report = json.loads(out)
    assert report["failed"] == len(bad)
    assert report["created"] == ROWS - len(bad)
    assert report["unchanged"] == 0
    assert len(report["warnings"]) == 1 and "gift_note" in report["warnings"][0]
    assert {(e["row"], e["field"]) for e in report["errors"]} == set(bad.items())
    assert len(report["errors"]) == len(bad)
    reasons = {e["field"]: e["reason"] for e in report["errors"]}
    assert reasons["email"] == "it has no @"
    assert reasons["tracking_number"] == "is required"
    assert reasons[None] == f"has {len(HEADER) - 1} fields but the header has {len(HEADER)}"
    assert "two-letter" in reasons["country"]

    assert query(acme_db, "SELECT count(*) FROM shipment")[0][0] == ROWS - len(bad)
    # Normalized by the same rules as the API; quoted commas, quotes and line breaks intact.
    (number, carrier, name, city, email, locale), = query(acme_db,
        "SELECT tracking_number, carrier, customer_name, destination_city, customer_email, customer_locale "
        "FROM shipment WHERE tracking_number = 'WM00000001'")
    assert (carrier, name, city, email, locale) == ("fedex", 'Jane "JJ" Doe', "東京", "shopper1@example.com", "de")
    assert query(acme_db, "SELECT count(*) FROM shipment WHERE carrier = 'unknown'")[0][0] > 0
    checksum = table_checksum(acme_db)

    # Again, as text: nothing created, nothing touched, the same rows reported.
    code, out, err, again_seconds, again_peak = run_import(acme_db, path)
    assert code == 1, err
    assert "created    0\n" in out
    assert f"unchanged  {ROWS - len(bad):,}\n" in out
    assert f"failed     {len(bad):,}\n" in out
    for row, field, reason in [(101, "tracking_number", "is required"), (201, "-", "has 10 fields but the header has 11"),
                               (301, "country", "must be a two-letter"), (401, "email", "it has no @")]:
        assert re.search(rf"^  row {row} +{re.escape(field)} +{reason}", out, re.M), f"row {row} not reported"
    assert table_checksum(acme_db) == checksum

    small_code, _, _, _, small_peak = run_import(acme_db, small)
    assert small_code == 1

    with capsys.disabled():
        print(f"\n  import of {ROWS:,} rows: {ROWS / seconds:,.0f} rows/s ({seconds:.1f} s), peak RSS {peak:.1f} MiB;"
              f" re-import {ROWS / again_seconds:,.0f} rows/s, peak RSS {again_peak:.1f} MiB;"
              f" 1,000 rows: peak RSS {small_peak:.1f} MiB")
    assert peak < PEAK_RSS_LIMIT_MIB and again_peak < PEAK_RSS_LIMIT_MIB
    assert peak - small_peak < PEAK_RSS_GROWTH_LIMIT_MIB


def test_a_clean_file_exits_zero_and_reimports_as_unchanged(acme_db, tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text("tracking_number,email\nA1,a@example.com\nA2,\nA1,again@example.com\n")
    code, out, err, *_ = run_import(acme_db, path, "--json")
    assert (code, err) == (0, "")
    # The second A1 is the same shipment as the first, so it is left as it is.
    assert json.loads(out) == {"created": 2, "unchanged": 1, "failed": 0, "warnings": [], "errors": [], "errors_not_listed": 0}
    code, out, _, *_ = run_import(acme_db, path, "--json")
    assert code == 0
    assert json.loads(out)["unchanged"] == 3


def test_fatal_problems_are_one_line_and_save_nothing(acme_db, tmp_path):
    def run(path, tenant="acme"):
        return run_cli("import", "--tenant", tenant, str(path), db=acme_db, check=False)

    good = tmp_path / "good.csv"
    good.write_text("tracking_number\nA1\n")
    no_column = tmp_path / "no-column.csv"
    no_column.write_text("carrier,email\nups,a@example.com\n")
    duplicate = tmp_path / "duplicate.csv"
    duplicate.write_text("tracking_number,Email,email\nA1,,\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")

    for result, words in [
        (run(tmp_path / "missing.csv"), ["missing.csv", "no such file"]),
        (run(good, tenant="ghost"), ["no tenant", "ghost"]),
        (run(no_column), ["tracking_number"]),
        (run(duplicate), ["email", "more than once"]),
        (run(empty), ["empty", "header"]),
    ]:
        expect_error(result, *words)
        assert result.returncode == 2
        assert result.stdout == ""
    assert query(acme_db, "SELECT count(*) FROM shipment")[0][0] == 0


def test_an_unclosed_quote_stops_the_import_with_its_row_and_keeps_the_rows_before(acme_db, tmp_path):
    path = tmp_path / "unclosed.csv"
    path.write_text('tracking_number,name\nA1,ok\nA2,"Jane\nDoe\nA3,x\n')
    result = run_cli("import", "--tenant", "acme", str(path), db=acme_db, check=False)
    expect_error(result, "row 3", "line 3", "never closed", "1 created")
    assert result.returncode == 2
    assert [r[0] for r in query(acme_db, "SELECT tracking_number FROM shipment")] == ["A1"]


def test_progress_bar_on_a_terminal(acme_db, tmp_path):
    path = tmp_path / "progress.csv"
    write_csv(path, 20_000)
    primary, secondary = pty.openpty()
    started = time.monotonic()
    proc = subprocess.Popen([str(BIN), "import", "--tenant", "acme", str(path), "--db", str(acme_db)],
                            stdout=subprocess.PIPE, stderr=secondary, text=True)
    os.close(secondary)
    drawn = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    out = proc.communicate(timeout=60)[0]
    seconds = time.monotonic() - started
    os.close(primary)

    assert proc.returncode == 1
    assert "created    19,800" in out
    frames = [frame for frame in drawn.decode().split("\r") if "rows/s" in frame]
    assert frames, drawn[:500]
    assert "%" in frames[-1] and "rows" in frames[-1]
    # At most ten redraws a second (plus the first), each on the same line.
    assert len(frames) <= seconds * 10 + 2
    assert "\n" not in drawn.decode()
    # The bar is cleared before the summary is printed.
    assert drawn.decode().endswith("\x1b[K")
