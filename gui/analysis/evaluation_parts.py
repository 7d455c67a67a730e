"""The pieces of the evaluation view: a clickable confusion grid and a gallery of examples."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QToolTip, QWidget

from gui.widgets.colours import SELECTION
from gui.widgets.theme import follow_theme, palette


def _mix(colour, background, t: float) -> QColor:
    """Return colour blended over background with weight t in [0, 1]."""
    t = float(np.clip(t, 0.0, 1.0))
    return QColor(*(round(b + (c - b) * t) for c, b in zip(colour, background)))


class ConfusionGrid(QWidget):
    """A K×K grid of counts, rows = true class, columns = predicted class; click a cell.

    Correct answers (the diagonal) are green, mistakes crimson (not the weights' blue and
    orange), each shaded by its own scale
    so a few dozen confusions stand out next to a thousand right answers.

    Signals:
        cellClicked(int true, int predicted)
    """

    cellClicked = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.matrix = None
        self.class_names = tuple(str(i) for i in range(10))
        self.selected = None
        self._dark = True
        self.setMouseTracking(True)
        self.setMinimumSize(260, 240)
        follow_theme(self)

    def set_matrix(self, matrix, class_names) -> None:
        self.matrix = None if matrix is None else np.asarray(matrix)
        self.class_names = tuple(class_names)
        self.update()

    def set_selected(self, true: int, predicted: int) -> None:
        self.selected = (true, predicted)
        self.update()

    def set_dark(self, dark: bool) -> None:
        self._dark = bool(dark)
        self.update()

    def sizeHint(self):
        return QSize(380, 360)

    def _geometry(self):
        """Return (left, top, cell) of the grid inside the widget."""
        k = len(self.class_names)
        label = self.fontMetrics().height()
        names = max(self.fontMetrics().horizontalAdvance(n) for n in self.class_names) + 6
        left, top = label + names + 4, label * 2 + 6
        right = self.fontMetrics().horizontalAdvance("100 %") + 10  # per-class accuracy column
        cell = max(8.0, min((self.width() - left - right) / k, (self.height() - top - 4) / k))
        return left, top, cell

    def cell_at(self, x: float, y: float):
        """Return (true, predicted) of the cell under a point, or None."""
        left, top, cell = self._geometry()
        col, row = int((x - left) // cell), int((y - top) // cell)
        k = len(self.class_names)
        return (row, col) if x >= left and y >= top and row < k and col < k else None

    def cell_size(self) -> float:
        """Return the side of one cell of the grid, in pixels."""
        return self._geometry()[2]

    def cell_center(self, true: int, predicted: int):
        left, top, cell = self._geometry()
        return left + (predicted + 0.5) * cell, top + (true + 0.5) * cell

    def mousePressEvent(self, event):
        hit = self.cell_at(event.position().x(), event.position().y())
        if hit is not None and self.matrix is not None:
            self.set_selected(*hit)
            self.cellClicked.emit(*hit)

    def mouseMoveEvent(self, event):
        hit = self.cell_at(event.position().x(), event.position().y())
        if hit is None or self.matrix is None:
            QToolTip.hideText()
            return
        t, p = hit
        count, row_total = int(self.matrix[t, p]), int(self.matrix[t].sum())
        share = f" ({100 * count / row_total:.1f} % of the {self.class_names[t]}s)" if row_total else ""
        QToolTip.showText(event.globalPosition().toPoint(),
                          f"true {self.class_names[t]}, answered {self.class_names[p]}: {count:,} images{share}",
                          self)

    def paintEvent(self, event):
        colours = palette(self._dark)
        bg, right, wrong = colours.background, colours.right, colours.wrong
        fg = colours.qcolor("foreground")
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.fillRect(self.rect(), QColor(*bg))
        left, top, cell = self._geometry()
        k = len(self.class_names)
        h = self.fontMetrics().height()
        painter.setPen(fg)
        painter.drawText(QRectF(left, 0, cell * k, h), Qt.AlignCenter, "network's answer")
        painter.save()
        painter.translate(0, top + cell * k / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-cell * k / 2, 0, cell * k, h), Qt.AlignCenter, "true class")
        painter.restore()
        for i, name in enumerate(self.class_names):
            painter.drawText(QRectF(left + i * cell, h + 2, cell, h), Qt.AlignCenter, name)
            painter.drawText(QRectF(h, top + i * cell, left - h - 4, cell), Qt.AlignRight | Qt.AlignVCenter, name)
        if self.matrix is None:
            painter.drawText(QRectF(left, top, cell * k, cell * k), Qt.AlignCenter, "not evaluated yet")
            return
        m = self.matrix
        rows = np.maximum(m.sum(axis=1), 1)
        off = m.copy()
        np.fill_diagonal(off, 0)
        off_max = max(int(off.max()), 1)
        font = QFont(self.font())
        font.setPixelSize(int(np.clip(cell * 0.32, 7, 14)))
        painter.setFont(font)
        for t in range(k):
            for p in range(k):
                # Square roots make the few-error cells visible without saturating the big ones.
                strength = np.sqrt(m[t, p] / rows[t]) if t == p else np.sqrt(m[t, p] / off_max)
                colour = right if t == p else wrong
                fill = _mix(colour, bg, 0.15 + 0.85 * strength if m[t, p] else 0.0)
                rect = QRectF(left + p * cell, top + t * cell, cell - 1, cell - 1)
                painter.fillRect(rect, fill)
                if m[t, p]:
                    painter.setPen(QColor(0, 0, 0) if fill.lightness() > 140 else QColor(240, 240, 240))
                    painter.drawText(rect, Qt.AlignCenter, f"{int(m[t, p])}")
            painter.setPen(fg)
            painter.drawText(QRectF(left + k * cell + 4, top + t * cell, 60, cell), Qt.AlignLeft | Qt.AlignVCenter,
                             f"{100 * m[t, t] / rows[t]:.0f} %")
        if self.selected is not None:
            t, p = self.selected
            painter.setPen(QPen(QColor(*SELECTION), 3))
            painter.drawRect(QRectF(left + p * cell, top + t * cell, cell - 1, cell - 1))


class GalleryModel(QAbstractListModel):
    """Examples of one split: `indices[row]` is the example shown in that row."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.indices = np.zeros(0, dtype=np.int64)
        self.result = self.dataset = None

    def set_examples(self, result, dataset, indices) -> None:
        self.beginResetModel()
        self.result, self.dataset = result, dataset
        self.indices = np.asarray(indices, dtype=np.int64)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() or self.result is None else len(self.indices)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        i = int(self.indices[index.row()])
        if role == Qt.UserRole:
            return i
        if role == Qt.ToolTipRole:
            names, out = self.dataset.class_names, self.result.outputs[i]
            top = np.argsort(-out)[:3]
            return (f"{self.result.split} image {i}: true {names[self.result.labels[i]]}\n"
                    + "\n".join(f"  {names[c]}: {out[c]:.3f}" for c in top) + "\nClick to show it as the example")
        return None


class ExampleDelegate(QStyledItemDelegate):
    """Paints an example: the image, "true → answer", and a small bar per output neuron."""

    TILE = QSize(176, 74)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.dark = True

    def sizeHint(self, option, index):
        return self.TILE

    def paint(self, painter, option, index):
        model = index.model()
        i = index.data(Qt.UserRole)
        result, ds = model.result, model.dataset
        r = option.rect.adjusted(2, 2, -2, -2)
        colours = palette(self.dark)
        bg, fg = colours.qcolor("raised"), colours.qcolor("foreground")
        right, wrong = colours.right, colours.wrong
        painter.save()
        painter.fillRect(r, bg)
        if option.state & QStyle.State_Selected:
            painter.setPen(QPen(QColor(*SELECTION), 2))
            painter.drawRect(r.adjusted(1, 1, -1, -1))
        image = np.ascontiguousarray(ds.images(result.split)[i])
        h, w = image.shape
        qimage = QImage(image.data, w, h, w, QImage.Format_Grayscale8)
        side = r.height() - 8
        painter.drawImage(QRect(r.left() + 4, r.top() + 4, side, side), qimage)
        true, said, out = int(result.labels[i]), int(result.predictions[i]), result.outputs[i]
        names = ds.class_names
        x0 = r.left() + side + 10
        font = QFont(painter.font())
        font.setBold(true != said)
        painter.setFont(font)
        painter.setPen(colours.qcolor("wrong") if true != said else fg)
        caption = f"{names[true]} → {names[said]}" if true != said else f"{names[true]} ✓"
        line = QRect(x0, r.top() + 2, r.right() - x0 - 2, 16)
        painter.drawText(line, Qt.AlignLeft | Qt.AlignVCenter, caption)
        small = QFont(painter.font())
        small.setBold(False)
        small.setPixelSize(10)
        painter.setFont(small)
        painter.setPen(fg)
        # the output for the true class: how far the network was from the right answer
        painter.drawText(line, Qt.AlignRight | Qt.AlignVCenter, f"{names[true][:6]}: {out[true]:.2f}")
        k = len(out)
        pitch = max(3, (r.right() - x0 - 4) // k)
        base, height = r.bottom() - 14, r.height() - 36
        for c in range(k):
            colour = right if c == true else wrong if c == said else (150, 150, 150)
            bar = int(round(float(np.clip(out[c], 0, 1)) * height))
            painter.fillRect(QRect(x0 + c * pitch, base - bar, pitch - 2, max(bar, 1)), QColor(*colour))
        small.setPixelSize(9)
        painter.setFont(small)
        for c in range(k):
            painter.drawText(QRect(x0 + c * pitch - 2, base + 1, pitch + 2, 12), Qt.AlignHCenter, names[c][:1])
        painter.restore()


class ExampleGallery(QListView):
    """A wrapping grid of example tiles that only paints the visible ones.

    Signals:
        exampleClicked(str split, int index): the example's split and index in it.
    """

    exampleClicked = Signal(str, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.gallery_model = GalleryModel(self)
        self.setModel(self.gallery_model)
        self.delegate = ExampleDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setViewMode(QListView.IconMode)
        self.setFlow(QListView.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.Adjust)
        self.setUniformItemSizes(True)
        self.setMovement(QListView.Static)
        self.setSpacing(2)
        follow_theme(self)
        self.clicked.connect(lambda index: self.exampleClicked.emit(self.gallery_model.result.split,
                                                                    int(index.data(Qt.UserRole))))

    def set_examples(self, result, dataset, indices) -> None:
        self.gallery_model.set_examples(result, dataset, indices)
        self.scrollToTop()

    def set_dark(self, dark: bool) -> None:
        self.delegate.dark = bool(dark)
        self.viewport().update()
