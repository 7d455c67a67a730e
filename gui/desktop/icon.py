"""The app's icon on the window, the taskbar and the window switcher."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QIcon

from gui.desktop.entry import APP_ID
from resources import ICON_SIZES, icon_png


def app_icon() -> QIcon:
    """Return the icon with every rendered size, so each place Qt shows it gets a sharp one."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(icon_png(size)))
    return icon


def set_app_icon(app) -> None:
    """Give every window of `app` the icon, and tell the desktop which .desktop file is ours."""
    app.setWindowIcon(app_icon())
    # Wayland shells and some X11 docks match windows to `nn-explorer.desktop` by this name.
    QGuiApplication.setDesktopFileName(APP_ID)
