"""Panels out of view start as stand-ins and are built when their tab comes forward or they are used."""
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QVBoxLayout, QWidget

from gui.lazy_panel import lazy_class
from gui.panels import PANELS, create_panel


class ToyPanel(QWidget):
    picked = Signal(int, int)
    built = 0

    def __init__(self, parent=None):
        super().__init__(parent)
        ToyPanel.built += 1
        self.calls = []
        self.label = QLabel("toy", self)
        QVBoxLayout(self).addWidget(self.label)

    def set_value(self, value):
        self.calls.append(("set_value", value))

    def select_item(self, item):
        self.calls.append(("select_item", item))

    def shutdown(self):
        self.calls.append(("shutdown",))

    def wait_idle(self, ms):
        return False

    def show_arrows(self, arrows):
        self.calls.append(("show_arrows", arrows))


def test_a_stand_in_keeps_the_last_state_and_the_last_selections_until_built(qtbot):
    stand_in = lazy_class(ToyPanel)()
    qtbot.addWidget(stand_in)
    before = ToyPanel.built
    stand_in.set_value(1)
    stand_in.set_value(2)
    for item in range(6):
        stand_in.select_item(item)
    assert stand_in.shutdown() is None and stand_in.wait_idle(10) is True  # nothing to stop or wait for
    assert not stand_in.is_built() and ToyPanel.built == before
    panel = stand_in.panel()
    assert isinstance(panel, ToyPanel) and ToyPanel.built == before + 1
    assert panel.calls == [("set_value", 2), ("select_item", 2), ("select_item", 3), ("select_item", 4),
                           ("select_item", 5)]
    stand_in.set_value(3)  # once built, calls go straight through
    assert panel.calls[-1] == ("set_value", 3)


def test_a_stand_in_has_the_panel_s_signals_and_passes_them_on(qtbot):
    stand_in = lazy_class(ToyPanel)()
    qtbot.addWidget(stand_in)
    got = []
    stand_in.picked.connect(lambda a, b: got.append((a, b)))  # connected before the panel exists
    stand_in.panel().picked.emit(3, 4)
    assert got == [(3, 4)]


def test_asking_for_anything_else_builds_the_panel_and_unknown_names_still_fail(qtbot):
    stand_in = lazy_class(ToyPanel)()
    qtbot.addWidget(stand_in)
    assert not hasattr(stand_in, "set_nothing") and not hasattr(stand_in, "select_nothing")
    assert not stand_in.is_built()  # asking whether it takes a call does not build it
    slot = stand_in.show_arrows  # taken as a slot for another panel's signal: not built yet
    assert not stand_in.is_built()
    slot(7)
    assert stand_in.is_built() and stand_in.panel().calls[-1] == ("show_arrows", 7)
    assert stand_in.label.text() == "toy"
    assert not hasattr(stand_in, "no_such_thing")


def dock_pair(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("centre"))
    front, behind = QDockWidget("front", window), QDockWidget("behind", window)
    front.setWidget(QLabel("front panel"))
    stand_in = lazy_class(ToyPanel)()
    behind.setWidget(stand_in)
    window.addDockWidget(Qt.RightDockWidgetArea, front)
    window.tabifyDockWidget(front, behind)
    front.raise_()
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    return window, behind, stand_in


def test_a_panel_tabbed_behind_is_built_only_when_its_tab_comes_forward(qtbot):
    window, behind, stand_in = dock_pair(qtbot)
    qtbot.wait(50)  # a few turns of the event loop: it stays unbuilt behind the front tab
    assert not stand_in.is_built()
    behind.raise_()
    qtbot.waitUntil(stand_in.is_built, timeout=2000)
    assert stand_in.panel().isVisible()


def test_the_window_builds_at_start_only_the_panels_in_view(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    panels = {spec.name: create_panel(spec, parent, lazy=True) for spec in PANELS if spec.name in ("training", "surface")}
    assert not hasattr(panels["training"], "is_built")  # in view at start: the panel itself
    assert not panels["surface"].is_built()
    assert type(panels["surface"].panel()).__name__ == "SurfaceView"
