"""Start-up without the system libraries Qt's platform plugin needs: a paragraph and status 1, not an abort."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.desktop.platform_check import (
    missing_library,
    packages_paragraph,
    platform_problem,
    platforms_to_try,
    x_display_error,
)

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux's")


def loader_without(*absent):
    """Return a stand-in for ctypes.CDLL that fails, as the dynamic loader does, on the absent libraries."""
    def load(name):
        base = Path(name).name
        if base in absent:
            raise OSError(f"{base}: cannot open shared object file: No such file or directory")
        if base == "libqxcb.so" and "libxcb-cursor.so.0" in absent:
            raise OSError("libxcb-cursor.so.0: cannot open shared object file: No such file or directory")
        return object()
    return load


def display_answers(display):
    return False  # no display error: a running X server


def test_qt_picks_the_platforms_we_check():
    assert platforms_to_try({}) == ["xcb"]
    assert platforms_to_try({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}) == ["wayland", "xcb"]
    assert platforms_to_try({"QT_QPA_PLATFORM": "xcb:nomitshm"}) == ["xcb"]
    assert platforms_to_try({"QT_QPA_PLATFORM": "offscreen"}) == []  # offscreen needs no display libraries


def test_the_library_a_failed_dlopen_names():
    assert missing_library(OSError("libxcb-cursor.so.0: cannot open shared object file: No such file")) \
        == "libxcb-cursor.so.0"
    assert missing_library(OSError("/tmp/x/libxcb-cursor.so.0: file too short")) == "libxcb-cursor.so.0"


@linux_only
def test_a_missing_cursor_library_names_the_debian_and_fedora_packages():
    text = platform_problem({"DISPLAY": ":0"}, load=loader_without("libxcb-cursor.so.0"),
                            display_error=display_answers)
    assert text is not None and "\n" not in text
    assert "libxcb-cursor.so.0" in text
    assert "sudo apt install libxcb-cursor0" in text and "libxkbcommon-x11-0" in text
    assert "sudo dnf install xcb-util-cursor" in text and "libxkbcommon-x11" in text


@linux_only
def test_every_missing_library_is_named_once():
    text = platform_problem({"DISPLAY": ":0"}, load=loader_without("libxcb-cursor.so.0", "libxcb-icccm.so.4"),
                            display_error=display_answers)
    assert "libxcb-icccm4" in text and "xcb-util-wm" in text
    assert text.count("libxcb-cursor0") == 1


def test_an_unknown_library_is_still_named():
    text = packages_paragraph("xcb", "libfoo.so.3", [])
    assert "libfoo.so.3" in text and "dnf provides" in text


@linux_only
def test_no_display_is_said_plainly_and_a_working_setup_passes():
    assert "DISPLAY is not set" in platform_problem({}, load=loader_without())
    assert platform_problem({"DISPLAY": ":0"}, load=loader_without(), display_error=display_answers) is None
    refused = platform_problem({"DISPLAY": ":7"}, load=loader_without(), display_error=lambda display: True)
    assert "X display :7" in refused and "does not answer" in refused
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, load=loader_without("libxcb-cursor.so.0")) is None


@linux_only
def test_an_x_server_that_is_not_there_is_detected():
    assert x_display_error(":97")  # nothing listens on display 97 here


@linux_only
def test_the_app_exits_with_a_paragraph_where_qt_would_abort(tmp_path):
    # An empty file ahead of the real library on the loader's path: the loader fails on it as on a missing one.
    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(LD_LIBRARY_PATH=str(tmp_path), DISPLAY=":99", XDG_CONFIG_HOME=str(tmp_path / "config"))
    qt = subprocess.run([sys.executable, "-c", "from PySide6.QtWidgets import QApplication; QApplication([])"],
                        env=env, capture_output=True, text=True, timeout=120)
    assert qt.returncode != 0 and qt.returncode != 1  # Qt alone aborts (SIGABRT): what the check prevents
    app = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert app.returncode == 1, app.stderr
    paragraph = app.stderr.strip()
    assert "\n" not in paragraph
    assert "libxcb-cursor.so.0" in paragraph and "libxcb-cursor0" in paragraph and "xcb-util-cursor" in paragraph
