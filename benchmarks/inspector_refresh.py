"""Time one refresh + repaint of the inspector, sample and mini-batch views while the network changes.

Run: QT_QPA_PLATFORM=offscreen python benchmarks/inspector_refresh.py
Prints medians over snapshots from consecutive training steps (new parameters every time),
at a dock-like size of 420×700, in CPU time of this process (the machine is shared, so wall
time mostly measures the neighbours). Widgets paint in software either way, so offscreen is
close to what a screen costs.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from core.data import load_mnist  # noqa: E402
from core.network import Network  # noqa: E402
from core.snapshot import make_snapshot  # noqa: E402
from core.trainer import Trainer  # noqa: E402


def snapshots(n=40):
    ds = load_mnist()
    net = Network((784, 16, 16, 10), seed=0)
    tr = Trainer(net, ds, batch_size=10, learning_rate=3.0, seed=0)
    for _ in range(200):
        tr.step()
    out = []
    for _ in range(n):
        before = net.params.copy()
        rec = tr.step()
        i = int(rec.batch[0])
        out.append(make_snapshot(net, ds.train_images[i], int(ds.train_labels[i]), example_split="train",
                                 example_index=i, step=tr.step_count, batch=rec.batch,
                                 batch_grad=tr.last_gradient.copy(), batch_params=before))
    return ds, out


def time_view(app, widget, snaps, refresh):
    widget.resize(420, 700)
    widget.show()
    app.processEvents()
    update, paint, again = [], [], []
    for snap in snaps:
        start = time.process_time()
        widget._snap = snap
        refresh()
        middle = time.process_time()
        app.sendPostedEvents()  # the layout pass and the repaint the changes asked for
        end = time.process_time()
        widget.repaint()  # for comparison: painting the whole view with nothing else to do
        update.append(middle - start)
        paint.append(end - middle)
        again.append(time.process_time() - end)
    widget.close()
    return [statistics.median(t) * 1e3 for t in (update, paint, again)]


def main():
    app = QApplication.instance() or QApplication([])
    from gui.example.sample import SampleView
    from gui.inspector.panel import NeuronInspector

    ds, snaps = snapshots()
    for layer, index in ((1, 3), (2, 5), (3, 7)):
        view = NeuronInspector()
        view.set_neuron(layer, index)
        u, p, r = time_view(app, view, snaps, view.refresh)
        print(f"NeuronInspector neuron ({layer}, {index}): refresh {u:.1f} ms, then layout + paint {p:.1f} ms"
              f" (a bare repaint: {r:.1f} ms), medians")
    view = SampleView()
    view.set_dataset(ds)
    u, p, r = time_view(app, view, snaps, view.refresh)
    print(f"SampleView: refresh {u:.1f} ms, then layout + paint {p:.1f} ms (a bare repaint: {r:.1f} ms), medians")


if __name__ == "__main__":
    main()
