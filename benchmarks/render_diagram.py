"""Time the network diagram: apply a new snapshot and paint a whole frame, offscreen.

    QT_QPA_PLATFORM=offscreen python benchmarks/render_diagram.py [--frames N] [--quick]

For 784-16-16-10 and 784-128-64-10, with the diagram area at 1600×900, prints the median
wall-clock and CPU milliseconds (CPU: this thread's own time, which other programs on a
busy machine cannot inflate) of:
  training   set_snapshot + draw everything + paint the whole widget (QWidget.render into a
             QImage), snapshots a few SGD steps apart;
  worst      the same, alternating two unrelated networks so every connection changes colour;
  unchanged  painting the widget when nothing changed (the composed frame is only copied);
  update     the "worst" frames without the final paint: recolouring the connections and
             composing the frame (while training, the rate limit spreads this out).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pyqtgraph  # noqa: E402,F401  (after PySide6, so it binds to it)
from PySide6 import QtGui, QtWidgets  # noqa: E402

from core.data import load_mnist  # noqa: E402
from core.network import Network  # noqa: E402
from core.snapshot import make_snapshot  # noqa: E402
from core.trainer import Trainer  # noqa: E402
from gui.diagram.view import NetworkView  # noqa: E402

WIDTH, HEIGHT = 1600, 900


def training_snapshots(ds, sizes, n_frames, warmup, steps_between):
    """Return snapshots of a network being trained, `steps_between` SGD steps apart."""
    net = Network(sizes, seed=0)
    trainer = Trainer(net, ds, batch_size=10, learning_rate=3.0, seed=0)
    for _ in range(warmup):
        trainer.step()
    snaps = []
    for k in range(n_frames):
        for _ in range(steps_between):
            trainer.step()
        i = k % 100
        snaps.append(make_snapshot(net, ds.test_images[i], int(ds.test_labels[i]), step=trainer.step_count
                                   if hasattr(trainer, "step_count") else k))
    return snaps


def unrelated_snapshots(ds, sizes, n_frames):
    """Return snapshots alternating between two differently seeded networks and images."""
    nets = [Network(sizes, seed=s) for s in (1, 2)]
    return [make_snapshot(nets[k % 2], ds.test_images[k], int(ds.test_labels[k])) for k in range(n_frames)]


def paint(view, target: QtGui.QImage) -> None:
    """Paint the whole widget, as a window repaint would."""
    view.render(target)


def time_frames(view, snaps, target):
    """Return per-frame (wall, cpu, update wall) seconds for applying each snapshot and painting."""
    app = QtWidgets.QApplication.instance()
    walls, cpus, updates = [], [], []
    for snap in snaps:
        start, cpu = time.perf_counter(), time.thread_time()
        view.set_snapshot(snap)
        view.update_now()
        mid = time.perf_counter()
        paint(view, target)
        walls.append(time.perf_counter() - start)
        cpus.append(time.thread_time() - cpu)
        updates.append(mid - start)
        app.processEvents()
    return np.array(walls), np.array(cpus), np.array(updates)


def time_unchanged(view, n, target):
    """Return per-frame (wall, cpu) seconds for painting when nothing changed."""
    app = QtWidgets.QApplication.instance()
    walls, cpus = [], []
    for _ in range(n):
        app.processEvents()
        start, cpu = time.perf_counter(), time.thread_time()
        paint(view, target)
        walls.append(time.perf_counter() - start)
        cpus.append(time.thread_time() - cpu)
    return np.array(walls), np.array(cpus)


def fmt(wall, cpu=None) -> str:
    text = f"median {np.median(wall) * 1e3:6.1f} ms   p90 {np.percentile(wall, 90) * 1e3:6.1f} ms"
    if cpu is not None:
        text += f"   CPU median {np.median(cpu) * 1e3:5.1f} ms"
    return text


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30, help="frames timed per case")
    parser.add_argument("--quick", action="store_true", help="fewer frames, the classic network only")
    args = parser.parse_args(argv)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    ds = load_mnist()
    archs = [(784, 16, 16, 10)] if args.quick else [(784, 16, 16, 10), (784, 128, 64, 10)]
    frames = 10 if args.quick else args.frames
    for sizes in archs:
        view = NetworkView()
        view.show()
        view.resize(WIDTH, HEIGHT)
        app.processEvents()
        extra = view.height() - view.canvas.height()
        view.resize(WIDTH, HEIGHT + extra)  # the diagram itself gets 1600×900
        app.processEvents()
        train = training_snapshots(ds, sizes, frames + 3, warmup=20, steps_between=5)
        other = unrelated_snapshots(ds, sizes, frames + 3)
        target = QtGui.QImage(view.size(), QtGui.QImage.Format.Format_RGB32)
        for snap in train[:3] + other[:3]:  # warm up: layout, haze plans, caches
            view.set_snapshot(snap)
            view.update_now()
            paint(view, target)
        canvas = view.canvas.viewport().size()
        print(f"{'-'.join(map(str, sizes))}: {sum(a * b for a, b in zip(sizes, sizes[1:])):,} connections,"
              f" diagram {canvas.width()}×{canvas.height()}, widget {view.width()}×{view.height()}")
        renders = view.edge_renders
        wall, cpu, _ = time_frames(view, train[3:], target)
        print(f"  training   {fmt(wall, cpu)}   (connections redrawn in"
              f" {view.edge_renders - renders} of {len(wall)} frames)")
        wall, cpu, update = time_frames(view, other[3:], target)
        print(f"  worst      {fmt(wall, cpu)}")
        print(f"  update     {fmt(update)}   ({view.canvas.raster.last_counts[0]} sharp lines,"
              f" {view.canvas.raster.last_counts[1]:,} connections in the haze)")
        print(f"  unchanged  {fmt(*time_unchanged(view, frames, target))}")
        view.close()


if __name__ == "__main__":
    main()
