"""Time training of 784-16-16-10 (sigmoid, quadratic cost, SGD, batch 100, float32) on MNIST.

Prints, all from one run so that ratios compare like with like on a shared machine:
- one `Trainer.step()` (median over ≥ 1,000 steps) and one `Trainer.run_epoch()` of 60,000
  images (median of several), shuffling, batching and bookkeeping included;
- the same loop written plainly in NumPy (permutation, fancy-indexed batch, forward,
  backward, update) and, if PyTorch is importable, in PyTorch CPU autograd on one thread,
  interleaved round by round with the trainer, and the ratios;
- the floor: the step's NumPy calls alone, cumulatively (the first layer's two products;
  + gathering and casting the batch; + every other call of the gradient and the update);
- an epoch with the BLAS pool pinned to one thread while a busy loop holds the other core,
  and, for contrast, the same in a subprocess with OPENBLAS_NUM_THREADS=2 and no pin.

Usage: python benchmarks/train_speed.py [--rounds 9] [--step-blocks 24] [--no-torch] [--no-busy]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from core.data import load_mnist  # noqa: E402
from core.network import Network, Workspace  # noqa: E402
from core.optimizers import make_optimizer  # noqa: E402
from core.threads import blas_threads, limit_blas_threads  # noqa: E402
from core.trainer import Trainer  # noqa: E402

SIZES = (784, 16, 16, 10)
BATCH = 100
LR = 3.0
STEPS_PER_BLOCK = 50


# -- the plain NumPy version: what a careful reader of the lesson would write ------------------------
class PlainNumpy:
    """The lesson's network and loop, vectorised over the batch and written plainly."""

    def __init__(self, x, y, seed=0):
        rng = np.random.default_rng(seed)
        self.x, self.y = x, y  # (N, 784) float32 in [0, 1], (N,) labels
        self.weights = [(rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32)
                        for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]
        self.biases = [np.zeros(n_out, np.float32) for n_out in SIZES[1:]]
        self.rng = rng

    def step(self, idx):
        xb, yb = self.x[idx], self.y[idx]
        activations = [xb]  # layer by layer
        a = xb
        for w, b in zip(self.weights, self.biases):
            a = 1.0 / (1.0 + np.exp(-(a @ w.T + b)))
            activations.append(a)
        target = np.zeros_like(a)
        target[np.arange(len(yb)), yb] = 1.0
        delta = 2.0 * (a - target) * a * (1.0 - a) / len(yb)  # ∂C/∂z of the output, batch mean
        for layer in range(len(self.weights) - 1, -1, -1):
            grad_w = delta.T @ activations[layer]
            grad_b = delta.sum(axis=0)
            if layer > 0:
                below = activations[layer]
                delta = (delta @ self.weights[layer]) * below * (1.0 - below)
            self.weights[layer] -= np.float32(LR) * grad_w
            self.biases[layer] -= np.float32(LR) * grad_b

    def epoch(self):
        order = self.rng.permutation(len(self.y))
        for start in range(0, len(order), BATCH):
            self.step(order[start:start + BATCH])

    def timed_steps(self, n):
        order = self.rng.permutation(len(self.y))
        return [timed(self.step, order[start:start + BATCH]) for start in range(0, n * BATCH, BATCH)]


# -- the same in PyTorch --------------------------------------------------------------------------------
class PlainTorch:
    """The same network and loop in PyTorch CPU autograd (one thread)."""

    def __init__(self, x, y, seed=0):
        import torch
        import torch.nn.functional as F

        self.torch, self.F = torch, F
        torch.set_num_threads(1)
        torch.manual_seed(seed)
        with warnings.catch_warnings():  # read-only NumPy memory: fine, nothing writes to it
            warnings.simplefilter("ignore", UserWarning)
            self.x = torch.from_numpy(x)
        self.y = torch.from_numpy(y.astype(np.int64))
        self.params = []
        for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
            self.params.append((torch.randn(n_out, n_in) / n_in ** 0.5).requires_grad_())
            self.params.append(torch.zeros(n_out).requires_grad_())
        self.generator = torch.Generator().manual_seed(seed)

    def step(self, idx):
        torch, F = self.torch, self.F
        a = self.x[idx]
        for w, b in zip(self.params[::2], self.params[1::2]):
            a = torch.sigmoid(F.linear(a, w, b))
        target = F.one_hot(self.y[idx], SIZES[-1]).to(a.dtype)
        cost = ((a - target) ** 2).sum(dim=1).mean()
        cost.backward()
        with torch.no_grad():
            for p in self.params:
                p -= LR * p.grad
                p.grad = None

    def epoch(self):
        order = self.torch.randperm(len(self.y), generator=self.generator)
        for start in range(0, len(order), BATCH):
            self.step(order[start:start + BATCH])

    def timed_steps(self, n):
        order = self.torch.randperm(len(self.y), generator=self.generator)
        return [timed(self.step, order[start:start + BATCH]) for start in range(0, n * BATCH, BATCH)]


# -- helpers --------------------------------------------------------------------------------------------
def timed(fn, *args):
    """Return (wall-clock seconds, this thread's CPU seconds) taken by fn(*args).

    The CPU time leaves out the time other processes held the core, so it is the steadier
    figure on a shared machine; BLAS and PyTorch run on this thread only here.
    """
    wall, cpu = time.perf_counter(), time.thread_time()
    fn(*args)
    return time.perf_counter() - wall, time.thread_time() - cpu


def trainer_steps(tr, n):
    return [timed(tr.step) for _ in range(n)]


# -- the floor: a step's NumPy calls and nothing else -----------------------------------------------------
def floor_steps(ds, blocks, seed=0):
    """Time, per step, what any NumPy version of this step must call, in three cumulative tiers.

    Returns {tier: [seconds per step]}; the tiers run block by block, interleaved:
    - "products": the first layer's two (100 × 784)-sized BLAS products, on a gathered batch;
    - "+ gather": the uint8 batch gathered and cast to float32 first;
    - "+ the rest": the whole gradient (Network.gradient_into, ~30 more small calls) and the
      SGD update, without the trainer's records and checks.
    """
    net = Network(SIZES, "sigmoid", "quadratic", seed=seed)
    images = ds.images("train").reshape(len(ds.train_labels), -1)
    labels = np.asarray(ds.train_labels)
    order = np.random.default_rng(seed).permutation(len(labels))
    targets = np.eye(SIZES[-1], dtype=np.float32)[labels[order]]
    raw, xb = np.empty((BATCH, SIZES[0]), np.uint8), np.empty((BATCH, SIZES[0]), np.float32)
    w1_t = net.weights[0].T
    z1, delta1 = np.empty((BATCH, SIZES[1]), np.float32), np.full((BATCH, SIZES[1]), 1e-3, np.float32)
    g_w1 = np.empty_like(net.weights[0])
    ws, grad = Workspace(net, BATCH), np.zeros_like(net.params)
    opt = make_optimizer("sgd", net.n_params)
    lr, scale = float(LR), np.float32(1 / 255)
    clock, position = time.perf_counter, [0]

    def next_idx():
        start = position[0] = (position[0] + BATCH) % (len(order) - BATCH)
        return order[start:start + BATCH], start

    def tier(gather_timed: bool, whole_step: bool):
        def one_step():
            idx, start = next_idx()
            if not gather_timed:
                np.copyto(xb, images.take(idx, 0, raw, "clip"))
            t = clock()
            if gather_timed:
                images.take(idx, 0, raw, "clip")
                np.copyto(xb, raw)
            if whole_step:
                net.gradient_into(xb, None, grad, ws, input_scale=scale, targets=targets[start:start + BATCH],
                                  gain=lr)
                opt.update(net.params, grad, lr, lr)
            else:
                np.dot(xb, w1_t, out=z1)
                np.dot(delta1.T, xb, out=g_w1)
            return clock() - t
        return one_step

    tiers = {"products": tier(False, False), "+ gather": tier(True, False), "+ the rest": tier(True, True)}
    times = {name: [] for name in tiers}
    for fn in tiers.values():  # warm up
        for _ in range(STEPS_PER_BLOCK):
            fn()
    for _ in range(blocks):
        for name, fn in tiers.items():
            times[name].extend(fn() for _ in range(STEPS_PER_BLOCK))
    return times


def make_trainer(ds):
    # History and trajectory recording on, as in the app.
    return Trainer(Network(SIZES, "sigmoid", "quadratic", seed=0), ds, batch_size=BATCH, learning_rate=LR,
                   optimizer="sgd", seed=0, record_trajectory=True)


def median(values, column=0):
    """Return the median of the wall-clock (column 0) or CPU (column 1) times."""
    return float(np.median([v[column] for v in values]))


def start_busy_loop():
    """Start a process that keeps one core busy (as the window does while it draws)."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def child_unpinned(seconds: float) -> None:
    """Train without the pin for up to `seconds`; print steps, time and BLAS threads as JSON."""
    ds = load_mnist()
    tr = make_trainer(ds)
    tr.step()
    start, cpu, steps = time.perf_counter(), time.process_time(), 0
    while steps < tr.steps_per_epoch and time.perf_counter() - start < seconds:
        tr.step()
        steps += 1
    print(json.dumps({"steps": steps, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                      "steps_per_epoch": tr.steps_per_epoch, "blas_threads": blas_threads()}))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=9, help="epochs timed per implementation (interleaved)")
    p.add_argument("--step-blocks", type=int, default=24, help=f"blocks of {STEPS_PER_BLOCK} steps per implementation")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--no-busy", action="store_true", help="skip the busy-core part")
    p.add_argument("--child-unpinned", type=float, default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child_unpinned is not None:
        return child_unpinned(args.child_unpinned)

    before = blas_threads()
    limit_blas_threads(1)
    print(f"NumPy {np.__version__}; BLAS threads {before} → {blas_threads()} (pinned); "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    ds = load_mnist()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    x, y = ds.inputs("train"), np.asarray(ds.train_labels)
    print(f"load MNIST {load_s:.2f} s; uint8 → float32 inputs once {time.perf_counter() - t:.3f} s (cached)")

    impls = {"trainer": make_trainer(ds), "plain NumPy": PlainNumpy(x, y)}
    if not args.no_torch:
        try:
            impls["PyTorch"] = PlainTorch(x, y)
            print(f"PyTorch {impls['PyTorch'].torch.__version__}, {impls['PyTorch'].torch.get_num_threads()} thread")
        except ImportError:
            print("PyTorch not importable: skipping its comparison")
    epoch_fns = {"trainer": impls["trainer"].run_epoch}
    step_fns = {"trainer": lambda n: trainer_steps(impls["trainer"], n)}
    for name, impl in impls.items():
        if name != "trainer":
            epoch_fns[name], step_fns[name] = impl.epoch, impl.timed_steps
    for fn in epoch_fns.values():  # warm up: caches, allocator, lazy imports
        fn()

    steps = {name: [] for name in impls}
    for _ in range(args.step_blocks):
        for name, fn in step_fns.items():
            steps[name].extend(fn(STEPS_PER_BLOCK))
    epochs = {name: [] for name in impls}
    for _ in range(args.rounds):
        for name, fn in epoch_fns.items():
            epochs[name].append(timed(fn))

    print(f"\nmedians of {len(steps['trainer'])} steps (batch {BATCH}) and of {args.rounds} epochs"
          " (60,000 images), interleaved; wall-clock [this thread's CPU time]:")
    for name in impls:
        walls = [w for w, _ in epochs[name]]
        print(f"  {name:12s} step {median(steps[name]) * 1e6:7.1f} µs [{median(steps[name], 1) * 1e6:6.1f}]"
              f"   epoch {median(epochs[name]):.3f} s [{median(epochs[name], 1):.3f}]"
              f"   (wall min {min(walls):.3f}, max {max(walls):.3f})")
    for name in impls:
        if name != "trainer":
            def ratio(table, column):
                return median(table["trainer"], column) / median(table[name], column)

            print(f"  trainer / {name}: step {ratio(steps, 0):.2f}× wall, {ratio(steps, 1):.2f}× CPU;"
                  f" epoch {ratio(epochs, 0):.2f}× wall, {ratio(epochs, 1):.2f}× CPU")
    print(f"  targets: step ≤ 120 µs, epoch ≤ 0.10 s, ≤ 0.7× plain NumPy, ≤ 0.5× PyTorch;"
          f" load average now {os.getloadavg()[0]:.2f}")
    tr = impls["trainer"]
    acc = tr.evaluate("test", record=False).accuracy
    print(f"  (trainer after {tr.epoch} epochs: test accuracy {acc:.4f}; trajectory {len(tr.trajectory)} points)")

    floor = floor_steps(ds, args.step_blocks)
    plain = [timed(tr.step)[0] for _ in range(args.step_blocks * STEPS_PER_BLOCK)]
    print(f"\na step's NumPy calls alone (no records, no checks), medians of {len(floor['products'])} steps:")
    for name, values in floor.items():
        print(f"  {name:11s} {np.median(values) * 1e6:6.1f} µs")
    print(f"  trainer step, same clock: {np.median(plain) * 1e6:.1f} µs"
          " (the last tier is the floor: no saving in the trainer's records and checks goes below it)")

    if args.no_busy:
        return
    busy = start_busy_loop()
    try:
        time.sleep(0.5)
        pinned = [timed(tr.run_epoch) for _ in range(max(3, args.rounds // 2))]
        print(f"\nother core busy, BLAS pinned to {blas_threads()} thread: epoch median {median(pinned):.3f} s"
              f" [CPU {median(pinned, 1):.3f}] (of {len(pinned)}: {', '.join(f'{w:.3f}' for w, _ in pinned)})")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
        out = subprocess.run([sys.executable, __file__, "--child-unpinned", "30"], env=env,
                             capture_output=True, text=True, timeout=300)
        if out.returncode == 0:
            r = json.loads(out.stdout.strip().splitlines()[-1])
            per_epoch = r["seconds"] / r["steps"] * r["steps_per_epoch"]
            measured = "measured" if r["steps"] == r["steps_per_epoch"] else f"extrapolated from {r['steps']} steps"
            cpu = r["cpu"] / r["steps"] * r["steps_per_epoch"]
            print(f"other core busy, no pin (OPENBLAS_NUM_THREADS=2, BLAS threads {r['blas_threads']}):"
                  f" epoch {per_epoch:.2f} s [CPU of both BLAS threads {cpu:.2f}] ({measured}),"
                  f" {per_epoch / median(pinned):.0f}× the pinned epoch")
        else:
            print(f"unpinned subprocess failed: {out.stderr.strip()[-500:]}")
    finally:
        busy.terminate()
        busy.wait()


if __name__ == "__main__":
    main()
