#!/usr/bin/env python3
"""Admin search (QUALITY.md): a signed-in agent finds a shipment by order number, email, phone or
tracking-number prefix with 1,000,000 shipments stored; target p99 < 50 ms. The baseline, in the
same run and over the same connection, is a signed-in admin page that reads no shipments
(`/admin/sessions`): what a search costs beyond the request path itself.

    swift build -c release && scripts/bench/admin_search.py [--shipments 1000000] [--requests 300]

The shipments are written with SQL straight into the file (as a merchant's years of history
would be; the stalled sweep has seen them all, so the server starts idle): distinct order numbers, tracking numbers spread over their first characters, emails
with capitals in the local part, phones; then each kind of search is asked `--requests` times,
one after another over a kept-alive connection, each answer checked."""
import argparse, http.client, random, re, sys, time, urllib.parse
from benchlib import RELEASE_BINARY, Waymark, percentile, require_tools, table

BULK = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
INSERT INTO shipment (id, tenant_id, tracking_number, carrier, order_number, customer_email, customer_phone, destination_city,
    destination_country, status, delivered_at, last_event_at, stalled_checked_for, token, created_at, updated_at)
SELECT printf('shp_bulk%012d', i), {tenant}, printf('1Z%06X%010d', (i * 2654435761) % 16777216, i), 'ups', printf('SO-%08d', i),
    printf('Shopper.%d@example.test', i), printf('+1720%07d', i), 'Denver', 'US',
    CASE WHEN i % 10 < 7 THEN 'delivered' WHEN i % 10 < 9 THEN 'in_transit' ELSE 'exception' END,
    CASE WHEN i % 10 < 7 THEN '2026-11-20 12:00:00.000' END, '2026-11-20 12:00:00.000', '2026-11-20 12:00:00.000',
    printf('bulktoken%016dxxxxxx', i),
    strftime('%Y-%m-%d %H:%M:%S.000', '2026-05-01', '+' || (i % 200) || ' days', '+' || (i % 86400) || ' seconds'),
    '2026-11-20 12:00:00.000'
FROM n;
ANALYZE;
"""

PASSWORD = "a long enough password"


def tracking_number(i):
    return "1Z%06X%010d" % ((i * 2654435761) % 16777216, i)


# What an agent types, for shipment `i`, and whether the answer must list that shipment.
KINDS = [
    ("order number", lambda i: "SO-%08d" % i, True),
    ("order number prefix", lambda i: "SO-%07d" % (i // 10), False),
    ("email", lambda i: "shopper.%d@example.test" % i, True),
    ("email, other case", lambda i: "SHOPPER.%d@EXAMPLE.TEST" % i, True),
    ("phone", lambda i: "+1 720 %07d" % i, True),
    ("tracking-number prefix", lambda i: tracking_number(i)[:8], False),
    ("tracking number", lambda i: tracking_number(i), True),
]


class Agent:
    """One kept-alive connection with the session cookie of a signed-in person."""

    def __init__(self, base):
        url = urllib.parse.urlparse(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.cookies = {}

    def send(self, method, path, body=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status, text

    def sign_in(self, email):
        status, page = self.send("GET", "/admin/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        status, _ = self.send("POST", "/admin/login", urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf": csrf}))
        if status != 303:
            sys.exit(f"sign-in answered {status}")

    def timed(self, path):
        started = time.perf_counter()
        status, text = self.send("GET", path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            sys.exit(f"{path} answered {status}")
        return elapsed, text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300, help="searches of each kind")
    parser.add_argument("--bin", default=str(RELEASE_BINARY))
    args = parser.parse_args()
    require_tools("sqlite3")
    random.seed(7)

    waymark = Waymark(args.bin)
    try:
        waymark.create_tenant()
        tenant = waymark.sql("SELECT id FROM tenant WHERE slug = 'bench'")
        started = time.perf_counter()
        waymark.sql(BULK.format(count=args.shipments, tenant=tenant))
        filled = time.perf_counter() - started
        total = int(waymark.sql("SELECT count(*) FROM shipment"))
        waymark.start()
        agent = Agent(waymark.base)
        agent.sign_in("owner@bench.test")

        for _ in range(30):  # warm the caches of the connection and the database
            agent.timed("/admin/sessions")
            agent.timed("/admin/shipments?q=" + urllib.parse.quote("SO-%08d" % random.randint(1, total)))
        baseline = [agent.timed("/admin/sessions")[0] for _ in range(args.requests)]

        rows, everything = [], []
        for name, text_for, exact in KINDS + [("order number + status filter", lambda i: "SO-%08d" % i, False)]:
            times = []
            for _ in range(args.requests):
                i = random.randint(1, total)
                path = "/admin/shipments?q=" + urllib.parse.quote(text_for(i))
                if name.endswith("status filter"):
                    path += "&status=exception"
                elapsed, page = agent.timed(path)
                if exact and "/admin/shipments/shp_bulk%012d" % i not in page:
                    sys.exit(f"{name}: searching {text_for(i)!r} did not list shipment {i}")
                times.append(elapsed)
            everything += times
            rows.append([name, f"{percentile(times, 50):.2f}", f"{percentile(times, 95):.2f}", f"{percentile(times, 99):.2f}", f"{max(times):.2f}"])
    finally:
        waymark.stop()

    rows.append(["baseline: /admin/sessions", f"{percentile(baseline, 50):.2f}", f"{percentile(baseline, 95):.2f}",
                 f"{percentile(baseline, 99):.2f}", f"{max(baseline):.2f}"])
    print(f"{total:,} shipments written in {filled:.0f} s; {args.requests} searches of each kind, one at a time over one connection")
    table(["search", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)
    p99, base = percentile(everything, 99), percentile(baseline, 99)
    verdict = "within" if p99 < 50 else "OVER"
    print(f"every search: p99 {p99:.2f} ms at {total:,} shipments ({verdict} the 50 ms target); {p99 / base:.2f}x a signed-in page without a search")
    print(f"admin_search_p99: {p99:.2f} ms ({p99 / base:.2f}x of a signed-in page without a search, at {total:,} shipments)")


if __name__ == "__main__":
    main()
