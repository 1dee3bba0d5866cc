#!/usr/bin/env python3
"""Proactive latency (QUALITY.md): a provider event in → the signed merchant webhook received on
loopback, p50 and p99 over N events. Baseline in the same run: the time the provider waits for
its 2xx (the event committed), so the ratio says how much the outbox and dispatcher add.

    swift build -c release && scripts/bench/proactive_latency.py [--events 1000] [--bin .build/release/waymark]

Prints a table, then one line `proactive_latency_p99: X ms (ratio R to the ingest ack p99)`."""
import argparse, base64, hashlib, hmac, http.server, json, os, pathlib, socket, statistics, subprocess, sys, tempfile, threading, time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECRET = "bench-aftership-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, body=None, headers=None, method="POST"):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, response.read()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "waymark"))
    args = parser.parse_args()
    if not pathlib.Path(args.bin).exists():
        sys.exit(f"no binary at {args.bin}: run `swift build -c release` first (or pass --bin)")

    arrived = {}
    lock = threading.Lock()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            at = time.perf_counter()
            event = json.loads(body)
            if event["type"] == "shipment.status_changed":
                with lock:
                    arrived.setdefault(event["data"]["tracking_number"], at)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    receiver.daemon_threads = True
    threading.Thread(target=receiver.serve_forever, daemon=True).start()

    work = pathlib.Path(tempfile.mkdtemp(prefix="waymark-bench-"))
    db = work / "bench.sqlite"
    env = {**os.environ, "WAYMARK_RESOURCES": str(ROOT), "WAYMARK_OUTBOUND_ALLOW": "127.0.0.1/32", "WAYMARK_LOG_LEVEL": "error",
           "WAYMARK_MAIL_DIR": str(work / "mail")}
    cli = lambda *a, stdin=None: subprocess.run([args.bin, *a, "--db", str(db)], input=stdin, capture_output=True, text=True, env=env, check=True)
    key = json.loads(cli("tenant", "create", "--slug", "bench", "--name", "Bench", "--owner-email", "o@bench.test",
                         "--password-stdin", "--json", stdin="a long enough password\n").stdout)["api_key"]
    cli("provider", "set", "--tenant", "bench", "--provider", "aftership", "--secret", SECRET)
    port = free_port()
    server = subprocess.Popen([args.bin, "serve", "--port", str(port), "--db", str(db)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if request(base + "/healthz", method="GET")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        request(base + "/api/v1/webhook-endpoints", json.dumps({
            "url": f"http://127.0.0.1:{receiver.server_address[1]}/hooks", "events": ["shipment.status_changed"]}).encode(),
            {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})

        sent, acked = {}, []
        for n in range(args.events):
            number = f"BENCH{n:08d}"
            body = json.dumps({"event": "tracking_update", "event_id": f"e-{n}", "msg": {
                "tracking_number": number, "slug": "ups", "tag": "InTransit", "subtag": "InTransit_001",
                "checkpoints": [{"checkpoint_time": "2026-11-27T08:00:00Z", "message": "Departed", "tag": "InTransit",
                                 "subtag": "InTransit_001", "city": "Denver", "country_region": "USA"}]}}).encode()
            signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
            start = time.perf_counter()
            status, _ = request(base + "/hooks/aftership/bench", body, {"aftership-hmac-sha256": signature, "Content-Type": "application/json"})
            acked.append(time.perf_counter() - start)
            assert status == 200
            sent[number] = start
        deadline = time.time() + 60
        while time.time() < deadline:
            with lock:
                if len(arrived) >= args.events:
                    break
            time.sleep(0.05)
        with lock:
            latencies = [arrived[n] - sent[n] for n in sent if n in arrived]
    finally:
        server.terminate()
        server.wait(timeout=30)
        receiver.shutdown()

    ms = lambda v: v * 1000
    print(f"{'measure':<34}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    print(f"{'ingest ack (baseline)':<34}{ms(percentile(acked, 50)):>10.1f}{ms(percentile(acked, 99)):>10.1f}{ms(max(acked)):>10.1f}")
    print(f"{'event in → webhook received':<34}{ms(percentile(latencies, 50)):>10.1f}{ms(percentile(latencies, 99)):>10.1f}{ms(max(latencies)):>10.1f}")
    print(f"webhooks received: {len(latencies)} of {args.events}")
    p99 = percentile(latencies, 99)
    print(f"proactive_latency_p99: {ms(p99):.1f} ms ({p99 / percentile(acked, 99):.1f}x the ingest ack p99)")
    if len(latencies) < args.events:
        sys.exit(1)


if __name__ == "__main__":
    main()
