"""Architecture and platform guards that run in fresh interpreters."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, timeout=240):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_core_never_imports_qt():
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "core").rglob("*.py")
                     if p.stem != "__init__")
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6')]\n"
            "print(bad); sys.exit(1 if bad else 0)")
    result = run_python(code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(modules) >= 8


def test_qt_survives_300k_void_calls_and_emits():
    """PySide6 6.12.0 on CPython 3.11 leaked a reference to None per void call and aborted
    the interpreter ("none_dealloc") after ~100k; the dependency pin must keep users off it."""
    code = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject, QPointF, Signal
class Emitter(QObject):
    fired = Signal(int)
count = 0
def on_fired(value):
    global count
    count += 1
e = Emitter()
e.fired.connect(on_fired)
p = QPointF()
for i in range(300_000):
    p.setX(1.0)
    p.setY(2.0)
for i in range(300_000):
    e.fired.emit(i)
print("ok", count)
"""
    result = run_python(code)
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert result.stdout.split() == ["ok", "300000"]
