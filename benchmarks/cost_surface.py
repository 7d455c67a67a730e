"""Time the cost-surface grid: fast evaluator vs the naive one, in the same run.

    python benchmarks/cost_surface.py [--resolution 51] [--sample 1000] [--repeats 7]

784-16-16-10 sigmoid/quadratic after one epoch of training, a grid of resolution² points over
`sample` training images. Prints medians, the fast/naive ratio, the time to the first
(coarse) picture of the progressive grid, the largest |fast − naive|, and plane set-up times.
One BLAS thread, as in the app (core/threads.py).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.threads import limit_blas_threads, pin_env_before_numpy  # noqa: E402

pin_env_before_numpy()

import numpy as np  # noqa: E402

from core.data import load_mnist  # noqa: E402
from core.landscape.grid import GridEvaluator, naive_grid  # noqa: E402
from core.landscape.planes import evaluation_sample, parameter_index, parameter_plane, pca_plane, random_plane  # noqa: E402
from core.landscape.progressive import progressive_grid  # noqa: E402
from core.network import Network  # noqa: E402
from core.trainer import Trainer  # noqa: E402


def timed(fn, repeats):
    """Return (median seconds, last result) of calling fn `repeats` times."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def time_to_coarse(net, make_plane, x, y, axis):
    """Return the seconds from a request (plane and evaluator set-up included) to the first picture."""
    start = time.perf_counter()
    for update in progressive_grid(GridEvaluator(net, make_plane(), x, y, axis, axis)):
        if update is not None:
            return time.perf_counter() - start
    raise RuntimeError("no update")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=51)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--naive-repeats", type=int, default=3)
    args = parser.parse_args(argv)
    limit_blas_threads(1)

    ds = load_mnist()
    net = Network((784, 16, 16, 10), "sigmoid", "quadratic", seed=0)
    trainer = Trainer(net, ds, batch_size=100, learning_rate=3.0, seed=0)
    trainer.run_epoch()
    x, y = evaluation_sample(ds.inputs("train"), ds.labels("train"), args.sample)
    rows = np.array(trainer.trajectory.values())
    axis = np.linspace(-1.0, 1.0, args.resolution)

    t_random, random = timed(lambda: random_plane(net.params, net.sizes, seed=1), args.repeats)
    t_pca, pca = timed(lambda: pca_plane(net.params, rows), args.repeats)
    params = parameter_plane(net.params, net.sizes, parameter_index(net.sizes, 1, 3, 5),
                             parameter_index(net.sizes, 0, 7, 400))
    print(f"network {net.describe()}, grid {args.resolution}×{args.resolution}, {len(y)} images, one BLAS thread")
    print(f"plane set-up: random {t_random * 1e3:.1f} ms, pca of {len(rows)} trajectory rows {t_pca * 1e3:.1f} ms")

    # Interleaved, so that a change in the machine's load hits every variant alike.
    fast_planes = {"random": random, "pca": pca, "parameters": params}
    times = {name: [] for name in ("naive", "coarse", "coarse pca", *fast_planes)}
    for r in range(max(args.repeats, args.naive_repeats)):
        if r < args.naive_repeats:
            seconds, naive = timed(lambda: naive_grid(net, random, x, y, axis, axis), 1)
            times["naive"].append(seconds)
        if r < args.repeats:
            for name, plane in fast_planes.items():
                seconds, grid = timed(lambda: GridEvaluator(net, plane, x, y, axis, axis).grid(), 1)
                times[name].append(seconds)
                if name == "random":
                    fast = grid
            times["coarse"].append(time_to_coarse(net, lambda: random, x, y, axis))
            times["coarse pca"].append(time_to_coarse(net, lambda: pca_plane(net.params, rows), x, y, axis))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"random plane: naive {median['naive']:.3f} s, fast {median['random']:.3f} s (medians of "
          f"{args.naive_repeats}/{args.repeats}), ratio {median['naive'] / median['random']:.1f}x,"
          f" max |fast - naive| {np.abs(fast - naive).max():.2e}")
    print(f"progressive: first (coarse) picture after {median['coarse'] * 1e3:.1f} ms (median; "
          f"{median['coarse pca'] * 1e3:.1f} ms when the pca plane is built first)")
    print(f"fast, other planes: pca {median['pca']:.3f} s, two parameters {median['parameters']:.3f} s")

if __name__ == "__main__":
    main()
