"""Build the standalone app: `python packaging/build_bundle.py` → dist/nn-explorer/nn-explorer.

A one-folder PyInstaller bundle with the embedded MNIST, the icon and the version, which
starts with no Python environment around it. PyInstaller is installed with pip if missing.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "nn-explorer"

# Qt modules and libraries the app never uses. The bundle takes PySide6's hooks as they are
# and these are left out; each is either a Qt add-on of its own (QML, Quick, PDF, web, 3D,
# multimedia) or a big library pulled in by an optional import of pyqtgraph or the stdlib.
EXCLUDES = (
    "tkinter", "unittest", "pydoc_data", "lib2to3", "IPython", "matplotlib", "scipy", "pandas", "PIL",
    "pytest", "hypothesis", "torch", "cupy", "numba", "h5py", "OpenGL", "pyqtgraph.opengl", "pyqtgraph.examples",
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtDesigner", "PySide6.QtUiTools", "PySide6.QtHelp",
    "PySide6.QtSql", "PySide6.QtXml", "PySide6.QtConcurrent", "PySide6.QtDBus", "PySide6.QtPrintSupport",
    "PySide6.QtMultimedia", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.Qt3DCore",
    "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtBluetooth", "PySide6.QtPositioning",
    "PySide6.QtStateMachine", "PySide6.QtSvgWidgets",
)


# Removed after the build (paths under _internal/PySide6/Qt): Qt's translations (the app speaks English)
# and the platform plugins for embedded devices and VNC; the GTK 3 theme plugin would bring GTK,
# cairo and pango with it (Qt's own dialogs and the desktop portal plugin remain).
PRUNE = (
    "translations", "plugins/egldeviceintegrations", "plugins/generic", "plugins/platformthemes/libqgtk3.so",
    "plugins/platforms/libqeglfs.so", "plugins/platforms/libqlinuxfb.so", "plugins/platforms/libqminimalegl.so",
    "plugins/platforms/libqvkkhrdisplay.so", "plugins/platforms/libqvnc.so",
)


def project_version() -> str:
    """Return the version written in pyproject.toml."""
    for line in (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    raise SystemExit("error: no version in pyproject.toml")


def ensure_pyinstaller() -> None:
    """Install PyInstaller with pip when this interpreter does not have it."""
    if importlib.util.find_spec("PyInstaller") is None:
        print("PyInstaller is missing: installing it with pip", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "pyinstaller"], check=True)


def pyinstaller_args(dist: Path, work: Path, version_file: Path) -> list:
    """Return PyInstaller's command line for the one-folder app."""
    sep = os.pathsep
    args = [
        str(ROOT / "main.py"), "--name", NAME, "--onedir", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work), "--specpath", str(work),
        "--paths", str(ROOT),
        # panels are imported by name from gui/panels.py, and the training engine is started by
        # name in a child process: static analysis sees neither, so take every submodule
        "--collect-submodules", "gui", "--collect-submodules", "core",
        "--add-data", f"{ROOT / 'resources' / 'data' / 'mnist'}{sep}resources/data/mnist",
        "--add-data", f"{ROOT / 'resources' / 'icons'}{sep}resources/icons",
        "--add-data", f"{version_file}{sep}resources",
        "--icon", str(ROOT / "resources" / "icons" / "nn-explorer-256.png"),
    ]
    for name in EXCLUDES:
        args += ["--exclude-module", name]
    return args


def is_elf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def needed_closure(starts, libraries: dict) -> set:
    """Return the bundled libraries (names in `libraries`) that the ELF files in `starts` load, directly or not."""
    from PyInstaller.depend.bindepend import get_imports

    seen, todo = set(), list(starts)
    while todo:
        for name, _ in get_imports(str(todo.pop())):
            if name in libraries and name not in seen:
                seen.add(name)
                todo.append(libraries[name])
    return seen


def prune(internal: Path) -> int:
    """Delete PRUNE and the bundled libraries only they needed; return the bytes freed."""
    qt = internal / "PySide6" / "Qt"
    doomed = [qt / rel for rel in PRUNE if (qt / rel).exists()]
    doomed_files = {f for d in doomed for f in ([d] if d.is_file() else d.rglob("*")) if f.is_file()}
    elf = [f for f in internal.rglob("*") if f.is_file() and not f.is_symlink() and is_elf(f)]
    # the libraries others load by name: the folder's top level, Qt's lib/ and numpy.libs/
    libraries = {f.name: f for f in elf if f.parent in (internal, qt / "lib", internal / "numpy.libs")}
    kept_roots = [f for f in elf if f not in doomed_files and (f.name not in libraries or f.name.startswith("libpython"))]
    kept = needed_closure(kept_roots, libraries)
    only_theirs = needed_closure([f for f in doomed_files if is_elf(f)], libraries) - kept
    freed = 0
    for path in [*doomed, *(libraries[name] for name in only_theirs)]:
        freed += folder_size(path) if path.is_dir() else path.stat().st_size
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return freed


def strip_debug_info(internal: Path) -> int:
    """Strip the debug information from libpython (15 MB in some builds); return the bytes freed.

    Only libpython: PyInstaller's --strip strips every library, and breaks those that auditwheel
    has patched (NumPy's OpenBLAS then fails with "ELF load command address/offset not page-aligned").
    """
    strip = shutil.which("strip")
    freed = 0
    for lib in internal.glob("libpython*.so*"):
        before = lib.stat().st_size
        if strip and subprocess.run([strip, "--strip-debug", str(lib)]).returncode == 0:
            freed += before - lib.stat().st_size
    return freed


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def build(dist: Path, work: Path) -> Path:
    """Build the bundle into dist/nn-explorer and return the executable's path."""
    ensure_pyinstaller()
    target = dist / NAME
    if target.exists():
        shutil.rmtree(target)
    with tempfile.TemporaryDirectory() as tmp:
        version_file = Path(tmp) / "VERSION"
        version_file.write_text(project_version() + "\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "PyInstaller", *pyinstaller_args(dist, work, version_file)]
        subprocess.run(cmd, check=True, cwd=ROOT)
    exe = target / NAME
    if not exe.is_file():
        raise SystemExit(f"error: PyInstaller finished but {exe} is missing")
    freed = prune(target / "_internal") + strip_debug_info(target / "_internal")
    print(f"pruned {freed / 1e6:.0f} MB the app never loads")
    return exe


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Build the one-folder app dist/nn-explorer/ with PyInstaller.")
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    p.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's work folder")
    args = p.parse_args(argv)
    start = time.perf_counter()
    exe = build(args.dist.resolve(), args.work.resolve())
    size = folder_size(exe.parent) / 1e6
    print(f"built {exe} ({size:.0f} MB on disk) in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
