#!/usr/bin/env python3
"""Tracking page (QUALITY.md): requests/s of `GET /{tenant}/t/{token}` for a branded shipment with
20 checkpoints, against two ceilings serving the same bytes: nginx (a static file) and a bare
Hummingbird app of the same version answering from memory (`waymark-bench bare-http`), the
stack's own limit; plus `GET /healthz` and a versioned static file against the bare app. All
under `wrk` on loopback, flat out and paced to 1,000 requests/s (20 connections). The flat-out
runs go round the five servers `--rounds` times; each ratio is the median of the rounds' ratios.

    swift build -c release && scripts/bench/tracking_page.py [--seconds 6] [--rounds 5]

Needs `wrk`, `nginx` and `sqlite3` (apt-get install wrk nginx sqlite3). Prints a table, then one
line `tracking_page_rps: X req/s (R of bare Hummingbird, R of nginx; …)`."""
import argparse, pathlib, re, subprocess, sys, tempfile, time
from benchlib import RELEASE_BINARY, Nginx, Waymark, free_port, request, require_tools, table, wrk

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


def paced(url, seconds):
    """The latency at a paced 1,000 requests/s (20 connections)."""
    run = wrk(url, seconds=seconds, connections=20, threads=2, rate=1000)
    check(url, run)
    return run


def check(url, run):
    if run["non_2xx"] or run["socket_errors"]:
        sys.exit(f"{url}: {run['non_2xx']} non-2xx answers and {run['socket_errors']} socket errors")


def median(values):
    return sorted(values)[len(values) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=6, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="flat-out rounds; ratios are the median over rounds")
    parser.add_argument("--bin", default=str(RELEASE_BINARY))
    args = parser.parse_args()
    require_tools("wrk", "nginx", "sqlite3")
    # As shipped: info logging, one access log line per request (written off the request path).
    waymark = Waymark(args.bin, env={"WAYMARK_LOG_LEVEL": "info"})
    try:
        path = seed(waymark)
        status, page = request(waymark.base + path, method="GET")
        assert status == 200 and page.count(b"<li") >= 20, "the page should list 20 checkpoints"
        static = pathlib.Path(tempfile.mkdtemp(prefix="waymark-static-"))
        (static / "page.html").write_bytes(page)
        static.chmod(0o755)  # nginx's workers drop root
        stylesheet = re.search(rb'href="(/static/css/shopper\.css\?v=[0-9a-f]+)"', page)
        assert stylesheet, "the page links its stylesheet with a version"
        with BareHummingbird(pathlib.Path(args.bin).with_name("waymark-bench"), static / "page.html") as bare, Nginx(static) as nginx:
            urls = {"page": waymark.base + path, "healthz": waymark.base + "/healthz", "static": waymark.base + stylesheet.group(1).decode(),
                    "bare": bare.url, "nginx": f"http://127.0.0.1:{nginx.port}/page.html"}
            # Every server once per round, one after the other, in the other order every other
            # round: a machine that slows down or speeds up over the run moves a round's figures
            # together, and its ratios less.
            rounds = []
            for number in range(args.rounds):
                runs = {}
                for name, url in (list(urls.items()) if number % 2 == 0 else list(reversed(urls.items()))):
                    runs[name] = wrk(url, seconds=args.seconds)
                    check(url, runs[name])
                rounds.append(runs)
            latency = {name: paced(url, args.seconds) for name, url in urls.items()}
        rss = waymark.peak_rss_mib()
    finally:
        waymark.stop()

    def rps(name):
        return median([r[name]["rps"] for r in rounds])

    def ratio(name, of="bare"):
        return median([r[name]["rps"] / r[of]["rps"] for r in rounds])

    rows = []
    for name, label in [("page", "waymark GET /{tenant}/t/{token}"), ("healthz", "waymark GET /healthz"),
                        ("static", "waymark GET /static/css/shopper.css?v=…"), ("bare", "bare Hummingbird, same bytes from memory"),
                        ("nginx", "nginx, same bytes, static file")]:
        p99 = median([r[name]["latency_ms"][99] for r in rounds])
        each = " ".join(f"{r[name]['rps'] / r['bare']['rps']:.2f}" for r in rounds)
        rows.append([label, f"{rps(name):,.0f}", f"{ratio(name):.2f}", each, f"{p99:.2f}", f"{latency[name]['rps']:,.0f}",
                     f"{latency[name]['latency_ms'][50]:.2f}", f"{latency[name]['latency_ms'][99]:.2f}"])
    print(f"page: {len(page):,} bytes, 20 checkpoints, custom branding; wrk -t2 -c32 flat out, {args.rounds} rounds of {args.seconds} s "
          f"(medians); -c20 paced to 1,000 req/s")
    table(["server", "req/s", "of bare", "each round", "p99 ms", "paced req/s", "paced p50 ms", "paced p99 ms"], rows)
    print(f"waymark peak RSS: {rss:.1f} MiB")
    print(f"tracking_page_rps: {rps('page'):,.0f} req/s ({ratio('page'):.2f} of bare Hummingbird, "
          f"{ratio('page', of='nginx'):.2f} of nginx; p99 {latency['page']['latency_ms'][99]:.2f} ms at 1,000 req/s; "
          f"healthz {ratio('healthz'):.2f} and static file {ratio('static'):.2f} of bare)")


class BareHummingbird:
    """`waymark-bench bare-http`: the same Hummingbird answering the page's bytes from memory."""

    def __init__(self, binary, page):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/page.html"
        self.command = [str(binary), "bare-http", str(page), str(self.port)]

    def __enter__(self):
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(200):
            try:
                request(self.url, method="GET")
                return self
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"waymark-bench bare-http did not start: {self.process.stderr.read().decode()}")
                time.sleep(0.05)
        sys.exit("waymark-bench bare-http did not answer")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


if __name__ == "__main__":
    main()
