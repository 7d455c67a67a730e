"""`--install-desktop-entry`: the .desktop file and the icon in the user's XDG folders."""
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gui.desktop.entry import data_home, desktop_entry, install_desktop_entry, quote_exec_arg, uninstall_desktop_entry
from resources import ICON_SIZES

ROOT = Path(__file__).resolve().parents[2]


def read_entry(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_command_writes_the_entry_and_icons_under_xdg_data_home_and_says_where(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "main.py", "--install-desktop-entry"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    desktop = tmp_path / "applications" / "nn-explorer.desktop"
    assert str(desktop) in result.stdout and str(tmp_path / "icons" / "hicolor") in result.stdout
    entry = read_entry(desktop)
    assert entry["Type"] == "Application" and entry["Icon"] == "nn-explorer" and entry["Name"]
    assert entry["Exec"].split()[-1] == str(ROOT / "main.py")  # a checkout: python main.py
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "nn-explorer.svg").is_file()
    for size in ICON_SIZES:
        png = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "nn-explorer.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_uninstall_removes_what_install_wrote(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path)}
    written = install_desktop_entry(env, command=["/opt/nn explorer/nn-explorer"])
    assert uninstall_desktop_entry(env) == written
    assert not any(p.exists() for p in written)


def test_xdg_data_home_falls_back_to_local_share():
    home = Path.home() / ".local" / "share"
    assert data_home({}) == home
    assert data_home({"XDG_DATA_HOME": "relative/path"}) == home  # the spec ignores relative paths
    assert data_home({"XDG_DATA_HOME": "/x/y"}) == Path("/x/y")


def test_exec_arguments_are_quoted_as_the_spec_asks():
    assert quote_exec_arg("/usr/bin/nn-explorer") == "/usr/bin/nn-explorer"
    assert quote_exec_arg("/opt/my apps/nn-explorer") == '"/opt/my apps/nn-explorer"'
    assert quote_exec_arg('/a$b"c') == '"/a\\$b\\"c"'
    assert quote_exec_arg("/100%/x") == "/100%%/x"
    assert "Exec=\"/opt/my apps/nn-explorer\"\n" in desktop_entry(["/opt/my apps/nn-explorer"])


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="needs desktop-file-utils")
def test_the_entry_passes_the_freedesktop_validator(tmp_path):
    written = install_desktop_entry({"XDG_DATA_HOME": str(tmp_path)}, command=["/opt/my apps/nn-explorer"])
    result = subprocess.run(["desktop-file-validate", str(written[0])], capture_output=True, text=True)
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout
