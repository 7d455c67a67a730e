"""Training at full speed with the window open: steps/s, and how responsive the GUI stays.

Prints, for the classic 784-16-16-10 network (or other hidden layers, --hidden) on the embedded MNIST:
- headless steps per second (Trainer.step in a loop, one BLAS thread);
- steps per second of the app's training worker with no window (it also evaluates each epoch);
- steps per second with the main window open (offscreen, 1600×900) and training at full speed;
- the GUI event loop's latency: gaps between the ticks of a 60 Hz timer (median, p99, max).

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_responsiveness.py [--seconds 10] [--panel NAME ...] [--hidden 128,64]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core.threads import limit_blas_threads, pin_env_before_numpy  # noqa: E402

pin_env_before_numpy()

import numpy as np  # noqa: E402

HIDDEN = (16, 16)  # hidden layer sizes (--hidden)


def sizes_for(dataset) -> tuple:
    return (dataset.n_inputs, *HIDDEN, dataset.n_classes)


def headless_steps_per_second(dataset, seconds: float) -> float:
    from core.network import Network
    from core.trainer import Trainer

    tr = Trainer(Network(sizes_for(dataset), seed=0), dataset, batch_size=100, learning_rate=3.0, seed=0)
    for _ in range(200):  # warm up
        tr.step()
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            tr.step()
        n += 100
    return n / (time.perf_counter() - start)


def worker_steps_per_second(dataset, seconds: float) -> float:
    """Steps/s of the app's training worker at full speed with no window: the same thread,
    snapshots and per-epoch evaluations (test set and a 10k training sample) as in the app."""
    from PySide6.QtWidgets import QApplication

    from gui.training.worker import TrainingWorker

    app = QApplication.instance() or QApplication([])
    worker = TrainingWorker(dataset, sizes=sizes_for(dataset))
    worker.start()
    worker.set_speed(0)
    worker.play()
    time.sleep(1.0)  # warm up
    app.processEvents()
    start, step0 = time.perf_counter(), worker.mailbox.peek().step
    time.sleep(seconds)
    rate = (worker.mailbox.peek().step - step0) / (time.perf_counter() - start)
    worker.stop()
    worker.wait(5000)
    return rate


def gui_run(dataset, seconds: float, panels) -> dict:
    from PySide6.QtCore import QElapsedTimer, QSettings, QStandardPaths, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.app import freeze_startup_objects, open_window
    from gui.widgets.theme import apply_theme

    QStandardPaths.setTestModeEnabled(True)
    app = QApplication.instance() or QApplication([])
    apply_theme(app, dark=True)
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "nnx-bench.ini"), QSettings.IniFormat)
    settings.clear()
    controller = open_window(dataset, restore_settings=False, offer_restore=False, settings=settings)
    window = controller.view
    window.resize(1600, 900)
    freeze_startup_objects()  # as the app does once its window is built
    window.show()
    if HIDDEN != (16, 16):
        controller.rebuild(HIDDEN, "sigmoid", "quadratic", 0)
        while controller.worker.mailbox.peek().sizes != sizes_for(dataset):
            app.processEvents()
    for name in panels:
        controller.show_panel(name)
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        app.processEvents()

    gaps, clock = [], QElapsedTimer()
    probe = QTimer()
    probe.setInterval(16)

    def tick():
        if clock.isValid():
            gaps.append(clock.nsecsElapsed() / 1e6)
        clock.restart()

    probe.timeout.connect(tick)
    probe.start()
    shown = []
    controller.snapshotShown.connect(lambda snap: shown.append(snap.step))
    charts, diagram = window.panels["charts"], window.diagram
    redraws0, edges0 = charts.redraw_count, diagram.edge_renders
    controller.worker.set_speed(0)
    controller.worker.play()
    t0, cpu0, gui0 = time.perf_counter(), time.process_time(), time.thread_time()
    step0 = controller.worker.mailbox.peek().step
    # the real event loop (not a polling loop, which would itself cost GUI time)
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    elapsed = time.perf_counter() - t0
    cpu, gui_cpu = time.process_time() - cpu0, time.thread_time() - gui0
    steps = controller.worker.mailbox.peek().step - step0
    probe.stop()
    live = {"snapshots_shown": len(shown), "chart_redraws": charts.redraw_count - redraws0,
            "edge_renders": diagram.edge_renders - edges0}
    window.close()
    gaps = np.array(gaps[5:])
    return {"steps_per_second": steps / elapsed, "gap_median": float(np.median(gaps)),
            "gap_p99": float(np.percentile(gaps, 99)), "gap_max": float(gaps.max()), "ticks": len(gaps),
            "cpu_cores": cpu / elapsed, "gui_cores": gui_cpu / elapsed, "seconds": elapsed, **live}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--panel", action="append", default=[], help="also show this panel (e.g. surface)")
    p.add_argument("--switch-ms", type=float, default=None,
                   help="Python's thread switch interval in ms (default: the app's own setting)")
    p.add_argument("--hidden", default="16,16", help="hidden layer sizes, e.g. 128,64")
    args = p.parse_args()
    global HIDDEN
    HIDDEN = tuple(int(n) for n in args.hidden.split(","))
    limit_blas_threads(1)
    from gui.app import SWITCH_INTERVAL

    sys.setswitchinterval(SWITCH_INTERVAL if args.switch_ms is None else args.switch_ms / 1000)
    from core.data import load_mnist

    ds = load_mnist()
    # The machine is shared: each baseline is measured before and after the window's run and
    # averaged, so a change of load during the run moves both sides of the ratios alike.
    short = min(args.seconds, 4.0)
    headless = [headless_steps_per_second(ds, short / 2)]
    alone = [worker_steps_per_second(ds, short / 2)]
    gui = gui_run(ds, args.seconds, args.panel)
    alone.append(worker_steps_per_second(ds, short / 2))
    headless.append(headless_steps_per_second(ds, short / 2))
    h, a = float(np.mean(headless)), float(np.mean(alone))
    print(f"headless training: {h:,.0f} steps/s ({'-'.join(map(str, sizes_for(ds)))}, batch 100, one BLAS thread;"
          f" before and after: {headless[0]:,.0f}, {headless[1]:,.0f})")
    print(f"the app's worker with no window: {a:,.0f} steps/s = {a / h:.0%} of headless"
          f" (it also evaluates each epoch and publishes snapshots; before and after: {alone[0]:,.0f}, {alone[1]:,.0f})")
    print(f"thread switch interval {sys.getswitchinterval() * 1000:g} ms")
    print(f"with the window open (offscreen 1600x900{', panels: ' + ', '.join(args.panel) if args.panel else ''}):"
          f" {gui['steps_per_second']:,.0f} steps/s = {gui['steps_per_second'] / h:.0%} of headless,"
          f" {gui['steps_per_second'] / a:.0%} of the worker with no window")
    per_s = {k: gui[k] / gui["seconds"] for k in ("snapshots_shown", "chart_redraws", "edge_renders")}
    print(f"live views, per second: {per_s['snapshots_shown']:.1f} snapshots shown, {per_s['edge_renders']:.1f}"
          f" recolourings of the connections, {per_s['chart_redraws']:.1f} chart redraws")
    print(f"CPU use: {gui['cpu_cores']:.2f} cores in all, of which the GUI thread {gui['gui_cores']:.2f}")
    print(f"GUI timer gaps over {gui['ticks']} ticks of a 16 ms timer: median {gui['gap_median']:.1f} ms,"
          f" p99 {gui['gap_p99']:.1f} ms, max {gui['gap_max']:.1f} ms (targets: p99 ≤ 25 ms, max ≤ 50 ms)")


if __name__ == "__main__":
    main()
