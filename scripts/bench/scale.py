#!/usr/bin/env python3
"""Scale (QUALITY.md): the tracking page's p99 at a paced 1,000 requests/s and the ingest rate,
with 10,000 and then 1,000,000 shipments in the database; at 1,000,000 both must stay within
1.5x of the 10,000 figures, and the server's resident memory under 150 MB.

    swift build -c release && scripts/bench/scale.py [--large 1000000]

The bulk of the shipments (each with one checkpoint, an order number and an email address) is
written with SQL straight into the file, as a merchant's years of history would be; the measured
shipment and the ingested events go through the server. Needs `wrk`, `nginx` is not used."""
import argparse, sys
from benchlib import RELEASE_BINARY, Waymark, require_tools, table, wrk
from ingest import measure_waymark, prepare
from tracking_page import seed

# Shipment `n` of the bulk: mostly delivered history, the rest still moving.
BULK = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
INSERT INTO shipment (id, tenant_id, tracking_number, carrier, order_number, customer_email, destination_city,
    destination_country, status, delivered_at, last_event_at, stalled_checked_for, token, created_at, updated_at)
SELECT printf('shp_bulk%012d', i), {tenant}, printf('BULK%014d', i), 'ups', printf('SO-%08d', i),
    printf('shopper%d@example.test', i), 'Denver', 'US',
    CASE WHEN i % 10 < 8 THEN 'delivered' ELSE 'in_transit' END,
    CASE WHEN i % 10 < 8 THEN '2026-11-20 12:00:00.000' END,
    '2026-11-20 12:00:00.000', '2026-11-20 12:00:00.000',
    printf('bulktoken%016dxxxxxx', i), '2026-11-18 09:00:00.000', '2026-11-20 12:00:00.000'
FROM n;
INSERT INTO checkpoint (shipment_id, occurred_at, utc_offset_seconds, status, message, city, country, source, fingerprint, recorded_at)
SELECT id, last_event_at, 0, status, 'Scan', 'Denver', 'US', 'bulk', 'bulk', last_event_at FROM shipment WHERE id LIKE 'shp_bulk%';
ANALYZE;
"""


def run(binary, shipments, seconds):
    waymark = Waymark(binary)
    try:
        path = seed(waymark)  # the tenant, its branded 20-checkpoint shipment, and the server
        waymark.stop()
        tenant = waymark.sql("SELECT id FROM tenant WHERE slug = 'bench'")
        waymark.sql(BULK.format(count=shipments, tenant=tenant))
        total = int(waymark.sql("SELECT count(*) FROM shipment"))
        size_mib = waymark.db.stat().st_size / 2**20
        waymark.start()
        page = wrk(waymark.base + path, seconds=seconds, connections=20, rate=1000)
        events, _ = prepare(waymark, 1000, 120000)
        ingest = measure_waymark(waymark, events, seconds, connections=16)
        rss = waymark.peak_rss_mib()
    finally:
        waymark.stop()
    if page["non_2xx"] or page["socket_errors"]:
        sys.exit(f"page: {page['non_2xx']} non-2xx answers and {page['socket_errors']} socket errors")
    return {"shipments": total, "size_mib": size_mib, "page_p50": page["latency_ms"][50], "page_p99": page["latency_ms"][99],
            "page_rps": page["rps"], "ingest": ingest["events_per_second"], "rss": rss}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--bin", default=str(RELEASE_BINARY))
    args = parser.parse_args()
    require_tools("wrk", "sqlite3")
    small = run(args.bin, args.small, args.seconds)
    large = run(args.bin, args.large, args.seconds)

    table(["shipments", "file MiB", "page req/s", "page p50 ms", "page p99 ms", "ingest events/s", "peak RSS MiB"], [
        [f"{r['shipments']:,}", f"{r['size_mib']:,.0f}", f"{r['page_rps']:,.0f}", f"{r['page_p50']:.2f}", f"{r['page_p99']:.2f}",
         f"{r['ingest']:,.0f}", f"{r['rss']:.1f}"] for r in (small, large)])
    page_ratio = large["page_p99"] / small["page_p99"]
    ingest_ratio = small["ingest"] / large["ingest"]
    print(f"at {large['shipments']:,}: page p99 {page_ratio:.2f}x and ingest time per event {ingest_ratio:.2f}x the "
          f"{small['shipments']:,}-shipment figures (limit 1.5x); peak RSS {large['rss']:.1f} MiB (limit 150)")
    print(f"scale_page_p99: {large['page_p99']:.2f} ms ({page_ratio:.2f}x of {small['shipments']:,}; "
          f"ingest {ingest_ratio:.2f}x; peak RSS {large['rss']:.0f} MiB)")


if __name__ == "__main__":
    main()
