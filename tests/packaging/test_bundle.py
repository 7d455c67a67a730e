"""The standalone app: build it with packaging/build_bundle.py and start it with no Python around it.

Slow (a PyInstaller build): it runs when NN_EXPLORER_BUNDLE_TEST=1, as .ci/run sets it.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("NN_EXPLORER_BUNDLE_TEST"), reason="builds the bundle: set NN_EXPLORER_BUNDLE_TEST=1"),
    pytest.mark.timeout(900),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run([sys.executable, "packaging/build_bundle.py", "--dist", str(out / "dist"), "--work", str(out / "work")],
                   cwd=ROOT, check=True, timeout=840)
    return out / "dist" / "nn-explorer" / "nn-explorer"


def run_bare(cmd, cwd, **extra):
    """Run cmd with no Python environment: no PYTHONPATH, no virtualenv, a PATH without this interpreter."""
    env = {"HOME": str(cwd), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "XDG_CONFIG_HOME": str(cwd / "config"), **extra}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_bundle_has_the_data_the_icon_and_the_version(bundle):
    internal = bundle.parent / "_internal"
    assert (internal / "resources" / "data" / "mnist" / "train-images-idx3-ubyte.gz").is_file()
    assert (internal / "resources" / "icons" / "nn-explorer-256.png").is_file()
    version = run_bare([str(bundle), "--version"], bundle.parent)
    line = next(l for l in (ROOT / "pyproject.toml").read_text().splitlines() if l.startswith("version"))
    assert version.returncode == 0 and version.stdout.strip() == f"nn-explorer {line.split('=')[1].strip().strip(chr(34))}"


def test_the_bundle_trains_headless(bundle, tmp_path):
    result = run_bare([str(bundle), "train", "--epochs", "1"], tmp_path)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.strip().splitlines()[-1].removeprefix("test accuracy:"))
    assert 0.8 < accuracy <= 1.0


def test_the_bundle_opens_its_window_and_takes_a_screenshot(bundle, tmp_path):
    out = tmp_path / "out.png"
    result = run_bare([str(bundle), "--fresh", "--screenshot", str(out), "--steps", "20"], tmp_path,
                      QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 0, result.stderr
    assert "step 20" in result.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000


def test_the_bundle_without_a_usable_display_explains_instead_of_aborting(bundle, tmp_path):
    # no display at all (and, on a bare machine, perhaps no X libraries either): one paragraph, status 1
    result = run_bare([str(bundle)], tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Neural Network Explorer cannot open a window") and result.stderr.count("\n") == 1
