"""`--version` prints the version from the package metadata, or from pyproject.toml without it."""
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import resources

ROOT = Path(__file__).resolve().parents[1]


def pyproject_version():
    line = next(l for l in (ROOT / "pyproject.toml").read_text().splitlines() if l.startswith("version"))
    return line.split("=", 1)[1].strip().strip('"')


def test_main_py_version_prints_the_version_and_exits():
    result = subprocess.run([sys.executable, "main.py", "--version"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"nn-explorer {resources.version()}"
    assert "PySide6" not in result.stderr


def test_the_version_comes_from_the_metadata_when_installed(monkeypatch):
    monkeypatch.setattr(metadata, "version", lambda name: "9.8.7" if name == "nn-explorer" else None)
    assert resources.version() == "9.8.7"


def test_without_metadata_the_checkout_s_pyproject_gives_it(monkeypatch):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert resources.version() == pyproject_version()
