"""The cost-surface pictures: a heat map with contours, path and arrow, and the 1-D profile.

They take plain arrays (grid values, axes, a path, slopes) and know nothing of networks
or jobs; gui/surface_view.py feeds them.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg  # after PySide6, so pyqtgraph binds to it
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal

from core.landscape.contours import contour_levels, contour_segments
from core.landscape.progressive import describe_step
from gui.widgets.axis_labels import fit_axis_label
from gui.widgets.plot_cache import cache_static_parts
from gui.widgets.plot_titles import fitting_title, wrapping_title
from gui.widgets.plot_type import set_plot_title, set_title_wordings
from gui.widgets.theme import follow_theme, palette

PATH = (255, 255, 255)  # the trajectory, over any part of the colour map
DESCENT = (255, 70, 90)  # the downhill arrow and the learning-rate step
N_CONTOURS = 10
LOG_MIN_DECADES = 0.3  # narrower ranges stay linear: a log axis would show no ticks
STEP_ARROWS = {"batch": (255, 170, 40), "full": (120, 225, 255)}  # the stumbling-downhill pair
ARROW_FRACTION = 0.22  # the arrow's length on screen, as a share of the smaller plot side


SIDE_BY_SIDE_ASPECT = 1.7  # a dock wider than this × its height gets the profile beside the map
PREFERRED_HEIGHT = 180  # px: the map and profile share whatever height the dock has beyond this


class SurfacePlots(pg.GraphicsLayoutWidget):
    """Heat map of C(α, β) over the plane, and below it C along −∇C.

    Signals: hovered(str) — the (α, β) and cost under the mouse, or "" off the grid.
    """

    hovered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.values = None  # (len(alphas), len(betas)) grid of the mean cost
        self.alphas = self.betas = None
        self.labels = ("α", "β")
        self.log = False
        self._slopes = None
        self._share = ""  # how much of −∇C lies in the plane, for the title
        self.map = self.addPlot(row=0, col=0)
        wrapping_title(self.map)  # a sentence: it wraps in a narrow panel rather than pushing the colour bar out
        self.map.setMenuEnabled(False)
        self.image = pg.ImageItem()
        self.map.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False, width=14)
        self.colorbar.setImageItem(self.image, insert_in=self.map)
        self.colorbar.axis.setWidth(66)  # the default 45 px leaves no room for the label beside "0.141"
        self.contours = pg.PlotDataItem(connect="pairs")
        self.path = pg.PlotDataItem(pen=pg.mkPen(PATH, width=2), symbol="o", symbolSize=3,
                                    symbolPen=None, symbolBrush=PATH)
        self.start = pg.ScatterPlotItem(symbol="o", size=12, pen=pg.mkPen(PATH, width=2), brush=None)
        self.current = pg.ScatterPlotItem(symbol="star", size=20, pen=pg.mkPen("k", width=1), brush=DESCENT)
        self.arrow_line = pg.PlotDataItem(pen=pg.mkPen(DESCENT, width=3))
        self.arrow_head = pg.ArrowItem(pen=None, brush=DESCENT, headLen=16, tipAngle=40, pxMode=True)
        for item in (self.contours, self.path, self.start, self.arrow_line,
                     self.arrow_head, self.current):
            self.map.addItem(item)
        # the last step's two gradients, from the stumbling-downhill comparison (hidden until given)
        self._step_slopes = {}
        self.step_arrows = {}
        for key, colour in STEP_ARROWS.items():
            line = pg.PlotDataItem(pen=pg.mkPen(colour, width=2.5, style=Qt.DashLine))
            head = pg.ArrowItem(pen=None, brush=colour, headLen=13, tipAngle=40, pxMode=True)
            head.setVisible(False)
            self.map.addItem(line)
            self.map.addItem(head)
            self.step_arrows[key] = (line, head)
        self.start_text = pg.TextItem("start", anchor=(0, 1))
        self._start_at = None  # the path's first point, where "start" is written (None: no path)
        self.map.addItem(self.start_text)
        self.map.vb.sigTransformChanged.connect(self._place_arrows)
        self.map.vb.sigResized.connect(self._place_arrows)

        self.profile = self.addPlot(row=1, col=0)
        fitting_title(self.profile)  # briefer, then on two lines, when the profile is narrow (beside the map)
        self.profile.setMenuEnabled(False)
        fit_axis_label(self.profile.getAxis("bottom"), "step size t along −∇C (the learning rate η is one step)",
                       "step size t along −∇C", "step size t")
        self.profile.setLabel("left", "cost")
        self.profile_curve = self.profile.plot(pen=pg.mkPen(PATH, width=2))
        self.profile_now = pg.InfiniteLine(angle=0, pen=pg.mkPen((160, 160, 160), style=Qt.PenStyle.DashLine))
        self.profile_step = pg.InfiniteLine(angle=90, pen=pg.mkPen(DESCENT, width=1, style=Qt.PenStyle.DashLine))
        self.profile_marks = pg.ScatterPlotItem(size=11)
        for plot in (self.map, self.profile):
            cache_static_parts(plot)
        for item in (self.profile_now, self.profile_step, self.profile_marks):
            self.profile.addItem(item)
        for axis in (self.map.getAxis("left"), self.map.getAxis("bottom"), self.profile.getAxis("left"),
                     self.profile.getAxis("bottom"), self.colorbar.getAxis("right")):
            axis.enableAutoSIPrefix(False)  # "(x0.001)" beside a weight's name reads as part of it
        self.side_by_side = False
        self._arrange(False)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        follow_theme(self)

    def _arrange(self, side_by_side: bool) -> None:
        """Put the 1-D profile beside the map (a wide, short dock) or below it (a tall one)."""
        grid = self.ci.layout  # moved within the Qt grid itself: the plot stays in the scene
        if side_by_side != self.side_by_side:
            self.side_by_side = side_by_side
            grid.removeItem(self.profile)
            grid.addItem(self.profile, 0 if side_by_side else 1, 1 if side_by_side else 0)
        for k in range(2):
            grid.setRowStretchFactor(k, 0)
            grid.setColumnStretchFactor(k, 0)
        if side_by_side:  # one row that takes all the height, two columns that share the width
            grid.setRowStretchFactor(0, 1)
            grid.setColumnStretchFactor(0, 1)
            grid.setColumnStretchFactor(1, 1)
        else:
            grid.setRowStretchFactor(0, 3)
            grid.setRowStretchFactor(1, 1)

    def resizeEvent(self, event):
        if hasattr(self, "side_by_side"):  # not while the plots are being built
            self._arrange(self.width() > SIDE_BY_SIDE_ASPECT * self.height())
        super().resizeEvent(event)

    def sizeHint(self):
        # Modest on purpose: the panel's word-wrapping controls make its dock scroll to fit the
        # panel's preferred height, and a tall hint pushed the 1-D profile below the fold.
        return QSize(520, PREFERRED_HEIGHT)

    # -- inputs ---------------------------------------------------------------------------------
    def set_frame(self, alphas, betas, labels, path):
        """Set the grid axes, axis names and the projected trajectory (the grid comes later)."""
        self.alphas, self.betas, self.labels = np.asarray(alphas), np.asarray(betas), tuple(labels)
        self.values = None
        self.image.clear()
        self.contours.setData([], [])
        self.map.setLabel("bottom", f"α: {self.labels[0]}")
        self.map.setLabel("left", f"β: {self.labels[1]}")
        path = np.asarray(path)
        self.path.setData(path[:, 0], path[:, 1])
        self.start.setData([path[0, 0]], [path[0, 1]])
        self._start_at = (float(path[0, 0]), float(path[0, 1])) if len(path) > 1 else None
        self.start_text.setPos(*path[0])
        self.current.setData([0.0], [0.0])
        self._slopes = None
        self._place_arrows()
        self.map.setRange(xRange=(alphas[0], alphas[-1]), yRange=(betas[0], betas[-1]), padding=0)

    def set_grid(self, values, contours=True):
        """Show a grid of costs (len(alphas), len(betas)): colours, colour bar and (if asked) contours."""
        self.values = np.asarray(values, dtype=np.float64)
        self._draw_grid(contours)

    def set_log(self, log: bool):
        self.log = bool(log)
        self._draw_grid()

    def set_slopes(self, slopes, in_plane=None):
        """Point the arrow along −(∂C/∂α, ∂C/∂β), downhill on the map; in_plane: share of ∇C in the plane."""
        self._slopes = slopes
        self._place_arrows()
        self._share = "" if in_plane is None else f" ({in_plane:.0%} of its length lies in this plane)"
        self._set_title()

    def _set_title(self):
        steps = "; dashed: the last step's, orange its mini-batch's, blue all images'" if self._step_slopes else ""
        set_plot_title(self.map, f"arrow: downhill, −∇C at the current point{self._share}{steps}", 9)

    def set_profile(self, steps, costs, learning_rate):
        """Show C(θ₀ − t·∇C) with the current cost and where one learning-rate step lands."""
        steps, costs = np.asarray(steps), np.asarray(costs)
        self.profile_curve.setData(steps, costs)
        now = float(np.interp(0.0, steps, costs))
        self.profile_now.setValue(now)
        marks = [{"pos": (0.0, now), "brush": PATH, "symbol": "o"}]
        if learning_rate > 0:
            landed = float(np.interp(learning_rate, steps, costs))
            self.profile_step.setValue(learning_rate)
            marks.append({"pos": (learning_rate, landed), "brush": DESCENT, "symbol": "star"})
            verdict = describe_step(steps, costs, learning_rate)
            step, change = f"η = {learning_rate:g}", f"{now:.4g} → {landed:.4g}"
            set_title_wordings(self.profile, [f"one step of {step}: cost {change}, {verdict}",
                                              f"one step of {step}: cost {change}<br>{verdict}",
                                              f"{step}: cost {change}<br>{verdict}",
                                              f"{step}: cost {change}", f"{step}: {change}", step], 9)
        self.profile_step.setVisible(learning_rate > 0)
        self.profile_marks.setData(marks)

    def set_dark(self, dark: bool):
        self.dark = bool(dark)
        colours = palette(dark)
        self.setBackground(colours.background)
        text = colours.foreground
        for plot in (self.map, self.profile):
            for name in ("left", "bottom"):
                plot.getAxis(name).setPen(pg.mkPen(text))
                plot.getAxis(name).setTextPen(pg.mkPen(text))
        self.colorbar.getAxis("right").setPen(pg.mkPen(text))
        self.colorbar.getAxis("right").setTextPen(pg.mkPen(text))
        self.start_text.setColor(PATH)
        self.profile_curve.setPen(pg.mkPen(text, width=2))

    # -- drawing --------------------------------------------------------------------------------
    def _log_shown(self) -> bool:
        """Return whether to colour by log cost: asked for, and the costs span enough to matter."""
        finite = self.values[np.isfinite(self.values) & (self.values > 0)]
        return self.log and finite.size > 0 and np.log10(finite.max() / finite.min()) >= LOG_MIN_DECADES

    def _shown(self, log):
        """Return the values as coloured: the cost, or log₁₀ of it."""
        return np.log10(np.maximum(self.values, np.finfo(np.float64).tiny)) if log else self.values

    def _draw_grid(self, contours=True):
        if self.values is None or self.alphas is None:
            return
        log = self._log_shown()
        shown = self._shown(log)
        finite = shown[np.isfinite(shown)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        high = high if high > low else low + 1e-12
        self.image.setImage(shown, autoLevels=False)
        self.colorbar.setLevels((low, high))
        axis = self.colorbar.getAxis("right")
        axis.setLogMode(log)  # log₁₀ values, labelled with the costs themselves
        axis.setLabel("cost (log scale)" if log else "cost")
        da = (self.alphas[-1] - self.alphas[0]) / max(len(self.alphas) - 1, 1)
        db = (self.betas[-1] - self.betas[0]) / max(len(self.betas) - 1, 1)
        self.image.setRect(QRectF(self.alphas[0] - da / 2, self.betas[0] - db / 2,
                                  self.alphas[-1] - self.alphas[0] + da, self.betas[-1] - self.betas[0] + db))
        if not contours:  # a partial refinement: the last contours stay until the grid is done
            return
        segments = [contour_segments(self.values, level, self.alphas, self.betas)
                    for level in contour_levels(self.values, N_CONTOURS, log=log)]
        points = np.concatenate(segments).reshape(-1, 2) if segments else np.zeros((0, 2))
        shade = (255, 255, 255, 90) if self.dark else (0, 0, 0, 110)
        self.contours.setPen(pg.mkPen(shade, width=1))
        self.contours.setData(points[:, 0], points[:, 1])

    def set_step_arrows(self, batch_slopes, full_slopes) -> None:
        """Also draw the last step's −∇C of its mini-batch and of all training images (None: hide them)."""
        self._step_slopes = {} if batch_slopes is None else {"batch": batch_slopes, "full": full_slopes}
        self._place_arrows()
        self._set_title()

    def _place_start_text(self):
        """Write "start" by the path's first point, on a side where it stays inside the map (none off the map)."""
        point, vb = self._start_at, self.map.vb
        (x0, x1), (y0, y1) = vb.viewRange()
        if point is None or not (x0 <= point[0] <= x1 and y0 <= point[1] <= y1):
            self.start_text.setVisible(False)
            return
        at = vb.mapViewToScene(QPointF(*point))
        box, text = vb.sceneBoundingRect(), self.start_text.textItem.boundingRect()
        right, left = at.x() + text.width() <= box.right(), at.x() - text.width() >= box.left()
        # above the mark, or below it when the mark is in the upper half (the title is above)
        above = at.y() > box.center().y()
        self.start_text.setVisible((right or left) and box.height() >= 2 * text.height())
        self.start_text.setAnchor((0 if right else 1, 1 if above else 0))

    def _place_arrows(self, *_):
        """Draw the arrows at a fixed share of the plot's size (the slopes only give their direction)."""
        self._place_start_text()
        self._place(self.arrow_line, self.arrow_head, self._slopes)
        for key, (line, head) in self.step_arrows.items():
            self._place(line, head, self._step_slopes.get(key))

    def _place(self, line, head, slopes):
        tip = self._arrow_tip(slopes)
        head.setVisible(tip is not None)
        if tip is None:
            line.setData([], [])
            return
        line.setData([0.0, tip[0]], [0.0, tip[1]])
        px, py = self.map.vb.viewPixelSize()
        # ArrowItem's angle 0 points left and turns clockwise on screen, where y points down.
        head.setStyle(angle=math.degrees(math.atan2(-tip[1] / py, tip[0] / px)) - 180.0)
        head.setPos(*tip)

    def _arrow_tip(self, slopes):
        if slopes is None or not np.all(np.isfinite(slopes)) or not np.any(slopes):
            return None
        px, py = self.map.vb.viewPixelSize()  # data units per pixel
        width, height = self.map.vb.width(), self.map.vb.height()
        if not (px > 0 and py > 0 and width > 0 and height > 0):
            return None
        screen = np.array([-slopes[0] / px, -slopes[1] / py])  # the downhill vector in pixels
        screen *= ARROW_FRACTION * min(width, height) / np.linalg.norm(screen)
        return screen[0] * px, screen[1] * py

    def describe(self, alpha, beta) -> str:
        """Return "α = …, β = …, cost = …" for the grid point nearest (α, β), or "" off the grid."""
        if self.values is None or self.alphas is None:
            return ""
        a, b = self.alphas, self.betas
        half_a, half_b = (a[-1] - a[0]) / max(len(a) - 1, 1) / 2, (b[-1] - b[0]) / max(len(b) - 1, 1) / 2
        if not (a[0] - half_a <= alpha <= a[-1] + half_a and b[0] - half_b <= beta <= b[-1] + half_b):
            return ""
        i, j = int(np.abs(a - alpha).argmin()), int(np.abs(b - beta).argmin())
        return f"α = {a[i]:.4g}, β = {b[j]:.4g}: cost {self.values[i, j]:.5g}"

    def _on_mouse_moved(self, scene_pos):
        if self.map.vb.sceneBoundingRect().contains(scene_pos):
            point = self.map.vb.mapSceneToView(scene_pos)
            self.hovered.emit(self.describe(point.x(), point.y()))
        else:
            self.hovered.emit("")
