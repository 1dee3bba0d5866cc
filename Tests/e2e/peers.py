"""Real peers for the notification tests: an aiosmtpd server and a merchant's webhook receiver,
both on 127.0.0.1 with free ports, both recording what they got."""
import base64
import email
import email.policy
import http.server
import json
import pathlib
import socket
import subprocess
import sys
import threading
import time

SMTP_PEER = pathlib.Path(__file__).resolve().parents[1] / "WaymarkNotifyTests" / "Peers" / "smtp_peer.py"


def wait_for(condition, timeout=20, interval=0.05, what="the condition"):
    """Polls until `condition()` is truthy and returns it; fails after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class SMTPPeer:
    """aiosmtpd through Tests/WaymarkNotifyTests/Peers/smtp_peer.py; `extra` are its flags
    (e.g. "--rcpt-reply", "451 4.3.0 try later")."""

    def __init__(self, directory, *extra):
        directory = pathlib.Path(directory)
        self.port_file = directory / f"smtp-{id(self)}.port"
        self.received = directory / f"smtp-{id(self)}.jsonl"
        self.received.touch()
        self.proc = subprocess.Popen([sys.executable, str(SMTP_PEER), "--port-file", str(self.port_file),
                                      "--received", str(self.received), *extra])
        self.port = int(wait_for(lambda: self.port_file.exists() and self.port_file.read_text(), what="the SMTP peer"))
        self.url = f"smtp://127.0.0.1:{self.port}"

    def messages(self):
        """What the server accepted, each with the raw message parsed by Python's email package."""
        out = []
        for line in self.received.read_text().splitlines():
            record = json.loads(line)
            record["message"] = email.message_from_bytes(base64.b64decode(record["raw"]), policy=email.policy.default)
            out.append(record)
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class WebhookReceiver:
    """A merchant's endpoint. `answer(index, request)` returns (status, headers) or "hang"
    (hold the connection without answering until the receiver stops)."""

    def __init__(self, answer=lambda index, request: (204, {})):
        self.requests = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                           "at": time.time()}
                with receiver.lock:
                    index = len(receiver.requests)
                    receiver.requests.append(request)
                reply = answer(index, request)
                if reply == "hang":
                    receiver.stopping.wait()
                    return
                status, headers = reply
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self):
        with self.lock:
            return list(self.requests)

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


class SilentListener:
    """A merchant endpoint that accepts TCP connections and never reads or answers a byte; it
    records when each connection came and holds it until stopped."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.socket.settimeout(0.1)  # so the accept loop sees `stopping`
        self.stopping = threading.Event()
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/hooks"
        self.accepted, self.held = [], []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self.accepted.append(time.time())
                self.held.append(connection)

    def connections(self):
        with self.lock:
            return list(self.accepted)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.socket.close()
        with self.lock:
            for connection in self.held:
                connection.close()


class DNSPeer:
    """A DNS server (dnslib) in this process, on a free UDP port of 127.0.0.1, answering TXT
    queries from `records` (name -> list of texts), which a test may change while it runs: every
    query reads the table afresh, so the server under test keeps one WAYMARK_DNS_SERVER. Other
    names get NXDOMAIN. The same answers as Tests/WaymarkNotifyTests/Peers/dns_peer.py; needs
    dnslib (callers skip without it)."""

    def __init__(self, records=None):
        from dnslib import QTYPE, RCODE, RR, TXT
        from dnslib.server import BaseResolver, DNSServer

        self.lock = threading.Lock()
        self.records = {}
        self.queries = []
        peer = self
        for name, texts in (records or {}).items():
            self.set(name, texts)

        class Table(BaseResolver):
            def resolve(self, request, handler):
                reply = request.reply()
                name = str(request.q.qname).rstrip(".").lower()
                with peer.lock:
                    peer.queries.append((name, QTYPE.get(request.q.qtype)))
                    texts = peer.records.get(name)
                if texts is None:
                    reply.header.rcode = RCODE.NXDOMAIN
                elif request.q.qtype == QTYPE.TXT:
                    for text in texts:
                        data = text.encode()
                        chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
                        reply.add_answer(RR(name + ".", QTYPE.TXT, rdata=TXT(chunks), ttl=60))
                return reply

        class QuietLogger:
            def __getattr__(self, _):
                return lambda *args: None

        self.server = DNSServer(Table(), port=0, address="127.0.0.1", logger=QuietLogger())
        self.server.start_thread()
        self.port = self.server.server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"

    def set(self, name, texts):
        """Serves `texts` as the TXT records of `name` from the next query on (None: NXDOMAIN)."""
        with self.lock:
            if texts is None:
                self.records.pop(name.rstrip(".").lower(), None)
            else:
                self.records[name.rstrip(".").lower()] = list(texts)

    def asked(self, name):
        """How many queries for `name` arrived."""
        with self.lock:
            return sum(1 for queried, _ in self.queries if queried == name.rstrip(".").lower())

    def stop(self):
        self.server.stop()
        self.server.server.server_close()
