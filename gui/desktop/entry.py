"""`--install-desktop-entry`: put the app in the Linux desktop's menus, with its icon.

Writes a freedesktop `.desktop` file into $XDG_DATA_HOME/applications and the icon into
$XDG_DATA_HOME/icons/hicolor (default ~/.local/share), for the current user only. Imports no Qt.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from resources import ICON_SIZES, ICON_SVG, icon_png

APP_ID = "nn-explorer"  # the .desktop file's name, the icon's name, and the window's desktop file name
RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')  # characters that make an Exec argument need quotes


def data_home(env=None) -> Path:
    """Return $XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute (as the spec says)."""
    env = os.environ if env is None else env
    value = env.get("XDG_DATA_HOME", "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def quote_exec_arg(arg: str) -> str:
    """Quote one argument of a desktop entry's Exec key as the Desktop Entry Specification asks."""
    arg = arg.replace("%", "%%")
    if not any(c in RESERVED for c in arg):
        return arg
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'


def launch_command(argv0: str | None = None) -> list:
    """Return the command that starts this app as it was started now (bundle, installed script or checkout)."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    argv0 = sys.argv[0] if argv0 is None else argv0
    if Path(argv0).name == APP_ID and Path(argv0).is_file():
        return [str(Path(argv0).resolve())]
    installed = shutil.which(APP_ID)
    main_py = Path(__file__).resolve().parents[2] / "main.py"
    if installed and not main_py.is_file():
        return [installed]
    return [sys.executable, str(main_py)]


def desktop_entry(command) -> str:
    """Return the text of the .desktop file that runs `command`."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",  # of the Desktop Entry Specification the file follows
        "Name=Neural Network Explorer",
        "GenericName=Neural network explorer",
        "Comment=Watch a small neural network learn to read handwritten digits, and look inside it",
        f"Exec={' '.join(quote_exec_arg(a) for a in command)}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;ArtificialIntelligence;",
        "Keywords=neural network;MNIST;backpropagation;gradient descent;machine learning;",
        "StartupWMClass=Neural Network Explorer",  # the class Qt gives the window on X11 (its app name)
        "",
    ])


def entry_paths(home: Path) -> dict:
    """Return where each file goes under the data home: {target path: source path or None for the entry}."""
    paths = {home / "applications" / f"{APP_ID}.desktop": None,
             home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg": ICON_SVG}
    for size in ICON_SIZES:
        paths[home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = icon_png(size)
    return paths


def install_desktop_entry(env=None, command=None) -> list:
    """Write the .desktop file and the icons for the current user; return the paths written."""
    home = data_home(env)
    written = []
    for target, source in entry_paths(home).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text(desktop_entry(command or launch_command()), encoding="utf-8")
            target.chmod(0o755)  # some desktops only launch entries marked executable
        else:
            shutil.copyfile(source, target)
        written.append(target)
    return written


def uninstall_desktop_entry(env=None) -> list:
    """Remove what install_desktop_entry wrote; return the paths removed."""
    removed = []
    for target in entry_paths(data_home(env)):
        if target.is_file():
            target.unlink()
            removed.append(target)
    return removed


def run_install(uninstall: bool = False) -> int:
    """Install (or remove) the desktop entry and say where; return the exit status."""
    command = launch_command()
    try:
        paths = uninstall_desktop_entry() if uninstall else install_desktop_entry(command=command)
    except OSError as exc:
        print(f"error: could not {'remove' if uninstall else 'write'} the desktop entry: {exc}", file=sys.stderr)
        return 1
    if uninstall:
        print(f"removed {len(paths)} files" + "".join(f"\n  {p}" for p in paths))
        return 0
    entry, icons = paths[0], paths[1:]
    print(f"installed the desktop entry {entry}\nand its icon in {len(icons)} sizes under {icons[0].parents[2]}\n"
          f"(it runs: {' '.join(quote_exec_arg(a) for a in command)}).\n"
          "The app appears in the desktop's menus under Education (log out and in if it does not show yet).")
    return 0
