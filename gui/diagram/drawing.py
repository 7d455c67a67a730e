"""How the network diagram draws: neurons on the next turn, connections at a bounded rate.

While training, the GUI thread's time is taken from training, so updates are capped: neurons
and labels follow new snapshots at most FRAME_MIN_INTERVAL apart, and the connections (the
costly part) are recoloured on a turn of their own into a cached image (see raster.py) at most
EDGE_MIN_INTERVAL apart and with at most EDGE_DUTY of the GUI thread's time.
"""
from __future__ import annotations

import time
from typing import NamedTuple

from gui.diagram.items import grid_image
from gui.diagram.layout import make_layout
from gui.diagram.text_layout import column_gap, label_space, title_space
from gui.diagram.texts import describe
from gui.widgets import turns

EDGE_MIN_INTERVAL = 0.2  # s: connections are recoloured at most 5 times a second…
EDGE_DUTY = 0.08  # …and take at most about 8 % of the GUI thread
EDGE_DEFER_MS = 17  # connections follow the neurons a frame later, in a turn of the event loop of their own
FRAME_MIN_INTERVAL = 1 / 30  # s: neurons and labels follow new snapshots at most 30 times a second


class PendingEdges(NamedTuple):
    """Connections whose first half is painted (the canvas's job), waiting for their lines."""

    canvas_job: object
    paints: list
    cost: float  # s the first half took


class DiagramDrawing:
    """Draw a NetworkView's state (snapshot, settings, selection) onto its canvas, legend and toolbar.

    A part of `NetworkView`: it uses the view's canvas, legend, toolbar, timers, colouring and
    settings, and keeps the pacing (`_next_frame_time`, `_next_edge_time`) and what was last
    drawn (`_legend_state`, `_controls_state`, `_described_scales`, `edge_renders`).
    """

    def _changed(self) -> None:
        """A setting changed: the learner expects to see it now, not at the next rate-limited turn."""
        self._edges_dirty = True
        self._next_edge_time = self._next_frame_time = 0.0
        self._schedule()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start(0)

    def _relayout(self) -> None:
        snap = self._snap
        if snap is None:
            return
        w, h = self.canvas.area_size()
        lay = self._layout
        if lay is not None and abs(lay.width - max(w, 320)) < 1 and abs(lay.height - max(h, 240)) < 1 \
                and self._layout_font == self.canvas.diagram.font_size:
            return
        self._layout_font = self.canvas.diagram.font_size
        px, font = self.canvas.diagram.font_size, self.font()
        names = self._class_names or snap.class_names or [str(j) for j in range(snap.sizes[-1])]
        self._layout = make_layout(snap.sizes, w, h, self._image_shape or snap.image_shape,
                                   title_space(font, px), label_space(font, px, names), column_gap(font, px))
        self._segments = [self._layout.segments(l) for l in range(self._layout.n_layers)]
        self.canvas.set_layout(self._layout)
        self._changed()
        self._flush(force=True)  # a resized window must not show an empty frame, even once

    def _flush(self, force: bool = False) -> None:
        self._timer.stop()  # whatever was pending is drawn now
        if self._snap is None or self._layout is None:
            return
        now = time.perf_counter()
        if not force and now < self._next_frame_time:  # training delivers faster than anyone reads
            self._timer.start(int((self._next_frame_time - now) * 1000) + 1)
            return
        self._next_frame_time = now + self.frame_interval
        self._update_neurons()
        if self._edges_dirty:
            if force:
                self._edge_timer.stop()
                self._edge_job = None  # whatever was half painted: all of it, now
                self._render_edges()
            else:  # neurons now, connections on a later turn, when the rate limit allows
                wait = self._next_edge_time - time.perf_counter()
                if wait <= 0:
                    self._edge_timer.start(EDGE_DEFER_MS)
                    return  # that turn comes next and shows the neurons with the connections
                if not self._edge_timer.isActive():
                    self._edge_timer.start(int(wait * 1000) + 1)
        self.canvas.compose()

    def _flush_edges(self) -> None:
        """Recolour the connections on turns of their own: while training runs, in two halves."""
        if not (self._edges_dirty or self._edge_job) or self._snap is None or self._layout is None:
            self._edge_job = None
            return
        if not turns.TURNS.take("connections"):  # another costly job has this frame: the next one
            self._edge_timer.start(turns.TURNS.wait_ms())
            return
        job, self._edge_job = self._edge_job, None
        if job is not None:  # the second half: the crisp lines, then show them
            start = time.perf_counter()
            crisp = self.canvas.finish_edges(job.canvas_job)
            if crisp is not None:
                self._edges_rendered(job.paints, crisp, job.cost + time.perf_counter() - start)
                self.canvas.compose()
                return
            self._edges_dirty = True  # the view moved meanwhile: begin again
        if self._render_edges(halves=self._snap.running):
            self._edge_timer.start(turns.TURNS.wait_ms())  # the lines on the next free turn
            return
        self.canvas.compose()

    def _paints(self) -> list:
        depth = self.reveal_depth()
        return self._colouring.paints(self._snap, self._mode, self._k, self._colour_by, depth, self._selected)

    def _render_edges(self, halves: bool = False) -> bool:
        """Recolour the connections now; halves: only begin (return True) and leave the lines for a later turn."""
        start = time.perf_counter()
        paints = self._paints()
        over_image = bool(paints and paints[0] is not None and paints[0].over_image
                          and self._layout.grid_rect is not None)
        self.canvas.diagram.draw_grid = not over_image
        self._edges_dirty = False  # a newer snapshot while the halves are apart marks them again
        # only a change of some connection's bin (or of the view) costs a repaint
        if over_image or not self.canvas.geometry_current() or not self._colouring.unchanged(paints):
            underlay = self.canvas.diagram.paint_grid if over_image else None
            canvas_job = self.canvas.begin_edges(paints, underlay)
            if halves:
                self._edge_job = PendingEdges(canvas_job, paints, time.perf_counter() - start)
                return True
            self._edges_rendered(paints, self.canvas.finish_edges(canvas_job), time.perf_counter() - start)
        else:
            self._colouring.remember(paints)
            self._edges_done(time.perf_counter() - start)
        return False

    def _edges_rendered(self, paints, crisp, cost: float) -> None:
        self._colouring.remember(paints, crisp)
        self.edge_renders += 1
        self._edges_done(cost)

    def _edges_done(self, cost: float) -> None:
        if self._scale_values() != self._described_scales:
            self._update_neurons()  # the legend was written with the scales before these connections
        now = time.perf_counter()
        self._next_edge_time = now + max(self.edge_interval, cost / EDGE_DUTY) - cost

    def _scale_values(self) -> dict:
        return {key: scale.value for key, scale in self._colouring.scales.items()}

    def _update_neurons(self) -> None:
        snap, item = self._snap, self.canvas.diagram
        if snap.activations[0] is not self._grid_source and self._layout.grid_rect is not None:
            self._grid_source = snap.activations[0]
            item.grid_image = grid_image(snap.activations[0], self._layout.image_shape)
        depth = self.reveal_depth() if self._quantity() == "gradients" else None
        self._described_scales = self._scale_values()
        texts = describe(snap, self._mode, self._k, self._quantity(), depth, self._dark,
                         self._class_names, self._colouring.scales, self._selected, self._colour_by,
                         highlight=self.highlighting())
        item.fills, item.dimmed = texts.fills, texts.dimmed
        item.labels, item.tags, item.ring = texts.labels, texts.tags, texts.ring
        item.titles = texts.titles(self._layout)
        item.selected, item.hovered = self._selected, self._hovered
        item.marked = [tuple(self._layout.centres[l][i]) + tuple(self._layout.centres[l + 1][j])
                       for l, j, i in self._marked if l < len(self._layout.sizes) - 1]
        state = (texts.edge_legend[1:], texts.neuron_legend[1:], texts.marks, texts.explanation, self._dark)
        if state != self._legend_state:  # repaint the legend only when it says something new
            self._legend_state = state
            texts.fill_legend(self.legend)
        controls = (self._mode, self._k, self._colour_by, self.reveal_depth(), self._n_layers())
        if controls != self._controls_state:
            self._controls_state = controls
            self.toolbar.sync(*controls)
