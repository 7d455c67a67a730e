"""Soak run: train 50,000 steps headless with history and trajectory recording on, and show
that memory levels off.

Prints the peak resident set size (VmHWM) and the current one (VmRSS) at 10k, 20k, …, 50k
steps, with the sizes of the bounded records, then the growth from 10k to 50k steps.
The network is the classic 784-16-16-10 (sigmoid, quadratic, SGD lr 3, batch 100); the test
accuracy is evaluated once per epoch, as the app does.

Usage: python benchmarks/soak.py [--steps 50000] [--every 10000]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.threads import limit_blas_threads  # noqa: E402


def memory_mib() -> dict:
    """Return this process's VmHWM (peak) and VmRSS (current) in MiB, from /proc/self/status."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0]) / 1024  # reported in kB
    return values


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=50000)
    p.add_argument("--every", type=int, default=10000, help="report every this many steps")
    args = p.parse_args()
    limit_blas_threads(1)
    from core.data import load_mnist
    from core.network import Network
    from core.trainer import Trainer

    ds = load_mnist()
    tr = Trainer(Network((784, 16, 16, 10), "sigmoid", "quadratic", seed=0), ds, batch_size=100,
                 learning_rate=3.0, record_trajectory=True)
    start_mem = memory_mib()
    print(f"after loading MNIST and building the trainer: peak {start_mem['VmHWM']:.1f} MiB,"
          f" now {start_mem['VmRSS']:.1f} MiB")
    print(f"{'steps':>7} {'epoch':>6} {'peak RSS MiB':>13} {'RSS MiB':>8} {'cost points':>12}"
          f" {'trajectory':>11} {'stride':>7} {'test acc':>9} {'s':>6}")
    start, marks, accuracy = time.perf_counter(), {}, float("nan")
    for _ in range(args.steps):
        rec = tr.step()
        if rec.diverged:
            raise SystemExit(f"diverged at step {tr.step_count}")
        if rec.epoch_finished:
            accuracy = tr.evaluate("test").accuracy
        if tr.step_count % args.every == 0:
            mem = memory_mib()
            marks[tr.step_count] = mem
            print(f"{tr.step_count:7d} {tr.epoch + tr.epoch_progress:6.1f} {mem['VmHWM']:13.1f} {mem['VmRSS']:8.1f}"
                  f" {len(tr.history.costs):12d} {len(tr.trajectory):11d} {tr.trajectory.stride:7d}"
                  f" {accuracy:9.4f} {time.perf_counter() - start:6.1f}", flush=True)
    if 10000 in marks and args.steps in marks:
        first, last = marks[10000]["VmHWM"], marks[args.steps]["VmHWM"]
        print(f"peak RSS at 10k steps {first:.1f} MiB, at {args.steps // 1000}k steps {last:.1f} MiB:"
              f" {last - first:+.1f} MiB over the last {args.steps - 10000:,} steps")


if __name__ == "__main__":
    main()
