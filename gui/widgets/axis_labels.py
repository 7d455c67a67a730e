"""Axis labels that give way on a short axis: a shorter wording, or none, with the full one in the axis' tooltip.

pyqtgraph centres an axis label along its axis whatever its length: on a plot shorter than
its label the text runs past the plot's ends, over its title or out of the view.
"""
from __future__ import annotations

import pyqtgraph as pg

from gui.widgets.rich_text import html_width, plain

_WORDINGS = "_label_wordings"  # kept on the axis: its label's wordings, longest first
_FITTING = "_label_fitting"  # set while a label is being chosen (setting it re-lays the axis out)
ROOM = 4  # px along the axis left free at its ends


def fit_axis_label(axis: pg.AxisItem, *wordings: str, **style) -> None:
    """Label `axis` with the first of `wordings` that fits along it, or with none; the first is its tooltip.

    The choice is made again whenever the axis is resized or its label's font changes
    (see refit_axis_label). `style` is CSS for the label, as for AxisItem.setLabel.
    """
    if style:
        axis.labelStyle = style
    if getattr(axis, _WORDINGS, None) is None:
        axis.geometryChanged.connect(lambda: refit_axis_label(axis))
    setattr(axis, _WORDINGS, tuple(wordings))
    axis.setToolTip(plain(wordings[0]) if wordings else "")
    axis.labelText = None  # choose afresh
    refit_axis_label(axis)


def refit_axis_label(axis: pg.AxisItem) -> None:
    """Choose the axis' label again for its length and font (a no-op for an axis without wordings)."""
    wordings = getattr(axis, _WORDINGS, None)
    if wordings is None or getattr(axis, _FITTING, False) or axis.label is None:
        return
    vertical = axis.orientation in ("left", "right")
    length = (axis.height() if vertical else axis.width()) - 2 * ROOM
    chosen = next((w for w in wordings if length <= 0 or label_width(axis, w) <= length), "")
    shown = axis.labelText if axis.label.isVisible() else ""
    if chosen == shown and axis.labelText is not None:
        return
    setattr(axis, _FITTING, True)
    try:
        axis.setLabel(chosen or None, **axis.labelStyle)
        axis.labelText = chosen
        axis.resizeEvent()  # place the new text along the axis
    finally:
        setattr(axis, _FITTING, False)


def label_width(axis: pg.AxisItem, wording: str) -> float:
    """Return how long `wording` runs along the axis in the label's font (its inked length)."""
    return html_width(wording, axis.label.font())
