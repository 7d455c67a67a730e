"""The one theme: two palettes of the same colours, and one shared object every themed widget follows."""
from dataclasses import fields

import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from gui.example.sample import SampleView
from gui.lesson.chain_rule import ChainRuleView
from gui.widgets.theme import DARK, LIGHT, follow_theme, palette, theme


def test_both_palettes_name_every_colour_and_tell_dark_from_light():
    assert palette(True) is DARK and palette(False) is LIGHT
    for field in fields(DARK):
        if field.name == "dark":
            continue
        for chosen in (DARK, LIGHT):
            rgb = getattr(chosen, field.name)
            assert len(rgb) == 3 and all(0 <= c <= 255 for c in rgb), (field.name, rgb)
    assert DARK.background != LIGHT.background and DARK.foreground != LIGHT.foreground
    assert DARK.hex("background") == "#16181e" and LIGHT.qcolor("background") == QColor(250, 250, 250)


def test_switching_the_theme_restyles_every_widget_that_follows_it(qtbot):
    sample, chain = SampleView(), ChainRuleView()
    qtbot.addWidget(sample)
    qtbot.addWidget(chain)
    assert sample.outputs.backgroundBrush().color() == DARK.qcolor("background")
    with qtbot.waitSignal(theme().darkChanged) as signal:
        theme().set_dark(False)
    assert signal.args == [False] and theme().palette is LIGHT
    assert sample.outputs.backgroundBrush().color() == LIGHT.qcolor("background")
    assert LIGHT.hex("background") in chain.findChild(pg.QtWidgets.QTextBrowser).styleSheet()
    assert QApplication.instance().palette().color(QApplication.instance().palette().ColorRole.Base) != \
        DARK.qcolor("background")


def test_a_widget_gone_is_no_longer_told(qtbot):
    class Themed(pg.QtWidgets.QWidget):
        calls = []

        def set_dark(self, dark):
            self.calls.append(dark)

    widget = Themed()
    follow_theme(widget)
    assert Themed.calls == [True]
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget))
    theme().set_dark(False)  # must not reach the deleted widget
    assert Themed.calls == [True]


def _alive(widget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_every_themed_widget_follows_the_theme_itself():
    # a panel with set_dark that does not follow the theme would stay dark in the light palette:
    # nothing pushes set_dark into panels any more
    import ast
    from pathlib import Path

    owned = {"EdgeRaster", "DiagramCanvas", "RankingModel", "ChartPlots"}  # styled by the widget that owns them
    shell = {"MainWindow", "WindowActions", "Theme"}  # switch the theme rather than follow it
    gui = Path(__file__).resolve().parents[3] / "gui"
    strays = []
    for path in gui.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            themed = isinstance(node, ast.ClassDef) and node.name not in owned | shell and any(
                isinstance(item, ast.FunctionDef) and item.name == "set_dark" for item in node.body)
            if themed and "follow_theme(self)" not in ast.get_source_segment(source, node):
                strays.append(f"{path.relative_to(gui)}:{node.name}")
    assert not strays
