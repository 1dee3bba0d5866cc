"""Real peers for the notification tests: an aiosmtpd server and a merchant's webhook receiver,
both on 127.0.0.1 with free ports, both recording what they got."""
import base64
import email
import email.policy
import http.server
import json
import pathlib
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
