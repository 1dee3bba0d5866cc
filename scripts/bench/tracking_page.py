#!/usr/bin/env python3
"""Tracking page (QUALITY.md): requests/s of `GET /{tenant}/t/{token}` for a branded shipment with
20 checkpoints, against nginx serving the same bytes as a static file, both under `wrk` on
loopback; then the page's latency at a paced 1,000 requests/s (20 connections, each waiting
20 ms between requests).

    swift build -c release && scripts/bench/tracking_page.py [--seconds 10]

Needs `wrk`, `nginx` and `sqlite3` (apt-get install wrk nginx sqlite3). Prints a table, then one
line `tracking_page_rps: X req/s (R of nginx)`."""
import argparse, pathlib, sys, tempfile
from benchlib import RELEASE_BINARY, Nginx, Waymark, request, require_tools, table, wrk

BRANDING = {"primary_color": "#7a2e1d", "accent_color": "#1d6b7a", "logo_url": "https://cdn.bench.test/logo.svg",
            "support_email": "help@bench.test", "support_url": "https://bench.test/help"}
# A parcel from Shenzhen to Denver, newest last: (status, message, city, country, offset hours).
ROUTE = [("info_received", "Shipment information received", "Shenzhen", "CN", 8),
         *[("in_transit", message, city, country, offset) for message, city, country, offset in [
             ("Picked up", "Shenzhen", "CN", 8), ("Arrived at sort facility", "Shenzhen", "CN", 8),
             ("Departed sort facility", "Shenzhen", "CN", 8), ("Handed to airline", "Hong Kong", "HK", 8),
             ("Departed origin airport", "Hong Kong", "HK", 8), ("Arrived at transit airport", "Anchorage", "US", -9),
             ("Departed transit airport", "Anchorage", "US", -9), ("Arrived at destination airport", "Los Angeles", "US", -8),
             ("Customs clearance started", "Los Angeles", "US", -8), ("Customs cleared", "Los Angeles", "US", -8),
             ("Arrived at hub", "Los Angeles", "US", -8), ("Departed hub", "Los Angeles", "US", -8),
             ("Arrived at hub", "Phoenix", "US", -7), ("Departed hub", "Phoenix", "US", -7),
             ("Arrived at hub", "Salt Lake City", "US", -7), ("Departed hub", "Salt Lake City", "US", -7),
             ("Arrived at delivery station", "Denver", "US", -7), ("Sorted for delivery", "Denver", "US", -7)]],
         ("out_for_delivery", "Out for delivery", "Denver", "US", -7)]


def seed(waymark):
    """The branded tenant and its 20-checkpoint shipment; returns the page's path."""
    waymark.create_tenant(branding=BRANDING)
    waymark.start()
    shipment = waymark.api("POST", "/api/v1/shipments", {
        "tracking_number": "1Z999AA10123456784", "carrier": "ups", "order_number": "BENCH-1042",
        "destination": {"city": "Denver", "region": "CO", "country": "US"}})
    for hour, (status, message, city, country, offset) in enumerate(ROUTE):
        sign = "+" if offset >= 0 else "-"
        waymark.api("POST", f"/api/v1/shipments/{shipment['id']}/events", {
            "status": status, "message": message, "occurred_at": f"2026-11-{20 + hour // 8:02d}T{hour % 8 * 3:02d}:15:00{sign}{abs(offset):02d}:00",
            "location": {"city": city, "country": country}})
    assert len(waymark.api("GET", f"/api/v1/shipments/{shipment['id']}")["checkpoints"]) == 20
    return "/" + shipment["tracking_url"].split("/", 3)[3]


def measure(url, seconds):
    flat_out = wrk(url, seconds=seconds)
    paced = wrk(url, seconds=seconds, connections=20, threads=2, rate=1000)
    for run in (flat_out, paced):
        if run["non_2xx"] or run["socket_errors"]:
            sys.exit(f"{url}: {run['non_2xx']} non-2xx answers and {run['socket_errors']} socket errors")
    return flat_out, paced


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--bin", default=str(RELEASE_BINARY))
    args = parser.parse_args()
    require_tools("wrk", "nginx", "sqlite3")
    waymark = Waymark(args.bin)
    try:
        path = seed(waymark)
        status, page = request(waymark.base + path, method="GET")
        assert status == 200 and page.count(b"<li") >= 20, "the page should list 20 checkpoints"
        static = pathlib.Path(tempfile.mkdtemp(prefix="waymark-static-"))
        (static / "page.html").write_bytes(page)
        static.chmod(0o755)  # nginx's workers drop root
        ours = measure(waymark.base + path, args.seconds)
        rss = waymark.peak_rss_mib()
        with Nginx(static) as nginx:
            ceiling = measure(f"http://127.0.0.1:{nginx.port}/page.html", args.seconds)
    finally:
        waymark.stop()

    rows = []
    for name, (flat_out, paced) in [("waymark GET /{tenant}/t/{token}", ours), ("nginx, same bytes, static file", ceiling)]:
        rows.append([name, f"{flat_out['rps']:,.0f}", f"{flat_out['latency_ms'][99]:.2f}",
                     f"{paced['rps']:,.0f}", f"{paced['latency_ms'][50]:.2f}", f"{paced['latency_ms'][99]:.2f}"])
    print(f"page: {len(page):,} bytes, 20 checkpoints, custom branding; wrk -t2 -c32 flat out, -c20 paced to 1,000 req/s; {args.seconds} s each")
    table(["server", "req/s", "p99 ms", "paced req/s", "paced p50 ms", "paced p99 ms"], rows)
    print(f"waymark peak RSS: {rss:.1f} MiB")
    print(f"tracking_page_rps: {ours[0]['rps']:,.0f} req/s ({ours[0]['rps'] / ceiling[0]['rps']:.2f} of nginx; "
          f"p99 {ours[1]['latency_ms'][99]:.2f} ms at 1,000 req/s)")


if __name__ == "__main__":
    main()
