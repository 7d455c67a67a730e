"""Where the diagram's texts go: column titles, output labels and tags, in viewport pixels.

Placement is measured, not guessed: every text gets the rectangle its font needs; a title
breaks onto two lines or takes a smaller size before it reaches its neighbour's half of the
room, and the output labels are never taller than the gap between two outputs nor run past
the view's right edge. The item paints these rectangles and the overlap tests read them.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtGui

MIN_PIXELS = 8  # below this a text is not worth drawing smaller: it is left at this size
TAG_GAP, LABEL_GAP = 10.0, 8.0  # pixels between a neuron and its label, and a label and its tag
LABEL_TEMPLATE = "{}   +0.000"  # the widest an output label gets (gradient colouring shows signs)
WIDEST_TAG = "◀ prediction ✗"


@dataclass(frozen=True)
class PlacedText:
    """One line of text and the viewport rectangle it is drawn in."""

    text: str
    rect: QtCore.QRectF
    pixel_size: int
    bold: bool = False
    colour: tuple | None = None  # rgb; None: the diagram's foreground


def sized(base: QtGui.QFont, pixels: int, bold: bool = False) -> QtGui.QFont:
    """Return base at `pixels` pixels, bold or not."""
    font = QtGui.QFont(base)
    font.setPixelSize(max(MIN_PIXELS, int(pixels)))
    font.setBold(bold)
    return font


def title_space(base: QtGui.QFont, pixels: int) -> float:
    """Return the room above the columns that two lines of title need at this size."""
    return max(40.0, 2 * QtGui.QFontMetricsF(sized(base, pixels)).lineSpacing() + 10)


def label_space(base: QtGui.QFont, pixels: int, class_names) -> float:
    """Return the room right of the output neurons that the widest label and tag need."""
    bold = QtGui.QFontMetricsF(sized(base, pixels, True))
    widest = max((bold.horizontalAdvance(LABEL_TEMPLATE.format(n)) for n in class_names), default=0.0)
    return LABEL_GAP + widest + TAG_GAP + bold.horizontalAdvance(WIDEST_TAG) + 12


def column_gap(base: QtGui.QFont, pixels: int, titles=("Hidden 2", "Output")) -> float:
    """Return the room between two columns that their titles need, on two lines."""
    metrics = QtGui.QFontMetricsF(sized(base, pixels))
    return max(metrics.horizontalAdvance(t) for t in titles) + 10


def _two_lines(text: str) -> list:
    if " · " in text:
        first, rest = text.replace("Hidden layer ", "Hidden ").split(" · ", 1)
        return [first, rest]
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return [text]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return [text[:cut], text[cut + 1:]]


def _title_fits(titles, i, lines, metrics, room_height, view_width) -> bool:
    lo, hi = _title_bounds(titles, i, view_width)
    width = max(metrics.horizontalAdvance(line) for line in lines)
    return width <= hi - lo and len(lines) * metrics.lineSpacing() <= room_height


def _title_bounds(titles, i, view_width) -> tuple:
    """Return the x interval title i may use: up to half way to each neighbouring title."""
    xs = [x for x, _ in titles]
    lo = 2.0 if i == 0 else (xs[i - 1] + xs[i]) / 2 + 3
    hi = view_width - 2.0 if i == len(titles) - 1 else (xs[i] + xs[i + 1]) / 2 - 3
    return lo, hi


def place_titles(titles, top: float, room_height: float, view_width: float, base: QtGui.QFont,
                 pixels: int) -> list:
    """Return PlacedTexts for (x, text) titles (viewport x) in the band [top, top + room_height).

    Each title may use half of the gap to each neighbouring title. All titles take the same
    size and form: one line if every one fits on one, else two lines, else a smaller size;
    a title that fits nowhere is left at the smallest size, on two lines.
    """
    choice = None
    px = pixels
    while choice is None:
        metrics = QtGui.QFontMetricsF(sized(base, px))
        for split in (False, True):
            forms = [_two_lines(text) if split else [text] for _, text in titles]
            if all(_title_fits(titles, i, forms[i], metrics, room_height, view_width) for i in range(len(titles))):
                choice = (px, forms, metrics)
                break
        if choice is None and px <= MIN_PIXELS:
            choice = (px, [_two_lines(text) for _, text in titles], metrics)
        px = max(MIN_PIXELS, int(px * 0.9))
    px, forms, metrics = choice
    placed = []
    for i, ((x, _), lines) in enumerate(zip(titles, forms)):
        lo, hi = _title_bounds(titles, i, view_width)
        for k, line in enumerate(lines):
            width = metrics.horizontalAdvance(line)
            left = min(max(lo, x - width / 2), max(lo, hi - width))  # centred on its column if it can be
            placed.append(PlacedText(line, QtCore.QRectF(left, top + k * metrics.lineSpacing(), width,
                                                         metrics.height()), px))
    return placed


def place_labels(labels, tags, anchors, spacing: float, view_width: float, base: QtGui.QFont,
                 pixels: int) -> list:
    """Return PlacedTexts for the output labels and their tags.

    labels: (layer, index, text, bold); tags: (layer, index, text, rgb); anchors: (layer, index)
    → viewport (x, y) of the neuron's right edge at its centre line; spacing: pixels between
    two neighbouring outputs. The size shrinks until a label fits that gap and every tag ends
    inside the view.
    """
    px = pixels
    while True:
        plain, bold = QtGui.QFontMetricsF(sized(base, px)), QtGui.QFontMetricsF(sized(base, px, True))
        fits = spacing <= 0 or bold.height() <= spacing
        ends = {}
        for layer, index, text, strong in labels:
            x, _ = anchors[(layer, index)]
            ends[(layer, index)] = x + LABEL_GAP + (bold if strong else plain).horizontalAdvance(text)
        for layer, index, text, _ in tags:
            x, _ = anchors[(layer, index)]
            end = ends.get((layer, index), x) + TAG_GAP + bold.horizontalAdvance(text)
            fits = fits and end <= view_width - 2
        if fits or px <= MIN_PIXELS:
            break
        px -= 1
    placed = []
    for layer, index, text, strong in labels:
        x, y = anchors[(layer, index)]
        m = bold if strong else plain
        placed.append(PlacedText(text, QtCore.QRectF(x + LABEL_GAP, y - m.height() / 2, m.horizontalAdvance(text),
                                                     m.height()), px, strong))
    for layer, index, text, colour in tags:
        x, y = anchors[(layer, index)]
        left = ends.get((layer, index), x) + TAG_GAP
        placed.append(PlacedText(text, QtCore.QRectF(left, y - bold.height() / 2, bold.horizontalAdvance(text),
                                                     bold.height()), px, True, colour))
    return placed
