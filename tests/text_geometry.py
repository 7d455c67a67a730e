"""Find texts in a window that overlap one another, are cut, or lie outside their view.

Everything is read from the widgets' and items' own geometry and font metrics, never from
pixels: labels, buttons, combo boxes and spin boxes by their text against their rectangle;
the diagram by the rectangles it placed its texts in; pyqtgraph plots by their axes' tick
texts, labels and text items mapped from the scene to the view.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLabel,
    QRadioButton,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QToolButton,
    QWidget,
)

SLACK = 1.5  # pixels: rounding between metrics and layouts


@dataclass
class Text:
    where: str  # which widget or item, for the failure message
    text: str
    rect: QRectF  # in window coordinates
    view: QRectF  # the visible area it must lie in (window coordinates)


def _shown(widget: QWidget) -> bool:
    # a scroll area (a plot's view) is covered by its viewport: the viewport is what is seen
    seen = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
    return widget.isVisible() and not seen.visibleRegion().isEmpty()


def _window_rect(widget: QWidget, rect) -> QRectF:
    top_left = widget.mapTo(widget.window(), QPointF(rect.topLeft()))
    return QRectF(top_left, QRectF(rect).size())


def _view_of(widget: QWidget) -> QRectF:
    """Return the window rectangle of the area `widget` is seen through (its scroll areas clip it)."""
    window = widget.window()
    view = QRectF(window.rect())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            vp = parent.viewport()
            view = view.intersected(_window_rect(vp, vp.rect()))
        parent = parent.parentWidget()
    return view


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _label_problem(label: QLabel):
    """Return (text rect in the label, problem or None)."""
    text = label.text()
    area = QRectF(label.contentsRect())
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text))
    if label.wordWrap():
        if rich:
            doc = QTextDocument()
            doc.setDefaultFont(label.font())
            doc.setHtml(text)
            doc.setTextWidth(area.width())
            need = doc.size().height() - 2 * doc.documentMargin()
        else:
            need = QFontMetricsF(label.font()).boundingRect(area, int(Qt.TextFlag.TextWordWrap), text).height()
        return area, (f"needs {need:.0f} px of height, has {area.height():.0f}" if need > area.height() + SLACK else None)
    if rich:
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setHtml(text)
        width = doc.idealWidth() - 2 * doc.documentMargin()
        height = doc.size().height() - 2 * doc.documentMargin()
    else:
        m = QFontMetricsF(label.font())
        lines = text.split("\n")
        width = max(m.horizontalAdvance(line) for line in lines)
        height = m.height() * len(lines)
    aligned = QStyle.alignedRect(label.layoutDirection(), label.alignment(),
                                 QRectF(0, 0, width, height).size().toSize(), area.toRect())
    problem = None
    if width > area.width() + SLACK:
        problem = f"needs {width:.0f} px of width, has {area.width():.0f}"
    elif height > area.height() + SLACK + 2:
        problem = f"needs {height:.0f} px of height, has {area.height():.0f}"
    return QRectF(aligned).intersected(area), problem


def widget_texts(window: QWidget, problems: list) -> list:
    """Return the Texts of the window's visible widgets; append cut ones to problems."""
    texts = []
    for widget in window.findChildren(QWidget):
        if not _shown(widget) or isinstance(widget.parentWidget(), QTabBar):
            continue
        name = f"{type(widget).__name__} {widget.objectName() or ''}".strip()
        if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            rect, problem = _label_problem(widget)
            where = f"{name} {widget.text()[:40]!r}"
        elif isinstance(widget, QAbstractButton) and _plain(widget.text()) and not isinstance(widget, QTabBar):
            text = _plain(widget.text())
            if isinstance(widget, QToolButton) and widget.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
                continue
            if isinstance(widget, (QCheckBox, QRadioButton)):
                need = widget.minimumSizeHint().width()
            else:  # the text, the icon and the style's margins (not the style's minimum button width)
                style = widget.style()
                need = QFontMetricsF(widget.font()).horizontalAdvance(text) + 2 * (
                    style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin)
                    + style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth))
                if not widget.icon().isNull():
                    need += widget.iconSize().width() + 4
            rect = QRectF(widget.rect())
            problem = f"needs {need} px of width, has {widget.width()}" if need > widget.width() + SLACK else None
            where = f"{name} {text[:40]!r}"
        elif isinstance(widget, QComboBox) and widget.currentText():
            option = QStyleOptionComboBox()
            option.initFrom(widget)
            field = widget.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                                  QStyle.SubControl.SC_ComboBoxEditField, widget)
            need = QFontMetricsF(widget.font()).horizontalAdvance(widget.currentText())
            rect = QRectF(field)
            problem = f"needs {need:.0f} px of width, has {field.width()}" if need > field.width() + SLACK else None
            where = f"{name} {widget.currentText()[:40]!r}"
        elif isinstance(widget, QAbstractSpinBox) and widget.text():
            edit = widget.findChild(QWidget, "qt_spinbox_lineedit") or widget
            need = QFontMetricsF(widget.font()).horizontalAdvance(widget.text())
            rect = _window_rect(edit, edit.rect()).translated(-_window_rect(widget, QRect()).topLeft())
            problem = f"needs {need:.0f} px of width, has {edit.width()}" if need > edit.width() + SLACK + 2 else None
            where = f"{name} {widget.text()[:40]!r}"
        else:
            continue
        text = Text(where, "", _window_rect(widget, rect), _view_of(widget))
        if problem is None and (text.rect.left() < text.view.left() - SLACK or text.rect.right() > text.view.right() + SLACK):
            problem = f"runs out of its view sideways ({_fmt(text.rect)} in {_fmt(text.view)})"
        if problem:
            problems.append(f"cut: {where}: {problem}")
        texts.append(text)
    return texts


def _axis_texts(axis: pg.AxisItem) -> list:
    """Return (text, QRectF in axis coordinates) of an axis' tick texts, as it would draw them."""
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    return [(text, QRectF(rect)) for rect, _flags, text in specs[2]]


def _inked(text_item) -> QRectF:
    """Return a QGraphicsTextItem's rectangle without its document's blank margin."""
    m = text_item.document().documentMargin()
    return text_item.boundingRect().adjusted(m, m, -m, -m)


def plot_texts(window: QWidget) -> list:
    """Return the Texts drawn inside the window's visible pyqtgraph views."""
    texts = []
    for view in window.findChildren(pg.GraphicsView):
        if not _shown(view):
            continue
        vp = view.viewport()
        view_rect = _window_rect(vp, vp.rect())  # a panel scrolled part-way still shows whole texts inside its plot
        to_view = view.viewportTransform()

        def add(where, text, item, rect, _vp=vp, _view=view_rect, _tr=to_view):
            scene_rect = item.mapRectToScene(rect)
            in_vp = _tr.mapRect(scene_rect)
            texts.append(Text(where, text, _window_rect(_vp, in_vp), _view))

        for item in view.scene().items():
            if not item.isVisible() or item.opacity() == 0:
                continue
            if isinstance(item, pg.AxisItem):
                for text, rect in _axis_texts(item):
                    add(f"axis tick of {type(view.parentWidget()).__name__}", text, item, rect)
                label = item.label
                if label is not None and label.isVisible() and label.toPlainText().strip():  # "accuracy %", …
                    add(f"axis label of {type(view.parentWidget()).__name__}", label.toPlainText(), label, _inked(label))
            elif isinstance(item, pg.TextItem) and item.textItem.toPlainText().strip():
                add("TextItem", item.textItem.toPlainText(), item.textItem, _inked(item.textItem))
            elif isinstance(item, pg.LabelItem) and item.text:
                inner = item.item
                if inner.toPlainText().strip():
                    add("LabelItem", inner.toPlainText(), inner, _inked(inner))
            elif hasattr(item, "text_boxes"):
                for text, font, box in item.text_boxes():
                    mapped = to_view.mapRect(item.mapRectToScene(box))
                    m = QFontMetricsF(font)
                    w, h = m.horizontalAdvance(text), m.height()
                    centre = mapped.center()
                    rect = QRectF(centre - QPointF(w / 2, h / 2), QRectF(0, 0, w, h).size())
                    texts.append(Text(f"{type(item).__name__} cell", text, _window_rect(vp, rect), view_rect))
                    if w > mapped.width() + SLACK or h > mapped.height() + SLACK:
                        texts.append(Text(f"{type(item).__name__} cell (cut: {w:.0f}×{h:.0f} text in a "
                                          f"{mapped.width():.0f}×{mapped.height():.0f} cell)", text,
                                          QRectF(-1e6, -1e6, 1, 1), view_rect))
    return texts


def diagram_texts(diagram) -> list:
    """Return the Texts the network diagram painted, and those of its legend's colour bars."""
    vp = diagram.canvas.viewport()
    view = _window_rect(vp, vp.rect())
    out = [Text("diagram", t.text, _window_rect(vp, t.rect), view) for t in diagram.canvas.diagram.placed_texts]
    for bar in (diagram.legend.edges, diagram.legend.neurons):
        if _shown(bar):
            bar_view = _window_rect(bar, bar.rect())
            out += [Text("legend", text, _window_rect(bar, rect), bar_view) for text, rect in bar.text_rects()]
    return out


def problems_in(window: QWidget, diagram=None) -> list:
    """Return a description of every cut, stray or overlapping text in the window (empty: none)."""
    problems = []
    widget_texts(window, problems)
    drawn = plot_texts(window) + (diagram_texts(diagram) if diagram is not None else [])
    for t in drawn:
        inside = t.view.adjusted(-SLACK, -SLACK, SLACK, SLACK)
        if not inside.contains(t.rect):
            problems.append(f"outside its view: {t.where} {t.text!r} at {_fmt(t.rect)} (view {_fmt(t.view)})")
    for group in _by_view(drawn):
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                overlap = a.rect.intersected(b.rect)
                if overlap.width() > SLACK and overlap.height() > SLACK:
                    problems.append(f"overlap: {a.where} {a.text!r} and {b.where} {b.text!r} at {_fmt(overlap)}")
    return problems


def _by_view(texts) -> list:
    groups = {}
    for t in texts:
        groups.setdefault(_fmt(t.view), []).append(t)
    return list(groups.values())


def _fmt(r: QRectF) -> str:
    return f"({r.x():.0f},{r.y():.0f} {r.width():.0f}×{r.height():.0f})"
