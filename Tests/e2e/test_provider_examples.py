"""The providers' own published webhook bodies (Tests/WaymarkProvidersTests/Fixtures/ProviderExamples,
sources in examples.json), sent unchanged and signed as each provider signs to a live server: each
lands with the status PROVIDERS.md gives. Then hostile bodies, validly signed, on every hook route:
never a 5xx, never an HTML page."""
import base64
import hashlib
import hmac
import json
import pathlib
import time
import unicodedata

import pytest

from conftest import ROOT, create_tenant, run_cli
from conftest import query as query_db

EXAMPLES = ROOT / "Tests" / "WaymarkProvidersTests" / "Fixtures" / "ProviderExamples"
SECRET = "e2e-provider-secret"
API_KEY = "e2e-provider-api-key"
PROVIDERS = ["track123", "aftership", "17track", "easypost", "shippo"]


def signed(provider, body):
    """The path suffix and headers a provider sends with `body`."""
    headers = {"Content-Type": "application/json"}
    query = ""
    if provider == "track123":
        stamp = str(int(time.time() * 1000))
        headers["X-Track123-Timestamp"] = stamp
        headers["X-Track123-Signature"] = hmac.new(API_KEY.encode(), stamp.encode(), hashlib.sha256).hexdigest()
    elif provider == "aftership":
        headers["aftership-hmac-sha256"] = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    elif provider == "17track":
        headers["sign"] = hashlib.sha256(body + b"/" + API_KEY.encode()).hexdigest()
    elif provider == "easypost":
        key = unicodedata.normalize("NFKD", SECRET).encode()
        headers["X-Hmac-Signature"] = "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    elif provider == "shippo":
        query = f"?token={SECRET}"
    return query, headers


@pytest.fixture
def server(db, server_factory):
    create_tenant(db, "acme")
    for provider in PROVIDERS:
        run_cli("provider", "set", "--tenant", "acme", "--provider", provider, "--secret", SECRET, "--api-key", API_KEY, db=db)
    return server_factory(db)


def test_published_examples_land_with_the_documented_status(db, server):
    examples = json.loads((EXAMPLES / "examples.json").read_text())
    assert {e["provider"] for e in examples} >= {"easypost", "shippo", "track123"}
    landed = 0
    for example in examples:
        body = (EXAMPLES / example["file"]).read_bytes()
        query, headers = signed(example["provider"], body)
        status, _, text = server.request("POST", f"/hooks/{example['provider']}/acme{query}", body, headers)
        assert status == 200, f"{example['file']}: {status} {text}"
        for expected in example["expect"]:
            number = expected["tracking_number"].replace(" ", "").upper()
            row = next(iter(query_db(db, "SELECT status, substatus FROM shipment WHERE tracking_number = ?", number)), None)
            assert row == (expected["status"], expected["substatus"]), f"{example['file']}: {row} (source: {example['source']})"
            landed += 1
    print(f"provider examples: {len(examples)} bodies sent, {landed} shipments at the documented status")
    assert server.stop() == 0


HOSTILE = [b"", b"{", b"null", b"[]", b"42", b'"text"', b"{}", b'{"data": []}', b'{"msg": {"tracking_number": ["x"]}}',
           b'{"data": {"tracking_number": "BAD NUMBER <script>", "tracking_status": {"status": "DELIVERED"}}}',
           b"\xff\xfe\x00{", b"[" * 3000 + b"]" * 3000, b'{"result": {"tracking_code": 1e999}, "description": "tracker.updated"}']


def test_hostile_bodies_are_never_5xx_on_any_hook(db, server):
    answers = {}
    for provider in PROVIDERS:
        for body in HOSTILE:
            query, headers = signed(provider, body)
            status, response_headers, text = server.request("POST", f"/hooks/{provider}/acme{query}", body, headers)
            answers[status] = answers.get(status, 0) + 1
            assert status < 500, f"{provider}: {status} for {body[:80]!r}: {text}"
            content_type = {k.lower(): v for k, v in response_headers.items()}.get("content-type", "")
            assert "json" in content_type, f"{provider}: {status} answered as {content_type}"
    print(f"hostile hook bodies: {sum(answers.values())} sent, answers {sorted(answers.items())}")
    assert 400 in answers
    assert server.stop() == 0
