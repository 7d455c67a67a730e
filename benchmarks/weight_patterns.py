"""Time one refresh + repaint of the weight-patterns panel for layers of 16 and 128 neurons.

Run: QT_QPA_PLATFORM=offscreen python benchmarks/weight_patterns.py
Prints medians over snapshots with new parameters every time, at a bottom-dock size of
1000×330, in CPU time of this process (the machine is shared, so wall time mostly measures
the neighbours). The panel redraws at most every RENDER_INTERVAL_MS while training runs.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.network import Network  # noqa: E402
from core.snapshot import make_snapshot  # noqa: E402
from gui.lesson.patterns import RENDER_INTERVAL_MS, WeightPatternsView  # noqa: E402


def snapshots(sizes, n=30):
    rng = np.random.default_rng(0)
    net = Network(sizes, seed=0)
    x = rng.random(sizes[0])
    out = []
    for _ in range(n):
        net.params[:] += rng.normal(0, 0.01, net.params.shape).astype(net.dtype)
        out.append(make_snapshot(net, x, 3))
    return out


def time_panel(app, sizes, layer=1):
    view = WeightPatternsView()
    view.resize(1000, 330)
    view.show()
    snaps = snapshots(sizes)
    view.set_snapshot(snaps[0])
    view.set_layer(layer)
    app.processEvents()
    refresh, paint = [], []
    for snap in snaps[1:]:
        start = time.process_time()
        view._snap = snap
        view._render()
        middle = time.process_time()
        view.repaint()
        view._plot.viewport().repaint()
        refresh.append(middle - start)
        paint.append(time.process_time() - middle)
    view.close()
    return statistics.median(refresh) * 1e3, statistics.median(paint) * 1e3


def main():
    app = QApplication.instance() or QApplication([])
    print(f"weight patterns panel (redraws at most every {RENDER_INTERVAL_MS} ms while training)")
    for sizes, layer, what in (((784, 16, 16, 10), 1, "16 neurons × 784 pixels"),
                               ((784, 128, 10), 1, "128 neurons × 784 pixels (one page of 64)"),
                               ((784, 16, 16, 10), 2, "16 neurons × 16 (4×4 grids)")):
        refresh, paint = time_panel(app, sizes, layer)
        print(f"  {what:45s} refresh {refresh:6.2f} ms   repaint {paint:6.2f} ms   (medians, CPU)")


if __name__ == "__main__":
    main()
