"""Before Qt starts on Linux: can its platform plugin load? If not, say which packages to install.

When no platform plugin loads, Qt prints a generic message and aborts inside QApplication(),
which a caller cannot catch. So this check runs first: it loads the plugin Qt would use (xcb,
or wayland in a Wayland session) with the dynamic loader, which fails exactly when one of the
plugin's system libraries is missing, and turns that into one paragraph naming the packages.
It imports no Qt: it runs before Qt is loaded.
"""
from __future__ import annotations

import _ctypes
import ctypes
import importlib.util
import os
import sys
from pathlib import Path

PLUGIN_FILES = {"xcb": "libqxcb.so", "wayland": "libqwayland.so"}
DISPLAY_VARIABLES = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}
# The system libraries Qt's xcb plugin loads (then the wayland plugin's), with the package that provides each: (Debian/Ubuntu, Fedora).
PACKAGES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}
WAYLAND_PACKAGES = {
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
}
# Named in every message: the two a minimal desktop most often lacks since Qt 6.5.
USUAL = ("libxcb-cursor.so.0", "libxkbcommon-x11.so.0")


def platforms_to_try(env) -> list:
    """Return the platform plugins Qt will try, in order, or [] when none of them needs a check."""
    names = [n.strip() for n in env.get("QT_QPA_PLATFORM", "").split(";") if n.strip()]
    if not names:  # Qt's choice when unset: wayland first in a Wayland session, then xcb
        wayland = env.get("XDG_SESSION_TYPE") == "wayland" and env.get("WAYLAND_DISPLAY")
        names = ["wayland", "xcb"] if wayland else ["xcb"]
    names = [n.split(":")[0] for n in names]  # "xcb:option=value"
    return names if all(n in PLUGIN_FILES for n in names) else []


def plugin_dirs(env) -> list:
    """Return the folders Qt searches for platform plugins, in its order."""
    dirs = [Path(p) for p in env.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep) if p]
    dirs += [Path(p) / "platforms" for p in env.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    spec = importlib.util.find_spec("PySide6")
    if spec is not None and spec.submodule_search_locations:
        dirs += [Path(loc) / "Qt" / "plugins" / "platforms" for loc in spec.submodule_search_locations]
    return dirs


def dlopen(path: str):
    """Load a shared library as Qt would, raising OSError with the loader's message if it cannot.

    _ctypes.dlopen rather than ctypes.CDLL: in the standalone bundle, CDLL is wrapped and replaces
    the loader's message (which names the missing library) with a generic one.
    """
    return _ctypes.dlopen(path, os.RTLD_NOW | os.RTLD_LOCAL)


def x_display_error(display: str) -> bool:
    """Return True when the X server at `display` refuses a connection (Qt aborts on that too)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False  # the plugin loaded, so it has libxcb: leave it to Qt
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = (ctypes.c_char_p, ctypes.c_void_p)
    xcb.xcb_connection_has_error.argtypes = (ctypes.c_void_p,)
    xcb.xcb_disconnect.argtypes = (ctypes.c_void_p,)
    connection = xcb.xcb_connect(display.encode(), None)  # never NULL: an error is a connection in error
    failed = bool(xcb.xcb_connection_has_error(connection))
    xcb.xcb_disconnect(connection)
    return failed


def missing_library(error: OSError) -> str:
    """Return the file name of the library a failed dlopen names ("libxcb-cursor.so.0: cannot open …")."""
    return Path(str(error).split(":", 1)[0].strip()).name


def known_packages(platform: str) -> dict:
    """Return {library: (Debian package, Fedora package)} for the libraries a platform plugin loads."""
    return WAYLAND_PACKAGES if platform == "wayland" else PACKAGES


def libraries_missing(platform: str, load=dlopen) -> list:
    """Return the platform plugin's known libraries that the loader cannot load."""
    missing = []
    for name in known_packages(platform):
        try:
            load(name)
        except OSError:
            missing.append(name)
    return missing


def packages_paragraph(platform: str, failed: str, missing) -> str:
    """Return the one-paragraph explanation for a platform plugin that cannot load."""
    packages = known_packages(platform)
    missing = list(dict.fromkeys([failed, *missing]))
    usual = USUAL if platform == "xcb" else ()
    known = [m for m in dict.fromkeys([*missing, *usual]) if m in packages]
    debian = " ".join(dict.fromkeys(packages[m][0] for m in known))
    fedora = " ".join(dict.fromkeys(packages[m][1] for m in known))
    unknown = [m for m in missing if m not in packages]
    extra = (f" ({', '.join(unknown)} is not in the list below: `apt-file search` or `dnf provides` names its package.)"
             if unknown else "")
    install = (f" Install them and start the app again: on Debian or Ubuntu `sudo apt install {debian}`, "
               f"on Fedora `sudo dnf install {fedora}`." if known else " Install them and start the app again.")
    return (f"Neural Network Explorer cannot open a window: Qt's {platform} platform plugin needs system libraries "
            f"that are missing on this computer ({', '.join(missing)}).{extra}{install} "
            "(Without a screen, QT_QPA_PLATFORM=offscreen takes screenshots, and `train` needs no window.)")


def unreachable_display_paragraph(display: str) -> str:
    return (f"Neural Network Explorer cannot open a window: the X display {display} (from DISPLAY) does not "
            "answer. Check that the X server is running and that you may use it (over ssh: `ssh -X`); "
            "without a screen, QT_QPA_PLATFORM=offscreen with --screenshot, or `train`, need no display.")


def no_display_paragraph(names) -> str:
    wanted = " or ".join(DISPLAY_VARIABLES[n] for n in names)
    return ("Neural Network Explorer cannot open a window: there is no display to open it on "
            f"({wanted} is not set; this happens over ssh without X forwarding or in a plain console). "
            "Start it from a desktop session, or without a screen use QT_QPA_PLATFORM=offscreen "
            "with --screenshot, or `train` to train headless.")


def qt_running() -> bool:
    """Return whether a Qt application object exists already (then Qt has found its plugin)."""
    gui = sys.modules.get("PySide6.QtGui")
    return gui is not None and gui.QGuiApplication.instance() is not None


def platform_problem(env=None, load=dlopen, display_error=x_display_error):
    """Return a paragraph saying why Qt could not open a window here, or None if it can (or we cannot tell).

    load: loads a shared library or raises OSError; display_error: whether an X display refuses us.
    """
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    names = platforms_to_try(env)
    if not names:
        return None
    dirs = plugin_dirs(env)
    failures = []  # (platform, library that did not load)
    for name in names:
        plugin = next((d / PLUGIN_FILES[name] for d in dirs if (d / PLUGIN_FILES[name]).is_file()), None)
        if plugin is None:
            continue  # not where we look: leave it to Qt (a custom build may find it elsewhere)
        try:
            load(str(plugin))
        except OSError as exc:
            failures.append((name, missing_library(exc)))
            continue
        display = env.get(DISPLAY_VARIABLES[name])
        if display and name == "xcb" and display_error(display):
            return unreachable_display_paragraph(display)
        if display:
            return None  # this one loads and has a display to talk to
    if failures and len(failures) == len(names):
        platform, failed = failures[-1] if failures[-1][0] == "xcb" else failures[0]
        return packages_paragraph(platform, failed, libraries_missing(platform, load))
    if not any(env.get(DISPLAY_VARIABLES[n]) for n in names):
        return no_display_paragraph(names)
    return None
