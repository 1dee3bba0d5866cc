"""What the benchmarks share: a Waymark release binary on a temporary database, loopback HTTP,
`wrk` and nginx runs, percentiles and the closing `name: value unit (ratio)` line (QUALITY.md)."""
import base64, hashlib, hmac, json, os, pathlib, re, shutil, socket, subprocess, sys, tempfile, time
import urllib.error, urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
RELEASE_BINARY = ROOT / ".build" / "release" / "waymark"
AFTERSHIP_SECRET = "bench-aftership-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, body=None, headers=None, method="POST"):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.status, response.read()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def require_tools(*names):
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: install with `apt-get install {' '.join(missing)}`")


def aftership_event(number, n, status="InTransit", when="2026-11-27T08:00:00Z", message=None):
    """A signed AfterShip `tracking_update` carrying one checkpoint: (body, headers)."""
    body = json.dumps({"event": "tracking_update", "event_id": f"e-{number}-{n}", "msg": {
        "tracking_number": number, "slug": "ups", "tag": status, "subtag": f"{status}_001",
        "checkpoints": [{"checkpoint_time": when, "message": message or f"Scan {n}", "tag": status,
                         "subtag": f"{status}_001", "city": "Denver", "country_region": "USA"}]}}).encode()
    signature = base64.b64encode(hmac.new(AFTERSHIP_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return body, {"aftership-hmac-sha256": signature, "Content-Type": "application/json"}


class Waymark:
    """A tenant `bench` on a fresh database in a temporary folder, and the server when started."""

    def __init__(self, binary, work=None, db=None, env=None):
        self.binary = str(binary)
        if not pathlib.Path(self.binary).exists():
            sys.exit(f"no binary at {self.binary}: run `swift build -c release` first (or pass --bin)")
        self.work = pathlib.Path(work or tempfile.mkdtemp(prefix="waymark-bench-"))
        # A SQLite file, or a postgres:// URL (scripts/bench/backends.py).
        self.db = db if isinstance(db, str) and db.startswith("postgres") else pathlib.Path(db or self.work / "bench.sqlite")
        self.env = {**os.environ, "WAYMARK_RESOURCES": str(ROOT), "WAYMARK_LOG_LEVEL": "error",
                    "WAYMARK_MAIL_DIR": str(self.work / "mail"), "WAYMARK_API_RATE_LIMIT": "1000000", **(env or {})}
        self.process = None
        self.base = None
        self.api_key = None

    def cli(self, *args, stdin=None):
        return subprocess.run([self.binary, *args, "--db", str(self.db)], input=stdin, capture_output=True,
                              text=True, env=self.env, check=True).stdout

    def create_tenant(self, slug="bench", branding=None):
        """The tenant with an AfterShip secret; `branding` (JSON) is written as the admin would."""
        self.api_key = json.loads(self.cli("tenant", "create", "--slug", slug, "--name", "Bench Outfitters",
                                           "--owner-email", f"owner@{slug}.test", "--password-stdin", "--json",
                                           stdin="a long enough password\n"))["api_key"]
        self.cli("provider", "set", "--tenant", slug, "--provider", "aftership", "--secret", AFTERSHIP_SECRET)
        if branding:
            self.sql(f"UPDATE tenant SET branding = '{json.dumps(branding)}' WHERE slug = '{slug}'")
        return self.api_key

    def sql(self, statement):
        if isinstance(self.db, str):
            return subprocess.run(["psql", self.db, "-XAtq"], input=statement, capture_output=True, text=True, check=True).stdout.strip()
        return subprocess.run(["sqlite3", str(self.db)], input=statement, capture_output=True, text=True, check=True).stdout.strip()

    def start(self):
        port = free_port()
        self.process = subprocess.Popen([self.binary, "serve", "--port", str(port), "--db", str(self.db)], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if request(self.base + "/healthz", method="GET")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        sys.exit("the server did not answer /healthz within a minute")

    def api(self, method, path, payload=None):
        status, body = request(self.base + path, json.dumps(payload).encode() if payload is not None else None,
                               {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}, method)
        return json.loads(body) if body else None

    def peak_rss_mib(self):
        """The server's high-water resident memory (VmHWM)."""
        status = pathlib.Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, seconds=10, connections=32, threads=2, script=None, rate=None):
    """One `wrk --latency` run: requests/s, latency percentiles in ms, and the error counts.
    With `rate` (requests/s over all connections) each connection waits between requests
    (`delay()` in a Lua script), so the latency is measured at that load rather than flat out."""
    args = ["wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    scripts = [script] if script else []
    if rate:
        pace = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        pace.write(f"function delay() return {connections * 1000.0 / rate:.3f} end\n")
        pace.close()
        scripts.append(pace.name)
    if len(scripts) == 2:
        merged = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        merged.write("\n".join(pathlib.Path(s).read_text() for s in scripts))
        merged.close()
        scripts = [merged.name]
    if scripts:
        args += ["-s", scripts[0]]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    latency = {int(p): float(v) * UNIT_MS[u] for p, v, u in WRK_LATENCY.findall(out)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests_done = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"rps": rps, "requests": requests_done, "latency_ms": latency, "non_2xx": non_2xx, "socket_errors": socket_errors}


class Nginx:
    """nginx serving one folder on a loopback port: the ceiling for a static page."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.port = free_port()
        conf_dir = pathlib.Path(tempfile.mkdtemp(prefix="waymark-nginx-"))
        self.conf = conf_dir / "nginx.conf"
        self.conf.write_text(f"""
worker_processes auto;
daemon off;
pid {conf_dir}/nginx.pid;
error_log {conf_dir}/error.log error;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {conf_dir}/body;
    proxy_temp_path {conf_dir}/proxy;
    fastcgi_temp_path {conf_dir}/fastcgi;
    uwsgi_temp_path {conf_dir}/uwsgi;
    scgi_temp_path {conf_dir}/scgi;
    default_type text/html;
    sendfile on;
    keepalive_requests 1000000;
    server {{ listen 127.0.0.1:{self.port}; root {self.root}; etag on; }}
}}
""")
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(["nginx", "-c", str(self.conf), "-p", str(self.conf.parent)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                request(f"http://127.0.0.1:{self.port}/", method="HEAD")
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.05)
        sys.exit(f"nginx did not start: {self.process.stderr.read().decode() if self.process.poll() is not None else ''}")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def table(header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for line in [header, *rows]:
        print("  ".join(str(cell).ljust(width) if i == 0 else str(cell).rjust(width) for i, (cell, width) in enumerate(zip(line, widths))))
