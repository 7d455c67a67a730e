"""Start-up time: from launching the app to its first painted window, warm and cold.

    python benchmarks/startup.py [--runs 5] [--cold] [--bundle] [--platform xcb]

Each run launches `main.py --fresh` (or the standalone app with --bundle) with
NN_EXPLORER_STARTUP_PROBE set: the app prints when it reached each stage of its start-up
and exits right after the window's first paint (gui/desktop/first_paint.py). Times are seconds from
the launch, medians over the runs. Settings go to a temporary folder (the learner's own are
untouched) and bytecode to a cache folder of this script's own (PYTHONPYCACHEPREFIX).

- warm: the files are in the page cache and the bytecode is compiled (a start soon after another);
- cold (--cold, needs root): the page cache is dropped before each run (echo 3 >
  /proc/sys/vm/drop_caches), so every library and module is read from disk again, as at the
  first start after booting; the bytecode is still compiled, as pip does at install time;
- no bytecode: a fresh, empty bytecode cache, so every Python module is compiled first
  (a checkout's very first start; an installed app never pays it).
Offscreen by default (no window system needed); --platform xcb with a DISPLAY paints to X.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("started", "qt_started", "gui_imported", "data_loaded", "window_built", "paint_started", "painted")
WHAT = {
    "started": "interpreter up, main.py and the argument parser run",
    "qt_started": "NumPy, PySide6 imported; QApplication made",
    "gui_imported": "the window's modules imported (pyqtgraph, the panels)",
    "data_loaded": "the embedded MNIST read and unpacked",
    "window_built": "the window and its panels built",
    "paint_started": "shown; the first paint event arrives",
    "painted": "the first paint done",
}


def launch(cmd, env) -> dict:
    """Run the app once; return {stage: seconds after launch}."""
    t0 = time.time()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    line = next((l for l in result.stdout.splitlines() if l.startswith("startup-probe ")), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"the app did not report its start-up (exit {result.returncode}):\n{result.stderr[-2000:]}")
    marks = dict(kv.split("=") for kv in line.split()[1:])
    return {stage: float(t) - t0 for stage, t in marks.items()}


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def series(cmd, env, runs, before=None) -> list:
    out = []
    for _ in range(runs):
        if before is not None:
            before()
        out.append(launch(cmd, env))
    return out


def report(name, results) -> None:
    print(f"\n{name} ({len(results)} runs), seconds after launch, median [min – max]:")
    previous = 0.0
    for stage in STAGES:
        values = [r[stage] for r in results if stage in r]
        if not values:
            continue
        med = statistics.median(values)
        print(f"  {stage:<14} {med:6.2f}  [{min(values):.2f} – {max(values):.2f}]  +{med - previous:5.2f}  {WHAT[stage]}")
        previous = med


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--cold", action="store_true", help="also drop the page cache before each run (root only)")
    p.add_argument("--no-bytecode", action="store_true", help="also start with an empty bytecode cache")
    p.add_argument("--bundle", action="store_true", help="time dist/nn-explorer/nn-explorer instead of main.py")
    p.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM (default offscreen)")
    args = p.parse_args(argv)

    if args.bundle:
        cmd = [str(ROOT / "dist" / "nn-explorer" / "nn-explorer"), "--fresh"]
    else:
        cmd = [sys.executable, str(ROOT / "main.py"), "--fresh"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(NN_EXPLORER_STARTUP_PROBE="1", QT_QPA_PLATFORM=args.platform, XDG_CONFIG_HOME=str(Path(tmp) / "config"),
                   PYTHONPYCACHEPREFIX=str(ROOT / "build" / "startup-pycache"))
        print(f"command: {' '.join(cmd)}  (QT_QPA_PLATFORM={args.platform})")
        launch(cmd, env)  # compiles the bytecode, fills the page cache
        report("warm", series(cmd, env, args.runs))
        if args.cold:
            if drop_page_cache():
                report("cold: page cache dropped before each run", series(cmd, env, args.runs, drop_page_cache))
            else:
                print("\ncold: cannot drop the page cache (needs root); skipped")
        if args.no_bytecode:
            fresh = []
            for i in range(args.runs):
                fresh.append(launch(cmd, dict(env, PYTHONPYCACHEPREFIX=str(Path(tmp) / f"pycache{i}"))))
            report("no bytecode: every module compiled first", fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
