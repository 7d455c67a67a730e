"""The app's one theme: a dark and a light palette, and the shared object that says which is on.

Every themed widget follows the theme itself (`follow_theme(self)` in its constructor), so
switching the palette reaches every panel through one signal rather than by hand.

Spelling: our own names and prose say "colour"; names that belong to Qt or pyqtgraph
(QColor, setColor, ColorMap, color=) keep theirs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from gui.widgets import colours

RGB = tuple  # (r, g, b), 0–255


@dataclass(frozen=True)
class Palette:
    """The colours of one background; every view takes its colours from here."""

    dark: bool
    background: RGB  # plots, the diagram, drawn pictures
    foreground: RGB  # text on the background
    plot_text: RGB  # pyqtgraph's axis and tick text (a little softer than body text)
    muted: RGB  # axes, secondary text
    faint: RGB  # chart axes, the raw cost curve, cursors: recede behind the data
    rule: RGB  # thin separating lines in text
    outline: RGB  # the rings around the diagram's neurons
    raised: RGB  # a tile or box set off from the background
    selection: RGB  # the selected neuron or connection, the predicted digit (never on the weight scale)
    good: RGB  # ✓: a right answer, a check that holds (text)
    bad: RGB  # ✗: a wrong answer, a failed check, a refused entry (text)
    right: RGB  # the evaluation's right and wrong answers (confusion matrix, worst examples)
    wrong: RGB
    warning: RGB  # a change that will cost something (text)
    alert_edge: RGB  # the box that says training diverged: its border, fill and text
    alert_fill: RGB
    alert_text: RGB
    notice_edge: RGB  # a quiet notice (the learning rate moved): its border and fill
    notice_fill: RGB
    negative: RGB  # text coloured by a weight's sign, legible on the background
    positive: RGB
    train: RGB  # the training split in charts
    test: RGB  # the test split in charts
    average: RGB  # the running-average cost curve
    hover: RGB  # a dashed hover guide

    def hex(self, name: str) -> str:
        """Return one of the palette's colours as #rrggbb (for HTML and style sheets)."""
        return hex_colour(getattr(self, name))

    def qcolor(self, name: str) -> QColor:
        """Return one of the palette's colours as a QColor."""
        return QColor(*getattr(self, name))

    def weight_lut(self, n: int = 257) -> np.ndarray:
        """Return the diverging weight scale for this background as an (n, 3) uint8 table."""
        return colours.diverging_lut(n, self.background, dark=self.dark)


DARK = Palette(
    dark=True, background=colours.DARK_BACKGROUND, foreground=(225, 228, 235), plot_text=(210, 214, 222),
    muted=(150, 155, 165), faint=(130, 134, 142), rule=(70, 74, 86), outline=(125, 128, 140), raised=(40, 46, 58),
    selection=colours.SELECTION, good=colours.SELECTION, bad=(255, 110, 110), right=colours.RIGHT,
    wrong=colours.WRONG, warning=(255, 183, 77),
    alert_edge=(224, 120, 90), alert_fill=(58, 34, 34), alert_text=(255, 217, 207),
    notice_edge=(90, 126, 160), notice_fill=(30, 42, 54),
    negative=colours.NEGATIVE, positive=colours.POSITIVE,
    train=(86, 180, 233), test=(240, 160, 40), average=(255, 190, 60), hover=(170, 170, 170),
)
LIGHT = Palette(
    dark=False, background=colours.LIGHT_BACKGROUND, foreground=(30, 32, 38), plot_text=(40, 40, 40),
    muted=(105, 110, 120), faint=(120, 120, 126), rule=(200, 202, 210), outline=(110, 110, 120), raised=(232, 238, 248),
    selection=(20, 150, 60), good=(20, 128, 60), bad=(190, 30, 30), right=colours.LIGHT_RIGHT,
    wrong=colours.LIGHT_WRONG, warning=(138, 75, 0),
    alert_edge=(192, 57, 43), alert_fill=(253, 236, 234), alert_text=(97, 26, 21),
    notice_edge=(122, 160, 200), notice_fill=(234, 242, 251),
    negative=(20, 88, 178), positive=(170, 85, 10),
    train=(0, 114, 178), test=(213, 94, 0), average=(200, 90, 0), hover=(90, 90, 90),
)


def palette(dark: bool) -> Palette:
    """Return the dark or the light palette."""
    return DARK if dark else LIGHT


def hex_colour(rgb) -> str:
    """Return an (r, g, b) colour as #rrggbb."""
    return QColor(*rgb).name()


# Qt's own widgets (Fusion style) in the dark palette; the light one is Fusion's standard.
_QT_DARK = {
    QPalette.Window: (37, 40, 47), QPalette.WindowText: (225, 228, 234),
    QPalette.Base: colours.DARK_BACKGROUND, QPalette.AlternateBase: (44, 48, 56),
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
        qt_palette = QPalette()
        for role, rgb in _QT_DARK.items():
            qt_palette.setColor(role, QColor(*rgb))
        for role in (QPalette.Text, QPalette.ButtonText, QPalette.WindowText):
            qt_palette.setColor(QPalette.Disabled, role, QColor(120, 124, 132))
    else:
        qt_palette = app.style().standardPalette()
    app.setPalette(qt_palette)
    chosen = palette(dark)
    pg.setConfigOptions(background=chosen.background, foreground=chosen.plot_text, antialias=False)


class Theme(QObject):
    """Which palette is on; one shared instance (`theme()`).

    Signals:
        darkChanged(bool dark): the palette switched; themed widgets restyle themselves.
    """

    darkChanged = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._dark = True

    @property
    def dark(self) -> bool:
        return self._dark

    @property
    def palette(self) -> Palette:
        return palette(self._dark)

    def set_dark(self, dark: bool) -> None:
        """Switch the application to the dark or light palette and tell every themed widget."""
        dark = bool(dark)
        if dark == self._dark:
            return
        self._dark = dark
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, dark)
        self.darkChanged.emit(dark)

    def apply(self, app: QApplication) -> None:
        """Give a new application the current palette (at start-up, before the window is built)."""
        apply_theme(app, self._dark)


_THEME: Theme | None = None


def theme() -> Theme:
    """Return the app's one Theme."""
    global _THEME
    if _THEME is None:
        _THEME = Theme()
    return _THEME


def follow_theme(widget) -> None:
    """Style `widget` for the current palette now and whenever it switches (calls widget.set_dark).

    The connection ends with the widget: Qt drops it when the receiver is destroyed.
    """
    shared = theme()
    shared.darkChanged.connect(widget.set_dark)
    widget.set_dark(shared.dark)


def scale_fonts(app: QApplication, factor: float, base: QFont | None = None) -> QFont:
    """Set the application font to `factor` times `base` (for presentation mode); return base."""
    base = QFont(base or app.font())
    font = QFont(base)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 9.0
    font.setPointSizeF(size * factor)
    app.setFont(font)
    return base
