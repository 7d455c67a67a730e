"""Plot captions (axis labels, titles) follow the application's type size, as the tick labels already do."""
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from gui.widgets.plot_type import BASE_FONT_PROPERTY, scale_plot_captions, set_plot_title, type_factor


@pytest.fixture
def larger_type(qapp):
    """Make the application type 1.5 times its base size for one test."""
    base = QFont(qapp.font())
    kept = qapp.property(BASE_FONT_PROPERTY)
    qapp.setProperty(BASE_FONT_PROPERTY, base)
    big = QFont(base)
    big.setPointSizeF(base.pointSizeF() * 1.5)
    yield base, big
    qapp.setFont(base)
    qapp.setProperty(BASE_FONT_PROPERTY, kept)


def test_axis_labels_and_titles_grow_with_the_type_and_come_back(qtbot, larger_type):
    base, big = larger_type
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.setLabel("bottom", "step")
    plot.setTitle("Cost", size="9pt")
    plot.resize(400, 300)
    plot.show()
    axis = plot.getAxis("bottom")
    height = axis.height()
    QApplication.instance().setFont(big)
    qtbot.waitUntil(lambda: axis.font().pointSizeF() == pytest.approx(big.pointSizeF()))  # ticks follow by themselves
    assert axis.label.font().pointSizeF() == pytest.approx(base.pointSizeF())  # …the label does not
    assert type_factor() == pytest.approx(1.5)
    assert scale_plot_captions(plot) == 5  # the four axes' labels (two hidden) and the title
    assert axis.label.font().pointSizeF() == pytest.approx(big.pointSizeF())
    assert plot.getPlotItem().titleLabel.opts["size"] == "13.50pt"
    assert axis.maximumHeight() > height  # the axis made room for the larger label
    QApplication.instance().setFont(base)
    qtbot.waitUntil(lambda: axis.font().pointSizeF() == pytest.approx(base.pointSizeF()))
    scale_plot_captions(plot)
    assert axis.label.font().pointSizeF() == pytest.approx(base.pointSizeF())
    assert plot.getPlotItem().titleLabel.opts["size"] == "9.00pt"
    assert scale_plot_captions(plot) == 0  # nothing to do twice


def test_a_title_set_again_keeps_the_type_size(qtbot, larger_type):
    _, big = larger_type
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    QApplication.instance().setFont(big)
    set_plot_title(plot, "one step", 9)
    assert plot.getPlotItem().titleLabel.opts["size"] == "13.50pt"
    scale_plot_captions(plot)
    assert plot.getPlotItem().titleLabel.opts["size"] == "13.50pt"  # its base stays 9 points, not 13.5
