"""The confusion matrix says right and wrong in colours that do not mean a weight's sign."""
import numpy as np
import pytest

from gui.analysis.evaluation_parts import ConfusionGrid
from gui.widgets.colours import NEGATIVE, POSITIVE


def hue(rgb) -> float:
    from PySide6.QtGui import QColor

    return QColor(*rgb).hueF() * 360


def hue_distance(a: float, b: float) -> float:
    return min(abs(a - b), 360 - abs(a - b))


@pytest.mark.parametrize("dark", [True, False])
def test_right_and_wrong_cells_are_neither_blue_nor_orange(qtbot, dark):
    grid = ConfusionGrid()
    qtbot.addWidget(grid)
    grid.resize(400, 380)
    grid.set_dark(dark)
    matrix = np.full((10, 10), 3) + np.diag(np.full(10, 900))
    grid.set_matrix(matrix, [str(i) for i in range(10)])
    image = grid.grab().toImage()
    cell = grid.cell_size()
    for true, said in ((2, 2), (2, 7)):  # a right answer, a mistake
        x, y = grid.cell_center(true, said)
        colour = image.pixelColor(int(x - cell * 0.4), int(y - cell * 0.4))  # beside the count's text
        rgb = (colour.red(), colour.green(), colour.blue())
        for weight_colour in (NEGATIVE, POSITIVE):
            assert hue_distance(hue(rgb), hue(weight_colour)) > 45, (true, said, rgb)
