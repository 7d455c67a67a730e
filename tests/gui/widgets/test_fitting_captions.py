"""Axis labels and titles that give way on a small plot: a shorter wording, or none, the whole one in the tooltip."""
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from gui.widgets.axis_labels import fit_axis_label, label_width
from gui.widgets.plot_titles import fitting_title
from gui.widgets.plot_type import BASE_FONT_PROPERTY, scale_plot_captions, set_title_wordings

LONG, SHORT = "step size t along −∇C (the learning rate η is one step)", "step size t"


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def inked_length(axis) -> float:
    return label_width(axis, axis.labelText)


def test_an_axis_label_takes_the_longest_wording_that_fits_along_its_axis(plot, qtbot):
    axis = plot.getAxis("bottom")
    fit_axis_label(axis, LONG, SHORT)
    plot.resize(900, 300)
    qtbot.waitUntil(lambda: axis.labelText == LONG)
    plot.resize(300, 300)  # the long wording would run past both ends of a 250-pixel axis
    qtbot.waitUntil(lambda: axis.labelText == SHORT)
    assert axis.label.isVisible() and inked_length(axis) <= axis.width()
    assert axis.toolTip() == LONG
    plot.resize(900, 300)
    qtbot.waitUntil(lambda: axis.labelText == LONG)


def test_a_vertical_label_gives_way_to_none_on_a_short_plot(plot, qtbot):
    axis = plot.getAxis("left")
    fit_axis_label(axis, "training cost", "cost")
    plot.resize(300, 400)
    qtbot.waitUntil(lambda: axis.labelText == "training cost" and axis.label.isVisible())
    wide = axis.width()
    plot.resize(300, 45)  # shorter than even "cost": no label, and the axis gives its room back
    qtbot.waitUntil(lambda: not axis.label.isVisible() and axis.width() < wide)
    assert axis.toolTip() == "training cost"


def test_an_axis_label_grown_with_the_type_chooses_again(plot, qtbot, qapp):
    axis = plot.getAxis("bottom")
    fit_axis_label(axis, LONG, SHORT)
    plot.resize(round(label_width(axis, LONG)) + 120, 300)
    qtbot.waitUntil(lambda: axis.labelText == LONG)
    base, kept = QFont(qapp.font()), qapp.property(BASE_FONT_PROPERTY)
    qapp.setProperty(BASE_FONT_PROPERTY, base)
    big = QFont(base)
    big.setPointSizeF(base.pointSizeF() * 1.6)
    try:
        QApplication.instance().setFont(big)
        qtbot.waitUntil(lambda: axis.font().pointSizeF() == pytest.approx(big.pointSizeF()))
        scale_plot_captions(plot)
        assert axis.labelText == SHORT  # the long one, 1.6 times as wide, no longer fits
    finally:
        qapp.setFont(base)
        qapp.setProperty(BASE_FONT_PROPERTY, kept)


def test_a_title_says_the_longest_wording_that_fits_and_the_whole_in_its_tooltip(plot, qtbot):
    item = plot.getPlotItem()
    fitting_title(item)
    full = "Cost&nbsp;&nbsp;━&nbsp;each mini-batch&nbsp;&nbsp;━&nbsp;mean of last 100"
    stacked, bare = "Cost<br>━&nbsp;batch ━&nbsp;mean", "Cost"
    set_title_wordings(plot, [full, stacked, bare], 9)
    title = item.titleLabel
    plot.resize(700, 300)
    qtbot.waitUntil(lambda: title.text == full)
    plot.resize(200, 300)
    qtbot.waitUntil(lambda: title.text == stacked)
    assert title.text_width(stacked) <= title.rect().width()
    assert item.layout.rowMaximumHeight(0) == pytest.approx(title.itemRect().height())  # two lines get two lines' room
    plot.resize(110, 300)
    qtbot.waitUntil(lambda: title.text == bare)
    assert title.toolTip() == "Cost  ━ each mini-batch  ━ mean of last 100"
