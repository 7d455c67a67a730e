"""Time the training charts over a long run: appends, decimated redraws and painting.

Run headless: QT_QPA_PLATFORM=offscreen python benchmarks/charts_redraw.py
Prints medians in milliseconds of this thread's CPU time (steadier than wall time on a
shared machine); the GUI thread's budget is 16 ms a frame.
"""
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtGui import QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.training.charts import TrainingCharts  # noqa: E402


def median_ms(fn, repeats=25):
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        fn()
        times.append(time.thread_time() - start)
    return 1e3 * float(np.median(times))


def main(total=100_000, block=50):
    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    steps = np.arange(1, total + 1)
    costs = 0.08 + 0.35 * np.exp(-steps / 3000) + 0.03 * rng.standard_normal(total) ** 2
    grads = rng.random((total, 3))
    charts = TrainingCharts()
    charts.resize(600, 500)
    charts.show()
    append_times = []
    for i in range(0, total, block):  # a 60 Hz drain of a 3,000 steps/s run brings ~50 steps
        start = time.perf_counter()
        charts.append_steps(steps[i:i + block], costs[i:i + block], grads[i:i + block])
        append_times.append(time.perf_counter() - start)
    charts.redraw()
    app.processEvents()
    pixmap = QPixmap(charts.plots.size())
    more = iter(range(total, total + 10_000_000, 300))

    def paint():
        painter = QPainter(pixmap)
        charts.plots.render(painter)
        painter.end()

    def frame():  # what one throttled redraw costs during a 3,000 steps/s run at 10 Hz
        i = next(more)
        charts.append_steps(np.arange(i + 1, i + 301), costs[:300], grads[:300])
        charts.redraw()
        paint()

    redraw_times = []

    def redraw_only():
        i = next(more)
        charts.append_steps(np.arange(i + 1, i + 301), costs[:300], grads[:300])
        start = time.thread_time()
        charts.redraw()
        redraw_times.append(time.thread_time() - start)

    for _ in range(25):
        redraw_only()
    print(f"{len(charts.series):,} steps kept; curve points drawn: {charts.displayed_points():,}")
    print(f"append_steps, {block} steps: median {1e3 * np.median(append_times):.3f} ms")
    print(f"redraw (decimate + setData, 5 curves): median {1e3 * np.median(redraw_times):.1f} ms"
          f" (at most every {charts._timer.interval()} ms)")
    print(f"paint the plots, 600x500, nothing changed: median {median_ms(paint):.1f} ms")
    print(f"one throttled frame (append + redraw + paint): median {median_ms(frame):.1f} ms")


if __name__ == "__main__":
    main()
