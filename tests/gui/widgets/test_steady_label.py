"""A label whose text changes with every snapshot must not relayout the window above it."""
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.widgets.steady_label import SteadyLabel


class LayoutRequests(QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def window_with(label_class, qtbot):
    top = QWidget()
    inner = QWidget()
    row = QHBoxLayout(inner)
    label = label_class("step 10")
    row.addWidget(label)
    QVBoxLayout(top).addWidget(inner)
    qtbot.addWidget(top)
    top.show()
    qtbot.waitExposed(top)
    return top, label


def relayouts_while_counting(label, top, qtbot) -> int:
    """Set the texts once (the widest may grow the label), then count the relayouts a second time."""
    for _pass in range(2):
        requests = LayoutRequests(top)
        for step in range(11, 40):
            label.setText(f"step {step}")
            qtbot.wait(1)  # the event loop turns: posted layout requests arrive
    return requests.count


def test_new_text_of_the_same_width_does_not_relayout_the_window(qtbot):
    top, label = window_with(QLabel, qtbot)
    assert relayouts_while_counting(label, top, qtbot) > 0  # what a plain QLabel does
    top, label = window_with(SteadyLabel, qtbot)
    assert relayouts_while_counting(label, top, qtbot) == 0
    assert label.text() == "step 39"


def test_a_wider_text_grows_the_label_and_it_never_clips(qtbot):
    top, label = window_with(SteadyLabel, qtbot)
    narrow = label.width()
    label.setText("step 1,234,567 of a very long run")
    assert label.width() > narrow
    assert label.width() >= QLabel(label.text()).sizeHint().width()
    wide = label.width()
    label.setText("step 2")  # narrower again: keeps its room, so the neighbours do not jump back and forth
    assert label.width() == wide


def test_a_new_font_measures_again(qtbot):
    top, label = window_with(SteadyLabel, qtbot)
    label.setText("step 123,456")
    before = label.width()
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    label.setFont(font)
    assert label.width() > 1.5 * before
    font.setPointSizeF(font.pointSizeF() / 4)
    label.setFont(font)
    assert label.width() < before  # a smaller type shrinks it too


def test_minimum_width_is_kept(qtbot):
    label = SteadyLabel("x", min_width=150)
    qtbot.addWidget(label)
    assert label.width() == 150 and label.minimumWidth() == label.maximumWidth() == 150
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() / 2)
    label.setFont(font)
    assert label.width() == 150
