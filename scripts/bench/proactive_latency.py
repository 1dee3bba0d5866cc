#!/usr/bin/env python3
"""Proactive latency (QUALITY.md): a provider event in → the signed merchant webhook received on
loopback, p50 and p99 over N events. Baseline in the same run: the time the provider waits for
its 2xx (the event committed), so the ratio says how much the outbox and dispatcher add.

    swift build -c release && scripts/bench/proactive_latency.py [--events 1000] [--bin .build/release/waymark]

Prints a table, then one line `proactive_latency_p99: X ms (ratio R to the ingest ack p99)`."""
import argparse, http.server, json, sys, threading, time
from benchlib import RELEASE_BINARY, Waymark, aftership_event, percentile, request, table


def measure(waymark, events):
    """`events` signed status changes posted one at a time to a started server whose tenant is
    `bench`: (ack latencies, event → webhook latencies), in seconds."""
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
    try:
        waymark.api("POST", "/api/v1/webhook-endpoints", {
            "url": f"http://127.0.0.1:{receiver.server_address[1]}/hooks", "events": ["shipment.status_changed"]})
        sent, acked = {}, []
        for n in range(events):
            number = f"BENCH{n:08d}"
            body, headers = aftership_event(number, n, message="Departed")
            start = time.perf_counter()
            status, _ = request(waymark.base + "/hooks/aftership/bench", body, headers)
            acked.append(time.perf_counter() - start)
            assert status == 200
            sent[number] = start
        deadline = time.time() + 60
        while time.time() < deadline:
            with lock:
                if len(arrived) >= events:
                    break
            time.sleep(0.05)
        with lock:
            return acked, [arrived[n] - sent[n] for n in sent if n in arrived]
    finally:
        receiver.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--bin", default=str(RELEASE_BINARY))
    args = parser.parse_args()

    waymark = Waymark(args.bin, env={"WAYMARK_OUTBOUND_ALLOW": "127.0.0.1/32"})
    try:
        waymark.create_tenant()
        waymark.start()
        acked, latencies = measure(waymark, args.events)
    finally:
        waymark.stop()

    ms = lambda values, p: f"{percentile(values, p) * 1000:.1f}"
    table(["measure", "p50 ms", "p99 ms", "max ms"], [
        ["ingest ack (baseline)", ms(acked, 50), ms(acked, 99), ms(acked, 100)],
        ["event in → webhook received", ms(latencies, 50), ms(latencies, 99), ms(latencies, 100)],
    ])
    print(f"webhooks received: {len(latencies)} of {args.events}")
    p99 = percentile(latencies, 99)
    print(f"proactive_latency_p99: {p99 * 1000:.1f} ms ({p99 / percentile(acked, 99):.1f}x the ingest ack p99)")
    if len(latencies) < args.events:
        sys.exit(1)


if __name__ == "__main__":
    main()
