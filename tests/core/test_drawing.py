"""A digit drawn with the mouse becomes a centred 28×28 input, prepared the way MNIST was."""
import numpy as np
import pytest

from core.lesson.drawing import bounding_box, centre_of_mass, resample_matrix, stroke_image, to_mnist

# synthetic strokes on a 280×280 canvas, as (x, y) points
SEVEN = [[(60, 50), (220, 50), (120, 250)]]
ONE_OFF_CENTRE = [[(250, 20), (245, 120)]]  # small, in a corner
ZERO = [[(140 + 70 * np.cos(t), 140 + 100 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 40)]]
WIDE_DASH = [[(20, 200), (270, 210)]]  # far wider than tall
DOT = [[(100, 100)]]


def field(x):
    return np.asarray(x).reshape(28, 28)


@pytest.mark.parametrize("strokes", [SEVEN, ONE_OFF_CENTRE, ZERO, WIDE_DASH, DOT],
                         ids=["seven", "small-corner", "zero", "wide-dash", "dot"])
def test_a_stroke_becomes_a_centred_28x28_input(strokes):
    x = to_mnist(stroke_image(strokes))
    assert x.shape == (784,) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.5
    row, col = centre_of_mass(field(x))
    assert abs(row - 14) <= 0.75 and abs(col - 14) <= 0.75
    top, bottom, left, right = bounding_box(field(x), threshold=0.0)
    assert bottom - top + 1 <= 20 and right - left + 1 <= 20


def test_the_longer_side_fills_20_pixels_and_the_aspect_ratio_is_kept():
    canvas = np.zeros((280, 280))
    canvas[40:240, 100:150] = 1.0  # a 200 × 50 bar: 4:1
    img = field(to_mnist(canvas))
    top, bottom, left, right = bounding_box(img, threshold=0.0)
    assert bottom - top + 1 == 20
    assert right - left + 1 == 5
    assert img.sum() == pytest.approx(20 * 5, rel=1e-6)  # area-averaging keeps the ink


def test_the_digit_lands_in_the_same_place_wherever_it_was_drawn():
    a = to_mnist(stroke_image(SEVEN))
    shifted = [[(x - 40, y - 20) for x, y in SEVEN[0]]]
    b = to_mnist(stroke_image(shifted))
    assert np.allclose(a, b, atol=1e-6)


def test_thin_strokes_become_grey_edges_not_jagged_steps():
    x = to_mnist(stroke_image(SEVEN, width=22))
    grey = ((x > 0.05) & (x < 0.95)).sum()
    assert grey >= 20  # anti-aliased edges


def test_a_blank_canvas_gives_zeros():
    x = to_mnist(np.zeros((280, 280)))
    assert x.shape == (784,) and not x.any()


def test_resampling_rows_sum_to_one():
    for n_in, n_out in [(280, 20), (7, 20), (20, 20), (201, 13)]:
        m = resample_matrix(n_in, n_out)
        assert m.shape == (n_out, n_in)
        assert np.allclose(m.sum(axis=1), 1.0)


def test_stroke_image_is_antialiased_and_bounded():
    img = stroke_image([[(10, 10.3), (90, 10.3)]], shape=(40, 100), width=10)
    assert img.max() == 1.0 and img.min() == 0.0
    column = img[:, 50]
    assert np.count_nonzero(column == 1.0) == 9  # pixel centres within 4.5 of y = 10.3
    assert np.count_nonzero((column > 0) & (column < 1)) == 2  # one grey pixel on each edge


# -- the drawing view ------------------------------------------------------------------------
def drag(widget, points):
    """Press, move through and release the left mouse button along points, as a user's drag does."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    kinds = ([(QEvent.Type.MouseButtonPress, left, left)] + [(QEvent.Type.MouseMove, none, left)] * (len(points) - 2)
             + [(QEvent.Type.MouseButtonRelease, left, none)])
    for (x, y), (kind, button, buttons) in zip(points, kinds):
        pos = QPointF(x, y)
        event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), button, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)


@pytest.fixture
def draw_view(qtbot):
    from gui.example.draw import DrawView

    view = DrawView()
    qtbot.addWidget(view)
    view.show()
    return view


def test_drawing_with_the_mouse_sends_a_centred_mnist_input(draw_view, qtbot):
    sent = []
    draw_view.inputDrawn.connect(sent.append)
    points = [(80, 60), (200, 60), (180, 110), (150, 170), (130, 240)]
    with qtbot.waitSignal(draw_view.inputDrawn, timeout=5000):
        drag(draw_view.canvas, points)
    x = sent[-1]
    assert isinstance(x, np.ndarray) and x.shape == (784,) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert np.array_equal(x, to_mnist(draw_view.canvas.array()))  # what was drawn, prepared like MNIST
    row, col = centre_of_mass(field(x))
    assert abs(row - 14) <= 0.75 and abs(col - 14) <= 0.75
    # the canvas holds a thick stroke along the drag
    ink = draw_view.canvas.array()
    assert ink[60, 140] == pytest.approx(1.0) and ink[270, 10] == 0.0


def test_clear_wipes_the_canvas_and_says_so(draw_view, qtbot):
    drag(draw_view.canvas, [(50, 50), (200, 200), (220, 220)])
    assert draw_view.canvas.array().any()
    with qtbot.waitSignal(draw_view.cleared):
        draw_view.clear_button.click()
    assert not draw_view.canvas.array().any() and not draw_view.last_input.any()


def test_a_network_without_28x28_inputs_gets_no_drawings(draw_view, qtbot):
    from toys import snapshot, toy_dataset, trained

    ds = toy_dataset()
    net, _, _ = trained(ds, steps=1)
    draw_view.set_snapshot(snapshot(net, ds, "train", 0))
    sent = []
    draw_view.inputDrawn.connect(sent.append)
    drag(draw_view.canvas, [(50, 50), (200, 200), (220, 220)])
    draw_view.send_now()
    assert sent == [] and "cannot be fed" in draw_view.reading.text()
