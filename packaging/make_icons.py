"""Draw the app icon: `python packaging/make_icons.py` writes resources/icons/nn-explorer.svg and its PNGs.

A small network (3 → 4 → 2) on the diagram's dark background, its connections in the
app's blue (negative) and orange (positive) weight colours, its neurons filled by activation.
The SVG is the source; the PNGs (for the window, the taskbar and the menus) are rendered
from it with Qt and committed, so neither the app nor the bundle needs to draw them.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)

LAYERS = ((52, (70, 128, 186)), (128, (50, 102, 154, 206)), (204, (96, 160)))  # (x, neuron ys) on 256×256
ACTIVATIONS = ((0.95, 0.35, 0.7), (0.2, 0.9, 0.55, 1.0), (0.3, 0.95))  # grey level of each neuron
# the weight of each connection, layer by layer, [to][from]: sign picks the colour, size the width
WEIGHTS = (
    ((0.9, -0.4, 0.2), (-0.8, 0.6, -0.3), (0.3, -0.9, 0.7), (-0.2, 0.5, 1.0)),
    ((0.8, -0.6, 0.3, -0.4), (-0.3, 0.9, -0.7, 0.9)),
)
NEGATIVE, POSITIVE, BACKGROUND = "#40a0ff", "#ffaa28", "#16181e"


def svg() -> str:
    """Return the icon as SVG text."""
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">',
             f'<rect x="8" y="8" width="240" height="240" rx="44" fill="{BACKGROUND}"/>']
    for l, layer_weights in enumerate(WEIGHTS):
        (x0, ys0), (x1, ys1) = LAYERS[l], LAYERS[l + 1]
        for to, row in enumerate(layer_weights):
            for frm, w in enumerate(row):
                colour = POSITIVE if w > 0 else NEGATIVE
                parts.append(f'<line x1="{x0}" y1="{ys0[frm]}" x2="{x1}" y2="{ys1[to]}" stroke="{colour}" '
                             f'stroke-width="{2 + 7 * abs(w):.1f}" stroke-linecap="round" opacity="{0.45 + 0.55 * abs(w):.2f}"/>')
    for (x, ys), acts in zip(LAYERS, ACTIVATIONS):
        for y, a in zip(ys, acts):
            grey = round(40 + 215 * a)
            parts.append(f'<circle cx="{x}" cy="{y}" r="17" fill="rgb({grey},{grey},{grey})" '
                         'stroke="#e1e4ea" stroke-width="4"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_pngs(svg_path: Path) -> list:
    """Render the SVG to one PNG per size beside it; return their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841  QPainter needs one
    renderer = QSvgRenderer(str(svg_path))
    paths = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = svg_path.with_name(f"nn-explorer-{size}.png")
        image.save(str(path))
        paths.append(path)
    return paths


def main() -> int:
    ICONS.mkdir(parents=True, exist_ok=True)
    svg_path = ICONS / "nn-explorer.svg"
    svg_path.write_text(svg(), encoding="utf-8")
    for path in [svg_path, *render_pngs(svg_path)]:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
