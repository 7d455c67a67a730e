"""Speed of the evaluation and gradient-ranking work: medians over repeats (BLAS on one thread).

    python benchmarks/beyond_views.py
"""
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from core.data import load_mnist  # noqa: E402
from core.lesson.evaluation import evaluate_split  # noqa: E402
from core.network import Network  # noqa: E402
from core.snapshot import make_snapshot  # noqa: E402
from core.threads import limit_blas_threads  # noqa: E402


def median_ms(fn, repeats=15):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main():
    limit_blas_threads(1)
    app = QApplication.instance() or QApplication([])
    from gui.analysis.ranking import GradientRanking

    ds = load_mnist()
    x, y = ds.inputs("test"), ds.test_labels
    for sizes in ((784, 16, 16, 10), (784, 128, 128, 10)):
        net = Network(sizes, seed=0)
        ev = evaluate_split(net, x, y)
        print(f"{'-'.join(map(str, sizes))}: evaluate 10,000 test images (confusion, outputs, costs):"
              f" {median_ms(lambda: evaluate_split(net, x, y)):.1f} ms;"
              f" worst 200: {median_ms(lambda: ev.worst(200)):.2f} ms;"
              f" one cell: {median_ms(lambda: ev.cell(4, 9)):.3f} ms")
        grad = net.backprop(ds.inputs("train")[:100], ds.train_labels[:100]).flat.copy()
        snap = make_snapshot(net, ds.test_images[0], int(ds.test_labels[0]), batch_grad=grad)
        widget = GradientRanking()
        widget.resize(600, 500)
        widget.show()
        app.processEvents()

        def rerank():
            widget._ranked_grad = None  # force the work a new snapshot would cause
            widget.set_snapshot(snap)
            widget._rerank()
            app.processEvents()

        later = [snap.with_progress(step=k) for k in range(60)]

        def set_only():
            widget.set_snapshot(later[set_only.k % len(later)])  # a new snapshot each call
            set_only.k += 1
        set_only.k = 0

        print(f"    gradient ranking of {net.n_params:,} parameters: re-rank + repaint"
              f" {median_ms(rerank):.1f} ms; set_snapshot alone {median_ms(set_only, 50) * 1000:.0f} µs")
        widget.close()


if __name__ == "__main__":
    main()
