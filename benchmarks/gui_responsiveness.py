"""Training in the engine process with the window open: steps/s, how live the views stay, GUI latency.

Prints, for the classic 784-16-16-10 network (or other hidden layers, --hidden) on the embedded MNIST,
all in one run:
- headless steps per second (the app's Trainer.step in a loop, one BLAS thread), before and after the window's run;
- steps per second of the engine process with no window (it also publishes snapshots, evaluates each epoch);
- with the main window open (offscreen, 1600×900) and training at full speed (or --speed N steps/s):
  steps/s as a share of headless, new snapshots the diagram showed per second (each a newer step),
  chart redraws per second, and at a set speed the share of steps that were shown;
- the GUI event loop's latency: gaps between the ticks of a 16 ms timer (median, p99, max), and
  the same timer's gaps in a bare event loop while the engine trains with no window (the floor
  the machine itself sets).

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_responsiveness.py [--seconds 8] [--rounds 3]
        [--panel NAME ...] [--hidden 128,64] [--speed 20]

Each round measures the baselines just before and after its window run; the medians over the
rounds are printed with each round's figure, since the shared machine's speed drifts.
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


def cpu_seconds(pid) -> float:
    """Return the CPU seconds (user + system) process pid has used so far (Linux; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TickProbe:
    """The gaps between the ticks of a 16 ms timer on this thread's event loop (how live it stays)."""

    def __init__(self):
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.gaps, self._clock = [], QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(16)
        self._timer.timeout.connect(self._tick)

    def _tick(self):
        if self._clock.isValid():
            self.gaps.append(self._clock.nsecsElapsed() / 1e6)
        self._clock.restart()

    def start(self):
        self._timer.start()

    def stop(self) -> dict:
        self._timer.stop()
        gaps = np.array(self.gaps[5:] or [np.nan])
        return dict(gap_median=float(np.median(gaps)), gap_p99=float(np.percentile(gaps, 99)),
                    gap_max=float(gaps.max()), ticks=len(gaps))


def run_event_loop(seconds: float) -> None:
    """Run this thread's Qt event loop for `seconds` (a real loop: a polling one costs time itself)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()


def headless_steps_per_second(dataset, seconds: float) -> tuple:
    """Return (steps/s, CPU µs per step) of the app's trainer in a loop."""
    from core.network import Network
    from core.session import make_trainer

    # the trainer the app makes (its recorded trajectory sized as the app sizes it: with 512 rows
    # of 784-128-64-10 it would take 225 MB and a third of the time in page faults)
    tr = make_trainer(Network(sizes_for(dataset), seed=0), dataset, batch_size=100, learning_rate=3.0, seed=0)
    for _ in range(200):  # warm up
        tr.step()
    start, cpu, n = time.perf_counter(), time.thread_time(), 0
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            tr.step()
        n += 100
    return n / (time.perf_counter() - start), (time.thread_time() - cpu) / n * 1e6


def engine_steps_per_second(dataset, seconds: float, floor=None) -> tuple:
    """Return (steps/s, CPU µs per step) of the engine process at full speed with no window.

    The same process, snapshots and per-epoch checks (in the checker process) as in the app.
    Meanwhile this thread runs a bare event loop; floor (a list) gets its tick gaps: the
    latency the machine itself adds while training runs, with no window to draw.
    """
    from core.engine.handle import EngineHandle

    handle = EngineHandle(dataset, {"sizes": sizes_for(dataset)})
    try:
        while handle.newest() is None:
            time.sleep(0.01)
        handle.send("set_speed", 0)
        handle.send("play")
        time.sleep(1.0)  # warm up

        def step():
            snap = None
            while snap is None:
                snap = handle.newest()
            return snap.step

        start, step0, cpu = time.perf_counter(), step(), cpu_seconds(handle.process.pid)
        probe = TickProbe()
        probe.start()
        run_event_loop(seconds)
        if floor is not None:
            floor.extend(probe.gaps[5:])
        probe.stop()
        steps = step() - step0
        return steps / (time.perf_counter() - start), (cpu_seconds(handle.process.pid) - cpu) / steps * 1e6
    finally:
        handle.close()


def gui_run(dataset, seconds: float, panels, speed: float) -> dict:
    from PySide6.QtCore import QSettings, QStandardPaths, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.app import freeze_startup_objects, open_window
    from gui.widgets.theme import apply_theme

    QStandardPaths.setTestModeEnabled(True)
    app = QApplication.instance() or QApplication([])
    apply_theme(app, dark=True)
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "nnx-bench.ini"), QSettings.IniFormat)
    settings.clear()
    controller = open_window(dataset, restore_settings=False, offer_restore=False, settings=settings, persist=False)
    window, worker = controller.view, controller.worker
    window.resize(1600, 900)
    freeze_startup_objects()  # as the app does once its window is built
    window.show()

    def pump_until(predicate, limit=60.0):
        end = time.perf_counter() + limit
        while not predicate() and time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.005)

    pump_until(lambda: worker.alive() and worker.mailbox.peek().extra.get("accuracy_step") == 0)
    if HIDDEN != (16, 16):
        controller.rebuild(HIDDEN, "sigmoid", "quadratic", 0)
        pump_until(lambda: worker.mailbox.peek().sizes == sizes_for(dataset))
    for name in panels:
        controller.show_panel(name)
    pump_until(lambda: False, 1.0)

    probe = TickProbe()
    probe.start()
    shown = []
    controller.snapshotShown.connect(lambda snap: shown.append(snap.step))
    charts = window.panels["charts"]
    redraws0 = charts.redraw_count
    worker.set_speed(speed)
    worker.play()
    t0, gui0, cpu0 = time.perf_counter(), time.thread_time(), time.process_time()
    engine0 = cpu_seconds(worker.engine_pid)
    step0 = worker.mailbox.peek().step
    # the real event loop (not a polling loop, which would itself cost GUI time)
    end = {}

    def finish():  # read before quitting: the app's quit ends the engine
        end.update(engine_cpu=cpu_seconds(worker.engine_pid) - engine0, step=worker.mailbox.peek().step)
        app.quit()

    QTimer.singleShot(int(seconds * 1000), finish)
    app.exec()
    elapsed = time.perf_counter() - t0
    gui_cpu, cpu = time.thread_time() - gui0, time.process_time() - cpu0
    engine_cpu, steps = end["engine_cpu"], end["step"] - step0
    gaps = probe.stop()
    worker.pause()
    newer = [s for prev, s in zip([step0, *shown], shown) if s > prev]
    trained = set(range(step0 + 2, step0 + steps))  # the first and last may straddle the window's run
    result = {"steps_per_second": steps / elapsed, "snapshots_shown": len(newer),
              "steps_shown": len(trained & set(shown)) / max(1, len(trained)),
              "chart_redraws": charts.redraw_count - redraws0, "gui_cores": gui_cpu / elapsed, "cores": cpu / elapsed, "seconds": elapsed,
              "engine_us_per_step": engine_cpu / max(1, steps) * 1e6}
    window.close()
    result.update(gaps)
    return result


def one_round(ds, args) -> dict:
    """Headless and the engine alone before and after one window run; return the window's figures and ratios.

    The machine is shared: each baseline is measured just before and just after the window's
    run and averaged, so a change of load during the run moves both sides of the ratios alike.
    """
    short = min(args.seconds, 4.0) / 2
    floor = []
    headless = [headless_steps_per_second(ds, short)]
    alone = [engine_steps_per_second(ds, short, floor)]
    gui = gui_run(ds, args.seconds, args.panel, args.speed)
    alone.append(engine_steps_per_second(ds, short, floor))
    headless.append(headless_steps_per_second(ds, short))
    (h, h_us), (a, a_us) = np.mean(headless, axis=0), np.mean(alone, axis=0)
    gui.update(headless=h, headless_us=h_us, alone=a, alone_us=a_us,
               headless_runs=[r for r, _ in headless], alone_runs=[r for r, _ in alone],
               share=gui["steps_per_second"] / h, alone_share=a / h, share_of_alone=gui["steps_per_second"] / a,
               cpu_share=h_us / gui["engine_us_per_step"] if gui["engine_us_per_step"] > 0 else float("nan"),
               alone_cpu_share=h_us / a_us,
               snapshots_per_second=gui["snapshots_shown"] / gui["seconds"],
               charts_per_second=gui["chart_redraws"] / gui["seconds"],
               floor_p99=float(np.percentile(floor, 99)), floor_max=float(max(floor)))
    return gui


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=8.0, help="each window run's length")
    p.add_argument("--rounds", type=int, default=3, help="window runs, each between its own baselines; medians are printed")
    p.add_argument("--panel", action="append", default=[], help="also show this panel (e.g. surface)")
    p.add_argument("--hidden", default="16,16", help="hidden layer sizes, e.g. 128,64")
    p.add_argument("--speed", type=float, default=0.0, help="steps per second (0: as fast as possible)")
    args = p.parse_args()
    global HIDDEN
    HIDDEN = tuple(int(n) for n in args.hidden.split(","))
    limit_blas_threads(1)
    from PySide6.QtWidgets import QApplication

    from gui.app import SWITCH_INTERVAL

    sys.setswitchinterval(SWITCH_INTERVAL)  # as the app sets it: the GUI thread's wait for its worker threads

    from core.data import load_mnist

    QApplication.instance() or QApplication([])

    ds = load_mnist()
    rounds = [one_round(ds, args) for _ in range(max(1, args.rounds))]

    def med(key):
        return float(np.median([r[key] for r in rounds]))

    def each(key, form):
        return ", ".join(form.format(r[key]) for r in rounds)

    n = len(rounds)
    print(f"{n} round(s); each: headless and the engine alone, the window for {args.seconds:g} s, the engine alone"
          f" and headless again. Medians over the rounds, each round's figure in brackets.")
    print(f"headless training: {med('headless'):,.0f} steps/s ({'-'.join(map(str, sizes_for(ds)))}, batch 100,"
          f" one BLAS thread) [{each('headless', '{:,.0f}')}]")
    print(f"the engine process with no window: {med('alone_share'):.0%} of headless"
          f" (it also publishes snapshots; its checker evaluates each epoch) [{each('alone_share', '{:.0%}')}]")
    pace = f"at {args.speed:g} steps/s" if args.speed else "at full speed"
    where = f"with the window open (offscreen 1600x900{', panels: ' + ', '.join(args.panel) if args.panel else ''}"
    if args.speed:  # a set pace: the share of headless says nothing
        print(f"{where}, {pace}): {med('steps_per_second'):,.1f} steps/s")
    else:
        print(f"{where}, {pace}): {med('steps_per_second'):,.0f} steps/s = {med('share'):.0%} of headless"
              f" [{each('share', '{:.0%}')}], {med('share_of_alone'):.0%} of the engine with no window")
    print(f"live views, per second: {med('snapshots_per_second'):.1f} new snapshots shown in the diagram"
          f" [{each('snapshots_per_second', '{:.1f}')}], {med('charts_per_second'):.1f} chart redraws"
          f" [{each('charts_per_second', '{:.1f}')}]"
          + (f"; {med('steps_shown'):.0%} of the steps trained were shown [{each('steps_shown', '{:.0%}')}]"
             if args.speed else ""))
    print(f"the window's process used {med('cores'):.2f} cores, its GUI thread {med('gui_cores'):.2f}"
          f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"CPU time per step (what load on the machine changes least): headless {med('headless_us'):.0f} µs,"
          f" the engine with no window {med('alone_us'):.0f} µs ({med('alone_cpu_share'):.0%} of headless speed)"
          + ("" if args.speed else f", with the window open {med('engine_us_per_step'):.0f} µs"
                                   f" ({med('cpu_share'):.0%}) [{each('cpu_share', '{:.0%}')}]"))
    print(f"GUI timer gaps, ticks of a 16 ms timer ({sum(r['ticks'] for r in rounds)} in all): median"
          f" {med('gap_median'):.1f} ms, p99 {med('gap_p99'):.1f} ms [{each('gap_p99', '{:.1f}')}],"
          f" max {max(r['gap_max'] for r in rounds):.1f} ms [{each('gap_max', '{:.1f}')}]")
    print(f"  the machine's floor: the same timer in a bare event loop (no window) while the engine trains"
          f" alone: p99 {med('floor_p99'):.1f} ms [{each('floor_p99', '{:.1f}')}],"
          f" max {max(r['floor_max'] for r in rounds):.1f} ms")


if __name__ == "__main__":
    main()
