#!/usr/bin/env python3
"""SQLite and PostgreSQL side by side (issue: scale-out), one server each on the same machine:
provider webhooks ingested (each answered after its durable commit) by 64 concurrent senders,
the tracking page's p99 at 1,000 requests/s, and a provider event → verified merchant webhook.
PostgreSQL runs as a throwaway cluster started here (scripts/postgres, fsync and
synchronous_commit on: an acknowledged event is on disk), one node with its default pool.

    swift build -c release --product waymark
    scripts/bench/backends.py [--seconds 10] [--bin .build/release/waymark]

Prints a table and one line per target:
`postgres_ingest: X events/s`, `postgres_page_p99: X ms at 1000 req/s`, `postgres_proactive_p99: X ms`."""
import argparse, os, pathlib, shutil, subprocess, sys, tempfile
from benchlib import RELEASE_BINARY, ROOT, Waymark, percentile, table
import ingest, proactive_latency, tracking_page


class Cluster:
    """A PostgreSQL cluster in a temporary folder the postgres user can reach."""

    def __init__(self):
        self.base = pathlib.Path(tempfile.mkdtemp(prefix="waymark-bench-pg-"))
        self.base.chmod(0o755)
        self.server = subprocess.run([str(ROOT / "scripts" / "postgres"), "start", str(self.base / "data")],
                                     capture_output=True, text=True, check=True).stdout.strip()
        self.count = 0

    def database(self):
        self.count += 1
        name = f"bench_{self.count}"
        subprocess.run(["psql", self.server, "-XAtqc", f"CREATE DATABASE {name}"], check=True)
        return self.server.rsplit("/", 1)[0] + f"/{name}?sslmode=disable"

    def stop(self):
        subprocess.run([str(ROOT / "scripts" / "postgres"), "stop", str(self.base / "data")], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


def run_all(binary, db, seconds):
    """The three measures on one backend (`db`: None for a SQLite file, else a URL per step)."""
    results = {}
    waymark = Waymark(binary, db=db())
    try:
        waymark.create_tenant()
        waymark.start()
        events, _ = ingest.prepare(waymark, 1000, 150_000)
        results["ingest"] = ingest.measure_waymark(waymark, events, seconds, connections=64)["events_per_second"]
    finally:
        waymark.stop()
    waymark = Waymark(binary, db=db())
    try:
        path = tracking_page.seed(waymark)
        _, paced = tracking_page.measure(waymark.base + path, seconds)
        results["page_p99"] = paced["latency_ms"][99]
        results["page_rps"] = paced["rps"]
    finally:
        waymark.stop()
    waymark = Waymark(binary, db=db(), env={"WAYMARK_OUTBOUND_ALLOW": "127.0.0.1/32"})
    try:
        waymark.create_tenant()
        waymark.start()
        acked, latencies = proactive_latency.measure(waymark, 500)
        results["proactive_p99"] = percentile(latencies, 99) * 1000
        results["ack_p99"] = percentile(acked, 99) * 1000
        results["webhooks"] = len(latencies)
    finally:
        waymark.stop()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--bin", default=str(RELEASE_BINARY))
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("psql") is None:
        sys.exit("needs wrk and PostgreSQL (apt-get install wrk postgresql)")
    sqlite = run_all(args.bin, lambda: None, args.seconds)
    cluster = Cluster()
    try:
        postgres = run_all(args.bin, cluster.database, args.seconds)
    finally:
        cluster.stop()
    table(["measure", "SQLite", "PostgreSQL", "target (PostgreSQL)"], [
        ["ingest, 64 senders (events/s)", f"{sqlite['ingest']:,.0f}", f"{postgres['ingest']:,.0f}", "≥ 1,500"],
        ["tracking page p99 at 1,000 req/s (ms)", f"{sqlite['page_p99']:.2f}", f"{postgres['page_p99']:.2f}", "< 10"],
        ["event → verified webhook p99 (ms)", f"{sqlite['proactive_p99']:.1f}", f"{postgres['proactive_p99']:.1f}", "< 250"],
        ["  ingest ack p99, one sender (ms)", f"{sqlite['ack_p99']:.1f}", f"{postgres['ack_p99']:.1f}", ""],
    ])
    print(f"postgres_ingest: {postgres['ingest']:,.0f} events/s ({postgres['ingest'] / sqlite['ingest']:.2f} of SQLite)")
    print(f"postgres_page_p99: {postgres['page_p99']:.2f} ms at 1000 req/s ({postgres['page_rps']:.0f} req/s served)")
    print(f"postgres_proactive_p99: {postgres['proactive_p99']:.1f} ms ({postgres['webhooks']} of 500 webhooks)")
    if postgres["webhooks"] < 500 or sqlite["webhooks"] < 500:
        sys.exit(1)


if __name__ == "__main__":
    main()
