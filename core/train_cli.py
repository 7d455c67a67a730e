"""`main.py train`: headless training from the command line, one line per epoch."""
from __future__ import annotations

import argparse
import sys
import time

from core.limits import BATCH_SIZE_RANGE, LEARNING_RATE_RANGE, MOMENTUM_RANGE, SEED_RANGE, WEIGHT_DECAY_RANGE
from core.trainer import SCHEDULES

# The classic lesson: 784-16-16-10, sigmoid, quadratic cost, plain SGD on batches of 100.
DEFAULTS = dict(hidden="16,16", activation="sigmoid", cost="quadratic", optimizer="sgd",
                lr=3.0, batch_size=100, epochs=30, seed=0, momentum=0.9, weight_decay=0.0,
                schedule="constant")


def build_parser() -> argparse.ArgumentParser:
    from core.activations import HIDDEN_ACTIVATIONS
    from core.network import COSTS
    from core.optimizers import OPTIMIZERS

    p = argparse.ArgumentParser(prog="main.py train", description="Train a network headless and report test accuracy.")
    p.add_argument("--hidden", default=DEFAULTS["hidden"], help='hidden layer sizes, e.g. "16,16" (default), "128,64" or "" for none')
    p.add_argument("--activation", default=DEFAULTS["activation"], choices=HIDDEN_ACTIVATIONS)
    p.add_argument("--cost", default=DEFAULTS["cost"], choices=COSTS)
    p.add_argument("--optimizer", default=DEFAULTS["optimizer"], choices=OPTIMIZERS)
    p.add_argument("--lr", type=float, default=DEFAULTS["lr"], help="learning rate (default 3.0, for the batch-mean gradient)")
    p.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"])
    p.add_argument("--epochs", type=int, default=DEFAULTS["epochs"])
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    p.add_argument("--momentum", type=float, default=DEFAULTS["momentum"], help="for --optimizer momentum (default 0.9)")
    p.add_argument("--weight-decay", type=float, default=DEFAULTS["weight_decay"], help="L2 weight decay λ (default 0)")
    p.add_argument("--schedule", default=DEFAULTS["schedule"], choices=SCHEDULES, help="learning-rate schedule over --epochs")
    p.add_argument("--float64", action="store_true", help="compute in float64 instead of float32")
    p.add_argument("--save", metavar="FILE", help="write the trained network to this .npz checkpoint")
    p.add_argument("--data", metavar="FOLDER", help="a folder of IDX files (default: the embedded MNIST)")
    p.add_argument("--train-limit", type=int, default=None, help=argparse.SUPPRESS)
    return p


def check_args(p, args) -> None:
    """Exit with a clear message (status 2) on out-of-range values, before anything is loaded or trained."""
    from pathlib import Path

    from core import validation

    checks = (("--lr", validation.real, args.lr, LEARNING_RATE_RANGE),
              ("--batch-size", validation.whole, args.batch_size, BATCH_SIZE_RANGE),
              ("--epochs", validation.whole, args.epochs, (1, 10000)),
              ("--seed", validation.whole, args.seed, SEED_RANGE),
              ("--momentum", validation.real, args.momentum, MOMENTUM_RANGE),
              ("--weight-decay", validation.real, args.weight_decay, WEIGHT_DECAY_RANGE))
    try:
        for option, check, value, bounds in checks:
            check(value, option, *bounds)
    except validation.InputError as exc:
        p.error(str(exc))
    if args.save:  # refuse now rather than after the training: and never create folders unasked
        folder = Path(args.save).parent
        if not folder.is_dir():
            p.error(f"--save: the folder {folder} does not exist")


def main(argv=None, out=sys.stdout) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    check_args(p, args)
    from core.threads import limit_blas_threads

    limit_blas_threads(1)
    import numpy as np

    from core.checkpoint import CheckpointError, save_checkpoint
    from core.data import DatasetError, load_idx_dataset, load_mnist
    from core.network import Network, NetworkError, parse_sizes
    from core.trainer import Trainer

    try:
        ds = load_idx_dataset(args.data) if args.data else load_mnist()
        if args.train_limit:
            ds = ds.subset(args.train_limit, len(ds.test_labels))
        sizes = parse_sizes(args.hidden, ds.n_inputs, ds.n_classes)
        net = Network(sizes, args.activation, args.cost, seed=args.seed,
                      dtype=np.float64 if args.float64 else np.float32)
        tr = Trainer(net, ds, batch_size=min(args.batch_size, len(ds.train_labels)), learning_rate=args.lr,
                     optimizer=args.optimizer, seed=args.seed, momentum=args.momentum,
                     weight_decay=args.weight_decay, schedule=args.schedule, total_epochs=args.epochs,
                     record_trajectory=False)
    except (DatasetError, NetworkError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{ds!r}; {net.describe()}; {args.optimizer}, lr {args.lr:g}, batch {tr.batch_size},"
          f" schedule {args.schedule}", file=out)
    start = time.perf_counter()
    ev = None
    for _ in range(args.epochs):
        summary = tr.run_epoch()
        if summary.diverged:
            print(f"error: the cost became NaN or infinite in epoch {summary.epoch + 1} at learning rate"
                  f" {tr.current_learning_rate():g}; try a smaller --lr", file=sys.stderr)
            return 3
        ev = tr.evaluate("test")
        print(f"epoch {summary.epoch + 1:3d}  training cost {summary.mean_cost:.4f}  test accuracy"
              f" {ev.accuracy:.4f}  {summary.seconds:.2f} s", file=out, flush=True)
    print(f"trained {tr.step_count} steps in {time.perf_counter() - start:.1f} s", file=out)
    if args.save:
        try:
            save_checkpoint(args.save, net, tr, ds)
        except CheckpointError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 4
        print(f"saved {args.save}", file=out)
    print(f"test accuracy: {ev.accuracy:.4f}", file=out)
    return 0
