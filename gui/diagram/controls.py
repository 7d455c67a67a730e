"""The diagram's mode toolbar and its legend (colour scales and a line of explanation)."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

MODE_LABELS = {
    "all": "All connections",
    "strongest": "Strongest k per neuron",
    "selected": "Selected neuron only",
    "contributions": "Contributions w·a",
}
COLOUR_LABELS = {"values": "Weights & activations", "gradients": "Gradients (backprop)",
                 "changes": "Change in the last step (Δ)"}


class NetworkToolbar(QtWidgets.QWidget):
    """A row of controls for the diagram: mode, k, colouring, walking backprop back, fit.

    Signals: modeChanged(str), strongestChanged(int), colourByChanged(str),
    walkBackRequested(), walkRestartRequested(), fitRequested().
    """

    modeChanged = QtCore.Signal(str)
    strongestChanged = QtCore.Signal(int)
    colourByChanged = QtCore.Signal(str)
    walkBackRequested = QtCore.Signal()
    walkRestartRequested = QtCore.Signal()
    fitRequested = QtCore.Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        self.mode = QtWidgets.QComboBox()
        for key, text in MODE_LABELS.items():
            self.mode.addItem(text, key)
        self.mode.setToolTip("Which connections to draw")
        self.k = QtWidgets.QSpinBox()
        self.k.setRange(1, 64)
        self.k.setValue(5)
        self.k.setPrefix("k = ")
        self.k.setToolTip("How many of each neuron's incoming connections to keep")
        self.colour_by = QtWidgets.QComboBox()
        for key, text in COLOUR_LABELS.items():
            self.colour_by.addItem(text, key)
        self.colour_by.setToolTip("Colour by the values, by what backpropagation asks of them (∂C/∂a, ∂C/∂w),"
                                  " or by how much the last step changed them (Δw, Δa)")
        self.walk_back = QtWidgets.QPushButton("◀ Walk back a layer")
        self.walk_back.setToolTip("Reveal the gradient one more layer back, from the output towards the input")
        self.walk_restart = QtWidgets.QPushButton("Start at output")
        self.fit = QtWidgets.QPushButton("Fit")
        self.fit.setToolTip("Show the whole network (mouse wheel zooms, drag pans)")
        for w in (QtWidgets.QLabel("Show:"), self.mode, self.k, QtWidgets.QLabel("Colour:"),
                  self.colour_by, self.walk_back, self.walk_restart):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.fit)
        for combo in (self.mode, self.colour_by):  # whole texts when there is room; may shrink in a narrow window
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumWidth(combo.fontMetrics().averageCharWidth() * 12)
        for w in (self.k, self.walk_back, self.walk_restart):  # shown by sync() when they apply
            w.hide()
        self.mode.currentIndexChanged.connect(lambda: self.modeChanged.emit(self.mode.currentData()))
        self.k.valueChanged.connect(self.strongestChanged)
        self.colour_by.currentIndexChanged.connect(
            lambda: self.colourByChanged.emit(self.colour_by.currentData()))
        self.walk_back.clicked.connect(self.walkBackRequested)
        self.walk_restart.clicked.connect(self.walkRestartRequested)
        self.fit.clicked.connect(self.fitRequested)

    def sync(self, mode: str, k: int, colour_by: str, depth: int, n_layers: int) -> None:
        """Show the view's state without emitting anything."""
        for w in (self.mode, self.k, self.colour_by):
            w.blockSignals(True)
        self.mode.setCurrentIndex(self.mode.findData(mode))
        self.k.setValue(k)
        self.colour_by.setCurrentIndex(self.colour_by.findData(colour_by))
        for w in (self.mode, self.k, self.colour_by):
            w.blockSignals(False)
        self.k.setVisible(mode == "strongest")
        grads = colour_by == "gradients"
        # the walk is part of the gradient view: out of it the buttons would only take room
        self.walk_back.setVisible(grads)
        self.walk_restart.setVisible(grads)
        self.walk_back.setEnabled(grads and depth < n_layers)
        self.walk_restart.setEnabled(grads and depth > 0)
        self.walk_back.setText(f"◀ Walk back a layer ({depth}/{n_layers})" if grads else "◀ Walk back a layer")


class ColourBar(QtWidgets.QWidget):
    """A horizontal colour scale with a caption and labels at both ends and the middle.

    Its type follows the widget's font (larger in presentation mode); a caption too long
    for the width wraps onto more lines rather than being cut.
    """

    BAR_HEIGHT = 10

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rgba = np.zeros((2, 4), dtype=np.uint8)
        self._texts = ("", "", "", "")
        self._background = QtGui.QColor(0, 0, 0)
        self.setMinimumWidth(210)
        self._fit_height()

    def set_scale(self, rgba, caption: str, left: str, middle: str, right: str) -> None:
        """Show colours (n, 3 or 4) from left to right, alpha composited on the background."""
        self._rgba = np.asarray(rgba, dtype=np.uint8)
        self._texts = (caption, left, middle, right)
        self.setToolTip(caption)
        self._fit_height()
        self.update()

    def set_backdrop(self, background) -> None:
        """Composite translucent colours over the diagram's background, as they are drawn."""
        self._background = QtGui.QColor(*background)
        self.update()

    def text_rects(self) -> list:
        """Return (text, QRectF) of every text as painted: the caption's lines, then the numbers."""
        caption, left, middle, right = self._texts
        m = QtGui.QFontMetricsF(self.font())
        w = max(1.0, self.width() - 8.0)
        out, y = [], 0.0
        for line in self._caption_lines(caption, m, w):
            out.append((line, QtCore.QRectF(4, y, m.horizontalAdvance(line), m.height())))
            y += m.lineSpacing()
        y += self.BAR_HEIGHT + 2
        ends = [t for t in (left, right) if t]
        if sum(m.horizontalAdvance(t) for t in ends) + 8 > w:  # too narrow: only the signs
            left, right = left[:1], right[-1:]
        if m.horizontalAdvance(left) + m.horizontalAdvance(right) + 2 * m.horizontalAdvance(middle) + 16 > w:
            middle = ""  # the middle would run into the ends
        for text, x in ((left, 4.0), (middle, 4 + (w - m.horizontalAdvance(middle)) / 2),
                        (right, 4 + w - m.horizontalAdvance(right))):
            if text:
                out.append((text, QtCore.QRectF(x, y, m.horizontalAdvance(text), m.height())))
        return out

    @staticmethod
    def _caption_lines(caption: str, m, width: float) -> list:
        lines, line = [], ""
        for word in caption.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and m.horizontalAdvance(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        return lines + [line]

    def _fit_height(self) -> None:
        m = QtGui.QFontMetricsF(self.font())
        lines = len(self._caption_lines(self._texts[0], m, max(1.0, self.width() - 8.0)))
        height = int(np.ceil(lines * m.lineSpacing() + self.BAR_HEIGHT + 2 + m.height() + 2))
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QtCore.QTimer.singleShot(0, self._fit_height)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self._fit_height()

    def paintEvent(self, event) -> None:
        p = QtGui.QPainter(self)
        p.setFont(self.font())
        texts = self.text_rects()
        captions = len(self._caption_lines(self._texts[0], QtGui.QFontMetricsF(self.font()),
                                           max(1.0, self.width() - 8.0)))
        w = self.width() - 8
        bar = QtCore.QRectF(4, captions * QtGui.QFontMetricsF(self.font()).lineSpacing() + 1, w, self.BAR_HEIGHT)
        p.fillRect(bar, self._background)
        n = len(self._rgba)
        for k, c in enumerate(self._rgba):
            colour = QtGui.QColor(int(c[0]), int(c[1]), int(c[2]), int(c[3]) if len(c) > 3 else 255)
            p.fillRect(QtCore.QRectF(bar.left() + k * w / n, bar.top(), w / n + 1, bar.height()), colour)
        p.setPen(self.palette().windowText().color())
        for text, rect in texts:
            p.drawText(rect, QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop, text)
        p.end()


class NetworkLegend(QtWidgets.QWidget):
    """The connection scale, the neuron scale, the marks, and one line saying what is shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 2, 6, 4)
        outer.setSpacing(2)
        row = QtWidgets.QHBoxLayout()
        self.edges = ColourBar()
        self.neurons = ColourBar()
        self.marks = QtWidgets.QLabel()
        self.marks.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.marks.setWordWrap(True)
        for part in (self.edges, self.neurons, self.marks):  # the legend must not widen the window
            part.setMinimumWidth(60)
            part.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        row.addWidget(self.edges, 3)
        row.addSpacing(16)
        row.addWidget(self.neurons, 2)
        row.addSpacing(16)
        row.addWidget(self.marks, 3)
        # presentation mode: the paragraph waits behind this toggle, the diagram keeps the room
        self.explain = QtWidgets.QToolButton()
        self.explain.setText("Explain")
        self.explain.setCheckable(True)
        self.explain.setToolTip("Show or hide the paragraph that says what the diagram shows")
        self.explain.toggled.connect(self._show_explanation)
        self.explain.hide()
        row.addWidget(self.explain, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        outer.addLayout(row)
        self.explanation = QtWidgets.QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
        # Room for two lines, or as many as the longest text so far needs at this width: a
        # legend that followed every text would resize the diagram back and forth.
        self._explanation_fit = (None, 0)  # (width, height) it was fitted to
        self._fit_explanation()
        outer.addWidget(self.explanation)

    def set_compact(self, compact: bool) -> None:
        """Presentation mode: no mouse hints, and the explanation only when asked for."""
        self.marks.setVisible(not compact)
        self.explain.setVisible(compact)
        self.explain.setChecked(False)
        self._show_explanation(not compact)

    def _show_explanation(self, shown: bool) -> None:
        self.explanation.setVisible(shown)
        if shown:
            QtCore.QTimer.singleShot(0, self._fit_explanation)

    def set_explanation(self, text: str) -> None:
        if text != self.explanation.text():
            self.explanation.setText(text)
            self._fit_explanation()

    def _fit_explanation(self) -> None:
        label = self.explanation
        width = label.width() if label.isVisible() else None
        need = 2 * label.fontMetrics().lineSpacing() + 4
        if width:
            # from the metrics: the label's own heightForWidth never goes below its fixed height
            text_rect = QtCore.QRect(0, 0, max(1, width - 2 * label.margin()), 100000)
            flags = int(QtCore.Qt.TextFlag.TextWordWrap)
            need = max(need, label.fontMetrics().boundingRect(text_rect, flags, label.text()).height() + 4)
        fitted_width, fitted = self._explanation_fit
        height = max(need, fitted) if width == fitted_width else need
        self._explanation_fit = (width, height)
        if label.height() != height or label.minimumHeight() != height:
            label.setFixedHeight(height)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange and hasattr(self, "explanation"):
            self._explanation_fit = (None, 0)  # the height kept for other type no longer applies
            QtCore.QTimer.singleShot(0, self._fit_explanation)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            QtCore.QTimer.singleShot(0, self._fit_explanation)  # after the layout gave the label its width

    def set_backdrop(self, background) -> None:
        for bar in (self.edges, self.neurons):
            bar.set_backdrop(background)
