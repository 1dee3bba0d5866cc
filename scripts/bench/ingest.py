#!/usr/bin/env python3
"""Ingest (QUALITY.md): signed AfterShip webhooks, each answered only after its commit, posted by
`wrk` on loopback as fast as Waymark takes them; against the same rows inserted with raw GRDB
(`waymark-bench raw-ingest`) on a copy of the same database, twice: one durable transaction per
event, and 128 events per transaction, the most Waymark's group commit puts in one. The
baseline inserts as many rows as the 128 senders' run committed, so the tables grow alike.

Waymark is measured twice, each time on a fresh copy of the prepared database, by 128 and by 16
concurrent senders: a group commit can only hold the events that are waiting, so only 128
senders can fill transactions as large as the baseline's (a platform's providers retrying after
an outage send that many at once). The last line's ratio is the 128 senders' against the better
baseline; the 16 senders' follows it.

    swift build -c release
    scripts/bench/ingest.py [--seconds 10] [--shipments 1000]

Needs `wrk` and `sqlite3`. Prints a table, then `ingest_rate: X events/s (R of raw GRDB)`."""
import argparse, json, pathlib, shutil, subprocess, sys
from benchlib import RELEASE_BINARY, Waymark, aftership_event, require_tools, table, wrk

# Each wrk thread posts its own share of the prepared events, in order, once.
LUA = """
local thread_count, next_thread = %(threads)d, 0
function setup(thread)
  thread:set("offset", next_thread)
  next_thread = next_thread + 1
end
function init(args)
  bodies, signatures = {}, {}
  local n = 0
  for line in io.lines("%(events)s") do
    if n %% thread_count == offset then
      local tab = line:find("\\t", 1, true)
      signatures[#signatures + 1] = line:sub(1, tab - 1)
      bodies[#bodies + 1] = line:sub(tab + 1)
    end
    n = n + 1
  end
  index = 0
end
function request()
  index = index + 1
  if index > #bodies then index = 1 end  -- ran out: repeats are counted below as not committed
  return wrk.format("POST", "%(path)s", {["aftership-hmac-sha256"] = signatures[index], ["Content-Type"] = "application/json"}, bodies[index])
end
"""


def prepare(waymark, shipments, events):
    """`shipments` registered through the batch API, then `events` signed checkpoint updates
    spread over them, written for wrk (signature, body) and for the baseline (the rows)."""
    numbers = [f"1ZBENCH{n:011d}" for n in range(shipments)]
    for start in range(0, shipments, 1000):
        waymark.api("POST", "/api/v1/shipments/batch",
                    {"shipments": [{"tracking_number": number, "carrier": "ups"} for number in numbers[start:start + 1000]]})
    tenant_id = waymark.sql("SELECT id FROM tenant WHERE slug = 'bench'")
    wrk_lines, raw_lines = [], []
    for n in range(events):
        number = numbers[n % shipments]
        step = n // shipments
        when = f"2026-11-{1 + step // 1440 % 28:02d}T{step // 60 % 24:02d}:{step % 60:02d}:00Z"
        message = f"Scan {step} at the Denver hub"
        body, headers = aftership_event(number, n, when=when, message=message)
        wrk_lines.append(f"{headers['aftership-hmac-sha256']}\t{body.decode()}")
        raw_lines.append("\t".join([tenant_id, number, when.replace("T", " ").replace("Z", ".000"), "in_transit", message, f"raw-{n}", body.decode()]))
    rows_file = waymark.work / "rows.tsv"
    rows_file.write_text("\n".join(raw_lines) + "\n")
    return wrk_lines, rows_file


def measure_waymark(waymark, events, seconds, connections, threads=2):
    """Flat-out ingest through HTTP of `events` (more than the run can send; each is sent at most
    once); events/s counted from the checkpoints committed."""
    events_file = waymark.work / f"events-{connections}.tsv"
    events_file.write_text("\n".join(events) + "\n")
    before = int(waymark.sql("SELECT count(*) FROM checkpoint"))
    script = waymark.work / f"ingest-{connections}.lua"
    script.write_text(LUA % {"threads": threads, "events": events_file, "path": "/hooks/aftership/bench"})
    run = wrk(waymark.base + "/hooks/aftership/bench", seconds=seconds, connections=connections, threads=threads, script=str(script))
    committed = int(waymark.sql("SELECT count(*) FROM checkpoint")) - before
    if run["non_2xx"] or run["socket_errors"]:
        sys.exit(f"ingest: {run['non_2xx']} non-2xx answers and {run['socket_errors']} socket errors")
    if committed < run["requests"]:
        sys.exit(f"ingest: {run['requests']} answered but {committed} committed: prepare more events (--events)")
    return {**run, "events_per_second": run["rps"]}


def measure_raw(bench_binary, database, rows_file, batch):
    """Raw GRDB on its own copy of `database`, so both baselines start from the same rows."""
    copy = database.with_name(f"raw-{batch}.sqlite")
    shutil.copy(database, copy)
    result = subprocess.run([bench_binary, "raw-ingest", str(copy), str(rows_file), str(batch)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="length of the wrk run")
    parser.add_argument("--shipments", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100000, help="prepared events; more than a run can send")
    parser.add_argument("--raw-events", type=int, default=0,
                        help="events the raw baseline inserts (default: as many as the 128 senders' run committed)")
    parser.add_argument("--bin", default=str(RELEASE_BINARY))
    args = parser.parse_args()
    require_tools("wrk", "sqlite3")
    bench_binary = pathlib.Path(args.bin).with_name("waymark-bench")
    if not bench_binary.exists():
        sys.exit(f"no {bench_binary}: run `swift build -c release` first")

    waymark = Waymark(args.bin)
    try:
        waymark.create_tenant()
        waymark.start()
        events, rows_file = prepare(waymark, args.shipments, args.events)
    finally:
        waymark.stop()
    # Every run starts from the same database: the tenant and its shipments, no events yet.
    waymark.sql("PRAGMA wal_checkpoint(TRUNCATE)")
    baseline_db = waymark.work / "baseline.sqlite"
    shutil.copy(waymark.db, baseline_db)
    runs = {}
    for senders in (128, 16):
        server = Waymark(args.bin, work=waymark.work, db=waymark.work / f"waymark-{senders}.sqlite")
        shutil.copy(baseline_db, server.db)
        try:
            server.start()
            runs[senders] = {**measure_waymark(server, events, args.seconds, connections=senders), "rss": server.peak_rss_mib()}
        finally:
            server.stop()
    ours, few, rss = runs[128], runs[16], max(run["rss"] for run in runs.values())
    # The baseline inserts as many events as the 128 senders' run committed: the tables and their
    # indexes grow alike, and inserting gets slower as they grow.
    raw_rows = waymark.work / "rows-baseline.tsv"
    raw_rows.write_text("".join(rows_file.open().readlines()[:args.raw_events or ours["requests"]]))
    single = measure_raw(bench_binary, baseline_db, raw_rows, 1)
    batched = measure_raw(bench_binary, baseline_db, raw_rows, 128)
    ceiling = max(single, batched, key=lambda r: r["events_per_second"])

    print(f"{args.shipments:,} shipments; each event one new checkpoint, acknowledged after its commit (synchronous=FULL)")
    table(["writer", "events/s", "events", "p50 ms", "p99 ms"], [
        *[[f"waymark, signed webhooks over HTTP (wrk -t2 -c{senders})", f"{run['events_per_second']:,.0f}", f"{run['requests']:,}",
           f"{run['latency_ms'][50]:.2f}", f"{run['latency_ms'][99]:.2f}"] for senders, run in [(16, few), (128, ours)]],
        ["raw GRDB, same rows, one transaction per event", f"{single['events_per_second']:,.0f}", f"{single['events']:,}", "", ""],
        ["raw GRDB, same rows, 128 events per transaction", f"{batched['events_per_second']:,.0f}", f"{batched['events']:,}", "", ""],
    ])
    print(f"waymark peak RSS: {rss:.1f} MiB")
    print(f"ingest_rate: {ours['events_per_second']:,.0f} events/s by 128 senders ({ours['events_per_second'] / ceiling['events_per_second']:.2f} of raw GRDB "
          f"at {ceiling['batch']} per transaction, {ours['events_per_second'] / single['events_per_second']:.2f} of raw GRDB at 1); "
          f"by 16 senders {few['events_per_second']:,.0f} ({few['events_per_second'] / ceiling['events_per_second']:.2f})")


if __name__ == "__main__":
    main()
