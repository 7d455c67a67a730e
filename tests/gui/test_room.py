"""Every text fits: presentation mode at projector sizes and scalings, every panel in the normal layout.

A screen of W×H device pixels at device pixel ratio r is a window of W/r × H/r logical
pixels with the same fonts (Qt keeps 96 logical dots per inch), so each (size, ratio) is
tested as the logical room it gives. The geometry is read from the widgets and items
(tests/text_geometry.py), not from pixels.
"""
import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from text_geometry import problems_in

from gui.panels import PANEL_NAMES

PROJECTORS = ((1024, 768), (1280, 720), (1280, 800), (1920, 1080))
RATIOS = (1, 1.5, 2)
ROOMS = sorted({(round(w / r), round(h / r)) for w, h in PROJECTORS for r in RATIOS})
# At 1280×800 the default docks are too small for some panels: the Charts' titles (with their
# legends) and the Experiments' two plots get cut, and the long axis labels of the cost surface's
# profile and the matrix form stick out of their plots. Known, and part of making 1280×800 usable.
CRAMPED = pytest.mark.xfail(strict=True, reason="Charts titles, Experiments plots and two long axis labels do not"
                                                " fit 1280×800 docks")
# The cost surface writes "start" by the path's first point even when that point lies at or past
# the map's edge, where the word is clipped: it depends on the path, so this fails only sometimes.
START_LABEL = pytest.mark.xfail(strict=False, reason="the cost surface's 'start' label can lie at the map's edge")
NORMAL_SIZES = (pytest.param((1280, 800), marks=CRAMPED, id="1280x800"),
                pytest.param((1920, 1080), marks=START_LABEL, id="1920x1080"))


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    from core.data import load_mnist
    from gui.app import open_window

    QStandardPaths.setTestModeEnabled(True)
    settings = QSettings(str(tmp_path_factory.mktemp("room") / "settings.ini"), QSettings.IniFormat)
    controller = open_window(load_mnist().subset(2000, 500), restore_settings=False, offer_restore=False,
                             settings=settings, persist=False)
    w = controller.view
    w.actions = controller.actions
    w.worker = controller.worker
    w.show()
    w.worker.step(20)
    w.worker.evaluate()
    yield w
    w.close()


def settle(qtbot, window, ms=350):
    qtbot.wait(ms)
    window.diagram.update_now()


def settled_problems(qtbot, window, tries=12) -> list:
    """Return the problems once the layout has settled (fonts, texts and docks arrive through events)."""
    for _ in range(tries):
        problems = problems_in(window, window.diagram)
        if not problems:
            break
        settle(qtbot, window, 200)
    return problems


@pytest.mark.parametrize("room", ROOMS, ids=[f"{w}x{h}" for w, h in ROOMS])
def test_presentation_mode_fits_the_room(window, qtbot, room):
    qtbot.waitUntil(lambda: window.worker.mailbox.peek().step == 20, timeout=10000)
    window.actions.presenter.room = room
    window.actions.presentation_action.setChecked(True)
    window.actions.set_presentation(True)
    try:
        settle(qtbot, window)
        assert (window.width(), window.height()) == room
        assert window.diagram.canvas.diagram.placed_texts  # the check below has texts to check
        problems = settled_problems(qtbot, window)
        assert not problems, "\n".join(problems)
    finally:
        window.actions.presentation_action.setChecked(False)
        window.actions.set_presentation(False)
        window.actions.presenter.room = None


@pytest.mark.parametrize("size", NORMAL_SIZES)
def test_every_panel_fits_in_the_normal_layout(window, qtbot, size):
    window.resize(*size)
    settle(qtbot, window)
    window.restore_default_layout()  # the docks shared out for this size
    settle(qtbot, window)
    found = {}  # problem → the panel brought forward when it was seen first
    for name in PANEL_NAMES:
        window.show_panel(name)
        settle(qtbot, window, 250)
        for problem in settled_problems(qtbot, window):
            found.setdefault(problem, name)
    assert not found, "\n".join(f"{name}: {problem}" for problem, name in found.items())



# Two steps larger at 1280×800 the type is ~1.9× the normal one: the Current example panel's
# split box and cost line no longer fit the side column (a third of the screen). Known.
LARGE_TYPE_NARROW = pytest.mark.xfail(strict=True, reason="the Current example's controls do not fit a 1280-pixel"
                                                          " screen's side column at two steps larger type")


@pytest.mark.parametrize("room", [(1920, 1080), pytest.param((1280, 800), marks=LARGE_TYPE_NARROW)],
                         ids=["1920x1080", "1280x800"])
def test_presentation_mode_fits_with_larger_type(window, qtbot, room):
    """Two steps of Ctrl+= in the mode: the diagram, the panel and its plots' captions all grow, and still fit."""
    qtbot.waitUntil(lambda: window.worker.mailbox.peek().step == 20, timeout=10000)
    presenter = window.actions.presenter
    presenter.room = room
    window.actions.presentation_action.setChecked(True)
    window.actions.set_presentation(True)
    try:
        presenter.change_type_size(+1)
        presenter.change_type_size(+1)
        settle(qtbot, window)
        axis = window.panels[window.presentation_panel].outputs.getAxis("left")
        assert axis.label.font().pointSizeF() == pytest.approx(axis.font().pointSizeF())  # "output a" grew too
        problems = settled_problems(qtbot, window)
        assert not problems, "\n".join(problems)
    finally:
        presenter.change_type_size(0)
        window.actions.presentation_action.setChecked(False)
        window.actions.set_presentation(False)
        presenter.room = None
