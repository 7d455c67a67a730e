"""Light and dark palettes for the whole app (Qt widgets and pyqtgraph plots alike)."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from gui.widgets.colors import DARK_BACKGROUND, LIGHT_BACKGROUND

_DARK = {
    QPalette.Window: (37, 40, 47), QPalette.WindowText: (225, 228, 234),
    QPalette.Base: DARK_BACKGROUND, QPalette.AlternateBase: (44, 48, 56),
    QPalette.Text: (225, 228, 234), QPalette.Button: (52, 56, 66),
    QPalette.ButtonText: (225, 228, 234), QPalette.ToolTipBase: (250, 250, 235),
    QPalette.ToolTipText: (20, 20, 20), QPalette.Highlight: (61, 126, 214),
    QPalette.HighlightedText: (255, 255, 255), QPalette.Link: (110, 170, 255),
    QPalette.PlaceholderText: (140, 145, 155), QPalette.BrightText: (255, 90, 90),
}


def apply_theme(app: QApplication, dark: bool = True) -> None:
    """Switch the application palette and pyqtgraph's defaults to dark or light."""
    app.setStyle("Fusion")
    if dark:
        palette = QPalette()
        for role, rgb in _DARK.items():
            palette.setColor(role, QColor(*rgb))
        for role in (QPalette.Text, QPalette.ButtonText, QPalette.WindowText):
            palette.setColor(QPalette.Disabled, role, QColor(120, 124, 132))
    else:
        palette = app.style().standardPalette()
    app.setPalette(palette)
    pg.setConfigOptions(background=DARK_BACKGROUND if dark else LIGHT_BACKGROUND,
                        foreground=(210, 214, 222) if dark else (40, 40, 40), antialias=False)


def scale_fonts(app: QApplication, factor: float, base: QFont | None = None) -> QFont:
    """Set the application font to `factor` times `base` (for presentation mode); return base."""
    base = QFont(base or app.font())
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 9.0
    font.setPointSizeF(size * factor)
    app.setFont(font)
    return base
