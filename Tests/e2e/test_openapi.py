"""The served OpenAPI document against the live server, by schemathesis with every check on:
no 5xx, every response matches the document, and the document's input rules match what the
server accepts and refuses (schemathesis.toml explains the few expected 400/422 answers)."""
import shutil
import subprocess

import pytest

from conftest import ROOT, create_tenant

SCHEMATHESIS = shutil.which("schemathesis") or shutil.which("st")


@pytest.mark.skipif(SCHEMATHESIS is None, reason="schemathesis is not installed (pip install schemathesis)")
def test_schemathesis_finds_nothing(db, server_factory):
    key = create_tenant(db, "acme")["api_key"]
    server = server_factory(db)
    status, headers, _ = server.get("/api/v1/openapi.json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    result = subprocess.run(
        [SCHEMATHESIS, "--config-file", str(ROOT / "schemathesis.toml"), "run", f"{server.base}/api/v1/openapi.json",
         "--url", server.base, "--header", f"Authorization: Bearer {key}", "--checks", "all",
         "--max-examples", "60", "--seed", "20261127", "--no-color"],
        capture_output=True, text=True, timeout=900)
    summary = "\n".join(result.stdout.splitlines()[-40:])
    print(summary)
    assert result.returncode == 0, summary
    assert "passed" in summary
    assert server.stop() == 0
    assert " error " not in server.output(), "the server logged an error (a 5xx)"
