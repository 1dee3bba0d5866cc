"""The fuzz targets on their seeds, through the ordinary build's `waymark-fuzz` (a replayer
there): every target has seeds, and none of them crashes a parser or breaks a promise it makes.
scripts/fuzz then mutates these seeds in its sanitizer build."""
import subprocess
import sys

import pytest

from conftest import BIN, ROOT

FUZZ = BIN.parent / "waymark-fuzz"


def targets():
    if not FUZZ.exists():
        return []
    return subprocess.run([str(FUZZ), "--list"], capture_output=True, text=True, check=True).stdout.split()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeds")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "fuzz_seeds.py"), str(folder)], check=True)
    return folder


def test_every_target_is_listed():
    assert FUZZ.exists(), f"{FUZZ} is missing: swift build builds it"
    assert set(targets()) == {"providers", "standard-webhooks", "tracking-number", "csv-import", "form", "rfc3339", "template", "branding"}


@pytest.mark.parametrize("target", targets())
def test_seeds_replay_without_findings(seeds, target):
    files = list((seeds / target).iterdir())
    assert files, f"no seeds for {target}"
    result = subprocess.run([str(FUZZ), target, str(seeds / target)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{target}: {len(files)} inputs, no findings" in result.stdout


def test_an_unknown_target_is_refused_with_the_list():
    result = subprocess.run([str(FUZZ), "no-such-target"], capture_output=True, text=True)
    assert result.returncode == 2 and "targets: providers" in result.stderr
